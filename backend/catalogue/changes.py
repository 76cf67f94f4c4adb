"""Approvals the catalogue owns: facility function changes (Wuhan art. 11) and the supplier licence check
when a service is published (Wuhan art. 9).

Design: the request lives in the catalogue, next to the facility it changes, so the catalogue never imports
the oversight domain (a higher layer). An operator's change of functions — `PATCH /facilities/{id}` with
`functions`, or `POST /facilities/{id}/function-changes` — becomes a pending request and the facility keeps
its functions; the street office over the facility (or an admin: `Scope.may_decide_for_facility`) approves
it, and only then the functions change. Regulators and admins change functions directly. An operator is
never a decider, so it cannot approve its own change; nobody decides a request they filed.
"""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.service import record
from backend.catalogue import repository as repo
from backend.catalogue import repository_changes as changes_repo
from backend.catalogue.errors import (
    ChangeAlreadyDecided,
    FacilityNotFound,
    FunctionChangeNotFound,
    LicenceMissing,
    OwnChange,
)
from backend.catalogue.models import ChangeRequestStatus, FacilityFunctionChange, FunctionCode, LicenceKind
from backend.catalogue.queries import resolve_scope
from backend.catalogue.schemas_staff import FunctionChangeCreate, FunctionChangeDecision, FunctionChangeView
from backend.core.access import Principal
from backend.core.clock import SHANGHAI, utcnow
from backend.core.http_cache import invalidate
from backend.core.pagination import Page, keyset_after, keyset_page

CACHE_NAMESPACE = "catalogue"

# Wuhan art. 9 (养老机构、托育机构等登记备案): these functions need a licence of this kind in force.
REQUIRED_LICENCE: dict[str, LicenceKind] = {
    FunctionCode.elder_care.value: LicenceKind.elder_care_filing,
    FunctionCode.infant_care.value: LicenceKind.childcare_filing,
}


async def check_licence(session: AsyncSession, supplier_id: uuid.UUID, function: str) -> None:
    """409 `licence_missing` unless the supplier holds the licence the function needs, in force today."""
    needed = REQUIRED_LICENCE.get(function)
    if needed is None:
        return
    today = utcnow().astimezone(SHANGHAI).date()
    if needed.value not in await changes_repo.licence_kinds_in_force(session, supplier_id, today):
        raise LicenceMissing(extra={"required_licence": needed.value, "function": function})


def change_view(row: FacilityFunctionChange | None) -> FunctionChangeView | None:
    return None if row is None else FunctionChangeView.model_validate(row)


async def pending_change(session: AsyncSession, facility_id: uuid.UUID) -> FunctionChangeView | None:
    return change_view(await changes_repo.pending_for(session, facility_id))


async def may_decide(session: AsyncSession, principal: Principal, facility_id: uuid.UUID) -> bool:
    return (await resolve_scope(session, principal)).may_decide_for_facility(facility_id)


async def file_change(
    session: AsyncSession, principal: Principal, facility_id: uuid.UUID, data: FunctionChangeCreate
) -> FunctionChangeView:
    """File a request (a pending one for the same facility is replaced: the newest request is the one)."""
    scope = await resolve_scope(session, principal)
    facility = await repo.get_facility(session, facility_id)
    scope.require(facility is not None and scope.may_change_facility(facility_id), FacilityNotFound())
    previous = (await repo.facility_functions(session, [facility_id]))[facility_id]
    now = utcnow()
    superseded = await changes_repo.pending_for(session, facility_id)
    if superseded is not None:
        superseded.status, superseded.decided_at = ChangeRequestStatus.rejected.value, now
        superseded.decided_by, superseded.decision_reason = principal.id, "superseded"
        session.add(superseded)
        await record(session, principal, "supersede", "facility_function_change", superseded.id)
    row = FacilityFunctionChange(
        facility_id=facility_id,
        functions=sorted(f.value for f in data.functions),
        previous=previous,
        reason=data.reason,
        requested_by=principal.id,
    )
    session.add(row)
    await session.flush()
    await record(session, principal, "request", "facility_function_change", row.id, data.model_dump())
    view = change_view(row)
    assert view is not None
    return view


async def decide(
    session: AsyncSession, principal: Principal, change_id: uuid.UUID, data: FunctionChangeDecision
) -> FunctionChangeView:
    row = await changes_repo.get_change(session, change_id, lock=True)
    scope = await resolve_scope(session, principal)
    scope.require(row is not None and scope.sees_facility(row.facility_id), FunctionChangeNotFound())
    assert row is not None
    scope.require(scope.may_decide_for_facility(row.facility_id), FunctionChangeNotFound())
    if row.requested_by == principal.id:
        raise OwnChange()
    if row.status != ChangeRequestStatus.pending.value:
        raise ChangeAlreadyDecided()
    row.status = (ChangeRequestStatus.approved if data.approved else ChangeRequestStatus.rejected).value
    row.decided_by, row.decided_at, row.decision_reason = principal.id, utcnow(), data.reason
    session.add(row)
    await session.flush()
    if data.approved:
        before = (await repo.facility_functions(session, [row.facility_id]))[row.facility_id]
        await repo.set_facility_functions(session, row.facility_id, row.functions)
        changes = {"functions": {"from": before, "to": row.functions}, "request": str(row.id)}
        await record(session, principal, "update", "facility", row.facility_id, changes)
        await invalidate(session, CACHE_NAMESPACE)
    await record(session, principal, row.status, "facility_function_change", row.id, data.model_dump())
    view = change_view(row)
    assert view is not None
    return view


async def list_changes(
    session: AsyncSession,
    principal: Principal,
    status: ChangeRequestStatus | None,
    facility_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> Page[FunctionChangeView]:
    scope = await resolve_scope(session, principal)
    rows = await changes_repo.list_changes(
        session,
        scope.facility_filter(FacilityFunctionChange.facility_id),
        status.value if status else None,
        facility_id,
        keyset_after(cursor),
        limit,
    )
    items, next_cursor = keyset_page(rows, limit)
    return Page(items=[FunctionChangeView.model_validate(r) for r in items], next_cursor=next_cursor)
