"""Queries of bookings and their history (what a new booking reads and writes: `repository_booking_write`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.queries import beneficiaries_sql
from backend.bookings.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingEvent,
    BookingStatus,
)
from backend.bookings.repository import (
    facility_t,
    rowcount,
    service_t,
    slot_t,
)
from backend.bookings.views import BookingView
from backend.core.database import insert_for
from backend.core.pagination import keyset, keyset_bound, keyset_params
from backend.core.rawsql import compiled, is_postgresql, session_driver
from backend.core.scope import Scope

booking_t: sa.Table = Booking.__table__  # type: ignore[attr-defined]
event_t: sa.Table = BookingEvent.__table__  # type: ignore[attr-defined]
beneficiary_t: sa.Subquery = beneficiaries_sql()

_ACTIVE_PREDICATE = sa.text("status IN ('confirmed', 'checked_in')")


async def insert_booking(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert unless the beneficiary already holds an active booking for the slot (then False)."""
    stmt = (
        insert_for(session)(booking_t)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["slot_id", "beneficiary_id"], index_where=_ACTIVE_PREDICATE)
        .returning(booking_t.c.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def insert_event(
    session: AsyncSession,
    booking_id: uuid.UUID,
    from_status: str | None,
    to_status: str,
    actor_role: str,
    actor_id: uuid.UUID | None,
    now: datetime,
    reason: str | None = None,
) -> None:
    await session.execute(
        sa.insert(event_t).values(
            id=uuid.uuid4(),
            booking_id=booking_id,
            from_status=from_status,
            to_status=to_status,
            actor_role=actor_role,
            actor_id=actor_id,
            reason=reason,
            created_at=now,
            updated_at=now,
        )
    )


async def events(session: AsyncSession, booking_id: uuid.UUID) -> Sequence[sa.Row[Any]]:
    stmt = sa.select(event_t).where(event_t.c.booking_id == booking_id).order_by(event_t.c.created_at)
    return (await session.execute(stmt)).all()


async def change_status(
    session: AsyncSession,
    booking_id: uuid.UUID,
    sources: Iterable[str],
    to: BookingStatus,
    now: datetime,
    reason: str | None = None,
) -> bool:
    """Move the booking on if it is still in one of `sources` (so two concurrent moves cannot both win)."""
    values: dict[str, Any] = {"status": to.value, "status_changed_at": now, "updated_at": now}
    if reason is not None:
        values["cancel_reason"] = reason
    result = await session.execute(
        sa.update(booking_t)
        .where(booking_t.c.id == booking_id, booking_t.c.status.in_(list(sources)))
        .values(**values)
    )
    return rowcount(result) == 1


@cache
def _view() -> sa.Select[Any]:
    """Bookings with what their views show (immutable; callers add filters)."""
    b = beneficiary_t
    return (
        sa.select(
            booking_t,
            service_t.c.name.label("service_name"),
            service_t.c.supplier_id,
            service_t.c.facility_id,
            service_t.c.cancel_cutoff_minutes,
            facility_t.c.operator_id,
            slot_t.c.end_at,
            b.c.name.label("beneficiary_name"),
            b.c.relation,
        )
        .select_from(booking_t)
        .join(slot_t, slot_t.c.id == booking_t.c.slot_id)
        .join(service_t, service_t.c.id == booking_t.c.service_id)
        .join(facility_t, facility_t.c.id == service_t.c.facility_id)
        .join(b, b.c.id == booking_t.c.beneficiary_id)
    )


async def _views(
    session: AsyncSession, stmt: sa.Select[Any], params: dict[str, Any] | None = None
) -> list[BookingView]:
    return [BookingView.from_row(r) for r in (await session.execute(stmt, params)).all()]


async def get_view(
    session: AsyncSession, booking_id: uuid.UUID, *, for_update: bool = False
) -> BookingView | None:
    row = (await session.execute(_view_by_id(for_update), {"booking_id": booking_id})).one_or_none()
    return None if row is None else BookingView.from_row(row)


@cache
def _view_by_id(for_update: bool) -> sa.Select[Any]:
    """One booking's view, built once per lock mode (see `context_statement`)."""
    stmt = _view().where(booking_t.c.id == sa.bindparam("booking_id", type_=booking_t.c.id.type))
    return stmt.with_for_update(of=booking_t) if for_update else stmt


async def list_for_resident(
    session: AsyncSession,
    resident_id: uuid.UUID,
    status: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[BookingView]:
    """Newest first."""
    params = {"resident_id": resident_id, **keyset_params(after, limit)}
    if status is not None:
        params["status"] = status
    stmt = _resident_page(status is not None, after is not None)
    if is_postgresql(session):  # on the driver, as the booking write's reads (`backend.core.rawsql`)
        rows = await (await session_driver(session)).fetch(compiled(stmt), params)
        return [BookingView.from_row(r) for r in rows]
    return await _views(session, stmt, params)


@cache
def _resident_page(by_status: bool, past_cursor: bool) -> sa.Select[Any]:
    """`list_for_resident`'s statement, built once per shape with bind parameters (see `_view_by_id`): the
    resident's own list is the most read one."""
    stmt = _view().where(
        booking_t.c.resident_id == sa.bindparam("resident_id", type_=booking_t.c.resident_id.type)
    )
    if by_status:
        stmt = stmt.where(booking_t.c.status == sa.bindparam("status", type_=booking_t.c.status.type))
    return keyset_bound(
        stmt, booking_t.c.created_at, booking_t.c.id, past_cursor=past_cursor, newest_first=True
    )


async def list_for_staff(
    session: AsyncSession,
    *,
    scope: Scope,
    service_id: uuid.UUID | None,
    window: tuple[datetime, datetime] | None,
    status: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[BookingView]:
    """By slot start, of the services the caller's scope sees (`Scope.service_filter`)."""
    stmt = _view().where(scope.service_filter(service_t.c.facility_id, service_t.c.supplier_id))
    if service_id is not None:
        stmt = stmt.where(booking_t.c.service_id == service_id)
    if window is not None:
        stmt = stmt.where(booking_t.c.start_at >= window[0], booking_t.c.start_at < window[1])
    if status is not None:
        stmt = stmt.where(booking_t.c.status == status)
    return await _views(session, keyset(stmt, booking_t.c.start_at, booking_t.c.id, after, limit))


async def due_reminders(session: AsyncSession, start: datetime, end: datetime) -> list[BookingView]:
    """Confirmed bookings whose slot starts in (start, end]."""
    stmt = (
        _view()
        .where(
            booking_t.c.status == BookingStatus.confirmed.value,
            booking_t.c.start_at > start,
            booking_t.c.start_at <= end,
        )
        .order_by(booking_t.c.start_at)
    )
    return await _views(session, stmt)


async def active_from(
    session: AsyncSession, service_id: uuid.UUID | None, facility_id: uuid.UUID | None, start: datetime
) -> list[BookingView]:
    """Active bookings of a service (or of every service of a facility) starting at or after `start`."""
    stmt = _view().where(booking_t.c.status.in_(ACTIVE_STATUSES), booking_t.c.start_at >= start)
    if service_id is not None:
        stmt = stmt.where(booking_t.c.service_id == service_id)
    if facility_id is not None:
        stmt = stmt.where(service_t.c.facility_id == facility_id)
    return await _views(session, stmt.order_by(booking_t.c.start_at))


async def booking_with_service(session: AsyncSession, booking_id: uuid.UUID) -> sa.Row[Any] | None:
    """A booking with its service, facility and operator (for the domains above: `bookings.queries`)."""
    stmt = (
        sa.select(
            booking_t.c.id,
            booking_t.c.resident_id,
            booking_t.c.beneficiary_id,
            booking_t.c.status,
            booking_t.c.status_changed_at,
            booking_t.c.start_at,
            service_t.c.id.label("service_id"),
            service_t.c.name.label("service_name"),
            service_t.c.function,
            service_t.c.facility_id,
            service_t.c.supplier_id,
            facility_t.c.operator_id,
        )
        .join(service_t, service_t.c.id == booking_t.c.service_id)
        .join(facility_t, facility_t.c.id == service_t.c.facility_id)
        .where(booking_t.c.id == booking_id)
    )
    return (await session.execute(stmt)).one_or_none()
