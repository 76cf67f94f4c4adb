"""Suspension notices: an operator announces that a service or a whole facility stops from a date at least
the ruleset's `oversight.suspension_notice_days` (60) ahead, with its written report to the street office
(Wuhan art. 14).

A notice on a service that public money subsidises (a government-paid subsidy rule: `catalogue.queries.
subsidised_services`; for a facility, any of its services) needs the street office's consent, answered within
the ruleset's `consent_days` (30): until it is granted the notice is not in force (bookings from that date
are still taken and nobody is told), a refused one never is. Other notices are in force at once. In force,
bookings from that date are refused and holders of bookings from that date are told, in the same
transaction. A consent still pending after its due day is flagged by the `bookings.flag_overdue_consents`
job (a finding for the district). Every state change is audited with its actor and time.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.service import record
from backend.bookings import cache
from backend.bookings import repository as repo
from backend.bookings import repository_bookings as brepo
from backend.bookings import repository_suspensions as srepo
from backend.bookings.errors import ConsentNotPending, NoticeTooShort, NotStreetOffice, SuspensionNotFound
from backend.bookings.models import ConsentStatus, Suspension
from backend.bookings.schemas import ConsentDecision, SuspensionCreate, SuspensionPublic
from backend.catalogue.errors import FacilityNotFound, ServiceNotFound
from backend.catalogue.queries import resolve_scope, ruleset_for_facility, subsidised_services
from backend.core.access import Principal
from backend.core.clock import SHANGHAI, utcnow
from backend.core.pagination import Page, keyset_after, keyset_page
from backend.notifications import messages
from backend.notifications.service import MessageKind, enqueue_many, message

ENTITY = "suspension"


def _today(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()


def suspension_view(row: Suspension) -> SuspensionPublic:
    return SuspensionPublic(
        id=row.id,
        service_id=row.service_id,
        facility_id=row.facility_id,
        starts_on=row.starts_on,
        reason=row.reason,
        report=row.report,
        subsidised=row.subsidised,
        consent_status=ConsentStatus(row.consent_status).value,
        consent_due_on=row.consent_due_on,
        consent_decided_at=row.consent_decided_at,
        consent_reason=row.consent_reason,
        consent_overdue_at=row.consent_overdue_at,
        in_force=row.consent_status in srepo.IN_FORCE,
        notified_count=row.notified_count,
        created_at=row.created_at,
    )


async def announce(session: AsyncSession, principal: Principal, body: SuspensionCreate) -> SuspensionPublic:
    """Only who may change the facility (its operator's staff, by the route) announces its stops."""
    now = utcnow()
    scope = await resolve_scope(session, principal)
    if body.service_id is not None:
        service = await repo.service_scope(session, body.service_id)
        allowed = service is not None and scope.may_change_facility(service.facility_id)
        scope.require(allowed, ServiceNotFound())
        assert service is not None
        facility_id, target_name = service.facility_id, service.name
    else:
        assert body.facility_id is not None
        known = await repo.facility_operator(session, body.facility_id) is not None
        scope.require(known and scope.may_change_facility(body.facility_id), FacilityNotFound())
        facility_id, target_name = body.facility_id, ""
    rules = (await ruleset_for_facility(session, facility_id)).document.oversight
    if body.starts_on < _today(now) + timedelta(days=rules.suspension_notice_days):
        raise NoticeTooShort(rules.suspension_notice_days)
    subsidised = await subsidised_services(
        session, service_id=body.service_id, facility_id=body.facility_id, at=now
    )
    consent_due_on = _today(now) + timedelta(days=rules.consent_days) if subsidised else None
    status = ConsentStatus.pending if subsidised else ConsentStatus.not_required
    suspension_id = uuid.uuid4()
    await repo.insert_suspension(
        session,
        {
            "id": suspension_id,
            "service_id": body.service_id,
            "facility_id": body.facility_id,
            "starts_on": body.starts_on,
            "reason": body.reason,
            "report": body.report,
            "subsidised": bool(subsidised),
            "consent_status": status.value,
            "consent_due_on": consent_due_on,
            "announced_by": principal.id,
            "created_at": now,
            "updated_at": now,
        },
    )
    changes = {
        **body.model_dump(mode="json"),
        "subsidised_services": subsidised,
        "consent_status": status.value,
        "consent_due_on": consent_due_on,
    }
    await record(session, principal, "announce", ENTITY, suspension_id, changes)
    found = await srepo.get(session, suspension_id)
    assert found is not None
    row = found[0]
    if status == ConsentStatus.not_required:
        await _put_in_force(session, row, target_name, now)
    return suspension_view(row)


async def _put_in_force(session: AsyncSession, row: Suspension, target_name: str, now: datetime) -> None:
    """Tell the holders of bookings from the first day, and drop the cached slot lists it changes."""
    start = datetime.combine(row.starts_on, time.min, tzinfo=SHANGHAI)
    holders = await brepo.active_from(session, row.service_id, row.facility_id, start)
    rows = [
        message(
            h.resident_id,
            MessageKind.suspension_notice,
            messages.suspension_data(target_name or h.service_name, row.starts_on, row.reason),
            page=messages.booking_page(h.id),
            dedupe_key=f"suspension:{row.id}:{h.id}",
            now=now,
        )
        for h in holders
    ]
    row.notified_count = await enqueue_many(session, rows)
    session.add(row)
    await session.flush()
    for service_id in {h.service_id for h in holders} | ({row.service_id} if row.service_id else set()):
        cache.invalidate_after_commit(session, service_id)


async def decide_consent(
    session: AsyncSession, principal: Principal, suspension_id: uuid.UUID, body: ConsentDecision
) -> SuspensionPublic:
    """The street office over the facility consents to a subsidised service's suspension (which then comes
    into force: holders are told) or refuses it with a reason (Wuhan art. 14)."""
    found = await srepo.get(session, suspension_id, lock=True)
    scope = await resolve_scope(session, principal)
    scope.require(found is not None and scope.sees_facility(found[1]), SuspensionNotFound())
    assert found is not None
    row, facility_id = found
    if not scope.is_street_office_of(facility_id):
        raise NotStreetOffice()
    if row.consent_status != ConsentStatus.pending.value:
        raise ConsentNotPending(extra={"consent_status": row.consent_status})
    now = utcnow()
    granted = body.decision == "consent"
    before = row.consent_status
    row.consent_status = (ConsentStatus.granted if granted else ConsentStatus.refused).value
    row.consent_decided_at, row.consent_decided_by, row.consent_reason = now, principal.id, body.reason
    row.updated_at = now
    session.add(row)
    await session.flush()
    changes = {
        "consent_status": {"from": before, "to": row.consent_status},
        "reason": body.reason,
        "due_on": row.consent_due_on,
        "late": row.consent_due_on is not None and _today(now) > row.consent_due_on,
    }
    await record(session, principal, body.decision, ENTITY, row.id, changes)
    if granted:
        name = ""
        if row.service_id is not None:
            service = await repo.service_scope(session, row.service_id)
            name = service.name if service is not None else ""
        await _put_in_force(session, row, name, now)
    return suspension_view(row)


async def list_suspensions(
    session: AsyncSession,
    principal: Principal,
    *,
    facility_id: uuid.UUID | None,
    consent_status: ConsentStatus | None,
    consent_overdue: bool | None,
    cursor: str | None,
    limit: int,
) -> Page[SuspensionPublic]:
    """Notices on the facilities in the caller's scope, newest first; `consent_overdue=true` lists the
    consents the street office has left unanswered past their due day."""
    scope = await resolve_scope(session, principal)
    rows = await srepo.list_in_scope(
        session,
        scope.facility_filter,
        facility_id=facility_id,
        consent_status=consent_status.value if consent_status else None,
        overdue=consent_overdue,
        after=keyset_after(cursor),
        limit=limit,
    )
    items, next_cursor = keyset_page(rows, limit)
    return Page(items=[suspension_view(r) for r in items], next_cursor=next_cursor)


async def flag_overdue_consents(session: AsyncSession, now: datetime) -> int:
    """Flag pending consents past their due day (`consent_overdue_at`, audited as the system); how many."""
    rows = await srepo.overdue_consents(session, _today(now))
    at = utcnow()
    for row in rows:
        row.consent_overdue_at, row.updated_at = at, at
        session.add(row)
        await record(session, None, "consent_overdue", ENTITY, row.id, {"due_on": row.consent_due_on})
    await session.flush()
    return len(rows)
