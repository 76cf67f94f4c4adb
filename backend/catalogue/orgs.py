"""Staff writes and reads of operators, facilities, suppliers and licences; configuration findings.

Regulators (in their region) and admin create operators and facilities and assign each facility to an
operator; operator staff edit their own facilities' details and introduce suppliers with their licences.
Who sees and changes which object is the caller's `Scope` (`backend.core.scope`); an existing object outside
it answers 403 `out_of_scope` (the staff catalogue is not secret), an unknown id 404.
Every write is audited and invalidates the cached public reads.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.service import audited_update, diff, record
from backend.catalogue import changes as approvals
from backend.catalogue import repository as repo
from backend.catalogue.cursors import name_cursor, next_name_cursor
from backend.catalogue.errors import (
    CommunityNotFound,
    CreditCodeTaken,
    DistrictNotFound,
    FacilityNotFound,
    OperatorNotFound,
    OutOfScope,
    SupplierNotFound,
)
from backend.catalogue.findings import Finding, FindingStatus, check_facility
from backend.catalogue.models import Facility, Operator, Supplier, SupplierLicence
from backend.catalogue.queries import forget_scope, resolve_scope
from backend.catalogue.rules import rulesets_for_facilities
from backend.catalogue.schemas import LicencePublic
from backend.catalogue.schemas_staff import (
    FacilityCreate,
    FacilityFindings,
    FacilityStaffView,
    FacilityUpdate,
    FindingOut,
    FunctionChangeCreate,
    LicenceCreate,
    OperatorCreate,
    OperatorStaffView,
    OperatorUpdate,
    SupplierCreate,
    SupplierStaffView,
    SupplierUpdate,
)
from backend.core.access import Principal
from backend.core.errors import Forbidden
from backend.core.http_cache import invalidate
from backend.core.i18n import Msg
from backend.core.pagination import Page, encode_cursor
from backend.rulesets.queries import Ruleset

CACHE_NAMESPACE = "catalogue"

REGULATOR_ONLY_FIELDS = Msg(
    "运营商不能更改设施的运营方或状态", "Operators may not change a facility's operator or status"
)


def _fields(obj: Any, names: list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


# ---------------------------------------------------------------- operators


def operator_view(op: Operator) -> OperatorStaffView:
    return OperatorStaffView.model_validate(op, from_attributes=True)


async def create_operator(
    session: AsyncSession, principal: Principal, data: OperatorCreate
) -> OperatorStaffView:
    if await repo.get_district(session, data.district_id) is None:
        raise DistrictNotFound()
    scope = await resolve_scope(session, principal)
    scope.require(scope.may_register_in_district(data.district_id), OutOfScope())
    if await repo.operator_by_credit_code(session, data.credit_code) is not None:
        raise CreditCodeTaken()
    op = Operator(**data.model_dump())
    session.add(op)
    await session.flush()
    forget_scope(session)
    await record(session, principal, "create", "operator", op.id, data.model_dump())
    await invalidate(session, CACHE_NAMESPACE)
    return operator_view(op)


async def _operator_in_scope(
    session: AsyncSession, principal: Principal, operator_id: uuid.UUID, *, change: bool = False
) -> Operator:
    op = await repo.get_operator(session, operator_id)
    if op is None:
        raise OperatorNotFound()
    scope = await resolve_scope(session, principal)
    scope.require(scope.may_change_operator(op.id) if change else scope.sees_operator(op.id), OutOfScope())
    return op


async def _assignable_operator(session: AsyncSession, principal: Principal, operator_id: uuid.UUID) -> None:
    if await repo.get_operator(session, operator_id) is None:
        raise OperatorNotFound()
    scope = await resolve_scope(session, principal)
    scope.require(scope.may_assign_operator(operator_id), OutOfScope())


async def update_operator(
    session: AsyncSession, principal: Principal, operator_id: uuid.UUID, data: OperatorUpdate
) -> OperatorStaffView:
    op = await _operator_in_scope(session, principal, operator_id, change=True)
    changes = data.model_dump(exclude_unset=True)
    await audited_update(session, principal, "operator", op, changes, invalidates=(CACHE_NAMESPACE,))
    return operator_view(op)


async def get_operator(
    session: AsyncSession, principal: Principal, operator_id: uuid.UUID
) -> OperatorStaffView:
    return operator_view(await _operator_in_scope(session, principal, operator_id))


async def list_operators(
    session: AsyncSession, principal: Principal, cursor: str | None, limit: int
) -> Page[OperatorStaffView]:
    scope = await resolve_scope(session, principal)
    rows = await repo.list_operators(
        session, scope=scope.operator_filter(Operator.id), after=name_cursor(cursor), limit=limit + 1
    )
    return Page(items=[operator_view(o) for o in rows[:limit]], next_cursor=next_name_cursor(rows, limit))


# ---------------------------------------------------------------- facilities and findings


def finding_out(f: Finding, ruleset: Ruleset | None = None) -> FindingOut:
    return FindingOut(
        rule=f.rule,
        status=f.status.value,
        severity=f.severity.value,
        message=f.message.render(**f.values),
        values=f.values,
        source=f.source,
        ruleset=ruleset.ref() if ruleset is not None else None,
    )


def _check(functions: list[str], facility: Facility, ruleset: Ruleset) -> list[FindingOut]:
    return [
        finding_out(f, ruleset) for f in check_facility(functions, facility.rooms, ruleset.document.catalogue)
    ]


async def _facility_view(session: AsyncSession, facility: Facility) -> FacilityStaffView:
    functions = (await repo.facility_functions(session, [facility.id]))[facility.id]
    ruleset = (await rulesets_for_facilities(session, [facility.id]))[facility.id]
    return FacilityStaffView(
        **facility.model_dump(exclude={"created_at", "updated_at"}),
        functions=functions,
        findings=_check(functions, facility, ruleset),
        pending_function_change=await approvals.pending_change(session, facility.id),
    )


async def _facility_in_scope(
    session: AsyncSession, principal: Principal, facility_id: uuid.UUID, *, change: bool = False
) -> Facility:
    facility = await repo.get_facility(session, facility_id)
    if facility is None:
        raise FacilityNotFound()
    scope = await resolve_scope(session, principal)
    allowed = scope.may_change_facility(facility.id) if change else scope.sees_facility(facility.id)
    scope.require(allowed, OutOfScope())
    return facility


async def create_facility(
    session: AsyncSession, principal: Principal, data: FacilityCreate
) -> FacilityStaffView:
    if await repo.get_community(session, data.community_id) is None:
        raise CommunityNotFound()
    scope = await resolve_scope(session, principal)
    scope.require(scope.sees_community(data.community_id), OutOfScope())
    await _assignable_operator(session, principal, data.operator_id)
    fields = data.model_dump(exclude={"functions"})
    facility = Facility(**fields)
    session.add(facility)
    await session.flush()
    forget_scope(session)
    await repo.set_facility_functions(session, facility.id, data.functions)
    await record(session, principal, "create", "facility", facility.id, data.model_dump())
    await invalidate(session, CACHE_NAMESPACE)
    return await _facility_view(session, facility)


async def update_facility(
    session: AsyncSession, principal: Principal, facility_id: uuid.UUID, data: FacilityUpdate
) -> FacilityStaffView:
    facility = await _facility_in_scope(session, principal, facility_id, change=True)
    changes = data.model_dump(exclude_unset=True)
    scope = await resolve_scope(session, principal)
    if {"operator_id", "status"} & set(changes) and not scope.may_decide_for_facility(facility.id):
        raise Forbidden(REGULATOR_ONLY_FIELDS)
    if "operator_id" in changes:
        await _assignable_operator(session, principal, changes["operator_id"])
        forget_scope(session)
    old_functions = (await repo.facility_functions(session, [facility.id]))[facility.id]
    functions = changes.pop("functions", None)
    changing = functions is not None and sorted(functions) != old_functions
    if changing and not await approvals.may_decide(session, principal, facility.id):
        # Wuhan art. 11: an operator's change of functions is a request the street office approves.
        await approvals.file_change(
            session, principal, facility.id, FunctionChangeCreate(functions=functions)
        )
        functions = None
    if functions is not None:
        await repo.set_facility_functions(session, facility.id, functions)
    functions_changed = diff({"functions": old_functions}, {"functions": sorted(functions or old_functions)})
    await audited_update(
        session,
        principal,
        "facility",
        facility,
        changes,
        invalidates=(CACHE_NAMESPACE,),
        also=functions_changed,
    )
    return await _facility_view(session, facility)


async def get_facility(
    session: AsyncSession, principal: Principal, facility_id: uuid.UUID
) -> FacilityStaffView:
    return await _facility_view(session, await _facility_in_scope(session, principal, facility_id))


async def _findings_of(session: AsyncSession, facilities: list[Facility]) -> list[FacilityFindings]:
    functions = await repo.facility_functions(session, [f.id for f in facilities])
    rulesets = await rulesets_for_facilities(session, [f.id for f in facilities])
    out = []
    for f in facilities:
        findings = _check(functions[f.id], f, rulesets[f.id])
        out.append(
            FacilityFindings(
                facility_id=f.id,
                facility_name=f.name,
                operator_id=f.operator_id,
                community_id=f.community_id,
                failing=sum(1 for x in findings if x.status == FindingStatus.failed),
                findings=findings,
            )
        )
    return out


async def facility_findings(
    session: AsyncSession, principal: Principal, facility_id: uuid.UUID
) -> FacilityFindings:
    facility = await _facility_in_scope(session, principal, facility_id)
    return (await _findings_of(session, [facility]))[0]


async def list_findings(
    session: AsyncSession, principal: Principal, *, only_failing: bool, cursor: str | None, limit: int
) -> Page[FacilityFindings]:
    """Findings of every facility in the caller's scope (any status), by facility name."""
    after = name_cursor(cursor)
    condition = (await resolve_scope(session, principal)).facility_filter(Facility.id)
    picked: list[FacilityFindings] = []
    while True:
        batch = await repo.list_facilities_by_name(
            session, public=False, scope=condition, after=after, limit=max(limit, 50)
        )
        for item in await _findings_of(session, batch):
            if item.failing or not only_failing:
                picked.append(item)
        if len(picked) > limit or len(batch) < max(limit, 50):
            break
        after = (batch[-1].name, batch[-1].id)
    page = picked[:limit]
    next_cursor = (
        encode_cursor({"n": page[-1].facility_name, "id": str(page[-1].facility_id)})
        if len(picked) > limit
        else None
    )
    return Page(items=page, next_cursor=next_cursor)


# ---------------------------------------------------------------- suppliers and licences


def supplier_view(s: Supplier) -> SupplierStaffView:
    return SupplierStaffView.model_validate(s, from_attributes=True)


async def supplier_in_scope(
    session: AsyncSession, principal: Principal, supplier_id: uuid.UUID, *, change: bool = False
) -> Supplier:
    """The supplier, if the caller sees it (`change`: may change it); else 404 / 403 `out_of_scope`."""
    supplier = await repo.get_supplier(session, supplier_id)
    if supplier is None:
        raise SupplierNotFound()
    scope = await resolve_scope(session, principal)
    allowed = scope.may_change_supplier(supplier.id) if change else scope.sees_supplier(supplier.id)
    scope.require(allowed, OutOfScope())
    return supplier


async def create_supplier(
    session: AsyncSession, principal: Principal, data: SupplierCreate
) -> SupplierStaffView:
    """Operator staff introduce a supplier; it belongs to their operator."""
    if principal.operator_id is None:
        raise OutOfScope()
    if await repo.supplier_by_credit_code(session, data.credit_code) is not None:
        raise CreditCodeTaken()
    supplier = Supplier(operator_id=principal.operator_id, **data.model_dump())
    session.add(supplier)
    await session.flush()
    forget_scope(session)
    await record(session, principal, "create", "supplier", supplier.id, data.model_dump())
    await invalidate(session, CACHE_NAMESPACE)
    return supplier_view(supplier)


async def update_supplier(
    session: AsyncSession, principal: Principal, supplier_id: uuid.UUID, data: SupplierUpdate
) -> SupplierStaffView:
    supplier = await supplier_in_scope(session, principal, supplier_id, change=True)
    changes = data.model_dump(exclude_unset=True)
    await audited_update(session, principal, "supplier", supplier, changes, invalidates=(CACHE_NAMESPACE,))
    return supplier_view(supplier)


async def list_suppliers(
    session: AsyncSession, principal: Principal, cursor: str | None, limit: int
) -> Page[SupplierStaffView]:
    scope = await resolve_scope(session, principal)
    rows = await repo.list_suppliers(
        session, scope=scope.supplier_filter(Supplier.id), after=name_cursor(cursor), limit=limit + 1
    )
    return Page(items=[supplier_view(s) for s in rows[:limit]], next_cursor=next_name_cursor(rows, limit))


async def add_licence(
    session: AsyncSession, principal: Principal, supplier_id: uuid.UUID, data: LicenceCreate
) -> LicencePublic:
    supplier = await supplier_in_scope(session, principal, supplier_id, change=True)
    licence = SupplierLicence(supplier_id=supplier.id, **data.model_dump())
    session.add(licence)
    await session.flush()
    await record(session, principal, "create", "supplier_licence", licence.id, data.model_dump())
    await invalidate(session, CACHE_NAMESPACE)
    return LicencePublic.model_validate(licence, from_attributes=True)
