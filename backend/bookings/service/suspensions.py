"""Suspension notices: an operator announces that a service or a whole facility stops from a date at least
`suspension_notice_days` (60) ahead. Bookings from that date are refused; holders of bookings from that
date are told, in the same transaction as the notice."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings import cache
from backend.bookings import repository as repo
from backend.bookings import repository_bookings as brepo
from backend.bookings.errors import NoticeTooShort
from backend.bookings.schemas import SuspensionCreate, SuspensionPublic
from backend.catalogue.errors import FacilityNotFound, ServiceNotFound
from backend.catalogue.queries import resolve_scope
from backend.core.access import Principal
from backend.core.clock import SHANGHAI, utcnow
from backend.core.settings import get_settings
from backend.notifications import messages
from backend.notifications.service import MessageKind, enqueue_many, message


async def announce(session: AsyncSession, principal: Principal, body: SuspensionCreate) -> SuspensionPublic:
    """Only who may change the facility (its operator's staff, by the route) announces its stops."""
    now = utcnow()
    scope = await resolve_scope(session, principal)
    if body.service_id is not None:
        service = await repo.service_scope(session, body.service_id)
        allowed = service is not None and scope.may_change_facility(service.facility_id)
        scope.require(allowed, ServiceNotFound())
        assert service is not None
        target_name = service.name
    else:
        assert body.facility_id is not None
        known = await repo.facility_operator(session, body.facility_id) is not None
        scope.require(known and scope.may_change_facility(body.facility_id), FacilityNotFound())
        target_name = ""
    days = get_settings().suspension_notice_days
    if body.starts_on < now.astimezone(SHANGHAI).date() + timedelta(days=days):
        raise NoticeTooShort(days)
    suspension_id = uuid.uuid4()
    await repo.insert_suspension(
        session,
        {
            "id": suspension_id,
            "service_id": body.service_id,
            "facility_id": body.facility_id,
            "starts_on": body.starts_on,
            "reason": body.reason,
            "announced_by": principal.id,
            "created_at": now,
            "updated_at": now,
        },
    )
    start = datetime.combine(body.starts_on, time.min, tzinfo=SHANGHAI)
    holders = await brepo.active_from(session, body.service_id, body.facility_id, start)
    rows = [
        message(
            h.resident_id,
            MessageKind.suspension_notice,
            messages.suspension_data(target_name or h.service_name, body.starts_on, body.reason),
            page=messages.booking_page(h.id),
            dedupe_key=f"suspension:{suspension_id}:{h.id}",
            now=now,
        )
        for h in holders
    ]
    notified = await enqueue_many(session, rows)
    await repo.set_notified(session, suspension_id, notified)
    for service_id in {h.service_id for h in holders} | ({body.service_id} if body.service_id else set()):
        cache.invalidate_after_commit(session, service_id)
    row = await repo.get_suspension(session, suspension_id)
    assert row is not None
    return SuspensionPublic(
        id=row.id,
        service_id=row.service_id,
        facility_id=row.facility_id,
        starts_on=row.starts_on,
        reason=row.reason,
        notified_count=row.notified_count,
        created_at=row.created_at,
    )
