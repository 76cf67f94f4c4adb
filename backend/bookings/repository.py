"""Queries of slots, schedules, waitlists and suspensions (bookings themselves: `repository_bookings`).

Hot statements use SQLAlchemy Core: the place is taken by one conditional UPDATE, never read-then-write.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.models import Slot, SlotSchedule, SlotStatus, Suspension, WaitlistEntry, WaitlistStatus
from backend.catalogue.queries import facilities_sql, services_sql
from backend.core.database import insert_for
from backend.core.pagination import keyset

slot_t: sa.Table = Slot.__table__  # type: ignore[attr-defined]
schedule_t: sa.Table = SlotSchedule.__table__  # type: ignore[attr-defined]
waitlist_t: sa.Table = WaitlistEntry.__table__  # type: ignore[attr-defined]
suspension_t: sa.Table = Suspension.__table__  # type: ignore[attr-defined]
# The catalogue's rows, joined through its public SQL reads (never its tables): see catalogue/queries.py.
service_t: sa.Subquery = services_sql()
facility_t: sa.Subquery = facilities_sql()


def rowcount(result: Any) -> int:
    return int(result.rowcount or 0)


# ---------------------------------------------------------------- services (the catalogue's rows, read here)


async def service_scope(session: AsyncSession, service_id: uuid.UUID) -> sa.Row[Any] | None:
    """The service with what scope checks and rules need: supplier, facility, operator, status."""
    stmt = (
        sa.select(
            service_t.c.id,
            service_t.c.name,
            service_t.c.supplier_id,
            service_t.c.facility_id,
            service_t.c.status,
            facility_t.c.operator_id,
        )
        .join(facility_t, facility_t.c.id == service_t.c.facility_id)
        .where(service_t.c.id == service_id)
    )
    return (await session.execute(stmt)).one_or_none()


async def facility_operator(session: AsyncSession, facility_id: uuid.UUID) -> uuid.UUID | None:
    return await session.scalar(sa.select(facility_t.c.operator_id).where(facility_t.c.id == facility_id))


# ---------------------------------------------------------------- slots


async def insert_slots(session: AsyncSession, rows: list[dict[str, Any]]) -> list[uuid.UUID]:
    """Insert slots, skipping any the service already has at the same times; returns the new ids."""
    created: list[uuid.UUID] = []
    for start in range(0, len(rows), 500):
        stmt = (
            insert_for(session)(slot_t)
            .values(rows[start : start + 500])
            .on_conflict_do_nothing(index_elements=["service_id", "start_at", "end_at"])
            .returning(slot_t.c.id)
        )
        created.extend((await session.execute(stmt)).scalars().all())
    return created


async def get_slot(session: AsyncSession, slot_id: uuid.UUID) -> sa.Row[Any] | None:
    stmt = sa.select(slot_t, service_t.c.supplier_id).join(service_t, service_t.c.id == slot_t.c.service_id)
    return (await session.execute(stmt.where(slot_t.c.id == slot_id))).one_or_none()


async def list_slots(
    session: AsyncSession, service_id: uuid.UUID, start: datetime, end: datetime
) -> Sequence[sa.Row[Any]] | None:
    """One query: the service (None when it does not exist) left-joined to its slots in [start, end)."""
    stmt = (
        sa.select(
            service_t.c.id.label("service_id"),
            service_t.c.function,
            service_t.c.booking_mode,
            service_t.c.order_cutoff_minutes,
            slot_t.c.id,
            slot_t.c.start_at,
            slot_t.c.end_at,
            slot_t.c.capacity,
            slot_t.c.booked,
            slot_t.c.status,
        )
        .select_from(service_t)
        .outerjoin(
            slot_t,
            sa.and_(
                slot_t.c.service_id == service_t.c.id, slot_t.c.start_at >= start, slot_t.c.start_at < end
            ),
        )
        .where(service_t.c.id == service_id)
        .order_by(slot_t.c.start_at, slot_t.c.id)
    )
    rows = (await session.execute(stmt)).all()
    if not rows:
        return None
    return [r for r in rows if r.id is not None]


async def take_place(session: AsyncSession, slot_id: uuid.UUID, now: datetime) -> bool:
    """Take one place if the slot is open, not started and not full: atomic, no read-then-write."""
    result = await session.execute(
        sa.update(slot_t)
        .where(
            slot_t.c.id == slot_id,
            slot_t.c.status == SlotStatus.open.value,
            slot_t.c.booked < slot_t.c.capacity,
            slot_t.c.start_at > now,
        )
        .values(booked=slot_t.c.booked + 1, updated_at=now)
    )
    return rowcount(result) == 1


async def free_place(session: AsyncSession, slot_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        sa.update(slot_t)
        .where(slot_t.c.id == slot_id, slot_t.c.booked > 0)
        .values(booked=slot_t.c.booked - 1, updated_at=now)
    )


async def set_capacity(session: AsyncSession, slot_id: uuid.UUID, capacity: int, now: datetime) -> bool:
    """Change the capacity unless it would fall below what is booked (checked in the same statement)."""
    result = await session.execute(
        sa.update(slot_t)
        .where(slot_t.c.id == slot_id, slot_t.c.booked <= capacity)
        .values(capacity=capacity, updated_at=now)
    )
    return rowcount(result) == 1


async def close_slot(session: AsyncSession, slot_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        sa.update(slot_t)
        .where(slot_t.c.id == slot_id, slot_t.c.status == SlotStatus.open.value)
        .values(status=SlotStatus.closed.value, closed_at=now, updated_at=now)
    )


# ---------------------------------------------------------------- schedules


async def insert_schedule(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(sa.insert(schedule_t).values(**values))


async def active_schedules(session: AsyncSession, today: date) -> Sequence[sa.Row[Any]]:
    stmt = (
        sa.select(schedule_t)
        .join(service_t, service_t.c.id == schedule_t.c.service_id)
        .where(
            schedule_t.c.status == "active",
            service_t.c.status == "active",
            sa.or_(schedule_t.c.valid_to.is_(None), schedule_t.c.valid_to >= today),
        )
        .order_by(schedule_t.c.id)
    )
    return (await session.execute(stmt)).all()


# ---------------------------------------------------------------- waitlist


async def insert_waitlist_entry(session: AsyncSession, values: dict[str, Any]) -> bool:
    stmt = (
        insert_for(session)(waitlist_t)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=["slot_id", "beneficiary_id"], index_where=sa.text("status = 'waiting'")
        )
        .returning(waitlist_t.c.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def get_waitlist_entry(session: AsyncSession, entry_id: uuid.UUID) -> sa.Row[Any] | None:
    return (await session.execute(sa.select(waitlist_t).where(waitlist_t.c.id == entry_id))).one_or_none()


async def waitlist_position(
    session: AsyncSession, slot_id: uuid.UUID, created_at: datetime, entry_id: uuid.UUID
) -> int:
    """1 + the number of people waiting for the slot ahead of this entry, in the order `first_waiting`
    serves them: (created_at, id), so two entries made at the same instant never share a position."""
    ahead = await session.scalar(
        sa.select(sa.func.count())
        .select_from(waitlist_t)
        .where(
            waitlist_t.c.slot_id == slot_id,
            waitlist_t.c.status == WaitlistStatus.waiting.value,
            sa.or_(
                waitlist_t.c.created_at < created_at,
                sa.and_(waitlist_t.c.created_at == created_at, waitlist_t.c.id < entry_id),
            ),
        )
    )
    return int(ahead or 0) + 1


async def first_waiting(session: AsyncSession, slot_id: uuid.UUID) -> sa.Row[Any] | None:
    stmt = (
        sa.select(waitlist_t)
        .where(waitlist_t.c.slot_id == slot_id, waitlist_t.c.status == WaitlistStatus.waiting.value)
        .order_by(waitlist_t.c.created_at, waitlist_t.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).one_or_none()


async def leave_waitlist(
    session: AsyncSession, entry_id: uuid.UUID, status: WaitlistStatus, now: datetime, booking_id: Any = None
) -> bool:
    """Move a waiting entry on (promoted, lapsed, withdrawn); False if it was no longer waiting."""
    result = await session.execute(
        sa.update(waitlist_t)
        .where(waitlist_t.c.id == entry_id, waitlist_t.c.status == WaitlistStatus.waiting.value)
        .values(status=status.value, booking_id=booking_id, status_changed_at=now, updated_at=now)
    )
    return rowcount(result) == 1


async def lapse_started(session: AsyncSession, now: datetime) -> int:
    """Every waiting entry whose slot has started lapses."""
    started = sa.select(slot_t.c.id).where(slot_t.c.start_at <= now)
    result = await session.execute(
        sa.update(waitlist_t)
        .where(waitlist_t.c.status == WaitlistStatus.waiting.value, waitlist_t.c.slot_id.in_(started))
        .values(status=WaitlistStatus.lapsed.value, status_changed_at=now, updated_at=now)
    )
    return rowcount(result)


# ---------------------------------------------------------------- suspensions


async def insert_suspension(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(sa.insert(suspension_t).values(**values))


async def set_notified(session: AsyncSession, suspension_id: uuid.UUID, count: int) -> None:
    await session.execute(
        sa.update(suspension_t).where(suspension_t.c.id == suspension_id).values(notified_count=count)
    )


async def get_suspension(session: AsyncSession, suspension_id: uuid.UUID) -> sa.Row[Any] | None:
    stmt = sa.select(suspension_t).where(suspension_t.c.id == suspension_id)
    return (await session.execute(stmt)).one_or_none()


def earliest_suspension(service_id: Any, facility_id: Any) -> sa.ScalarSelect[Any]:
    """A scalar subquery: the first day this service (or its facility) is announced to stop, counting only
    notices in force (a subsidised service's needs the street office's consent, Wuhan art. 14)."""
    return (
        sa.select(sa.func.min(suspension_t.c.starts_on))
        .where(
            sa.or_(suspension_t.c.service_id == service_id, suspension_t.c.facility_id == facility_id),
            # Two equalities, not IN: an IN list is an "expanding" parameter, re-rendered on every execution
            # of the booking-context statement that embeds this subquery.
            sa.or_(
                suspension_t.c.consent_status == "not_required", suspension_t.c.consent_status == "granted"
            ),
        )
        .scalar_subquery()
    )


async def list_waitlist_for_resident(
    session: AsyncSession, resident_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> Sequence[sa.Row[Any]]:
    """The resident's entries, newest first, each with its position (null unless waiting), in one query."""
    ahead = waitlist_t.alias("ahead")
    position = (
        sa.select(sa.func.count() + 1)
        .where(
            ahead.c.slot_id == waitlist_t.c.slot_id,
            ahead.c.status == WaitlistStatus.waiting.value,
            sa.tuple_(ahead.c.created_at, ahead.c.id) < sa.tuple_(waitlist_t.c.created_at, waitlist_t.c.id),
        )
        .scalar_subquery()
    )
    stmt = sa.select(
        waitlist_t,
        sa.case((waitlist_t.c.status == WaitlistStatus.waiting.value, position), else_=None).label(
            "position"
        ),
    ).where(waitlist_t.c.resident_id == resident_id)
    stmt = keyset(stmt, waitlist_t.c.created_at, waitlist_t.c.id, after, limit, newest_first=True)
    return (await session.execute(stmt)).all()
