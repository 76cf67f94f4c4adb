"""Slots: single slots, weekly schedules turned into slots ahead, capacity, closing, the public list."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings import cache, rules
from backend.bookings import repository as repo
from backend.bookings.errors import CapacityBelowBooked, InvalidRange, SlotExists, SlotNotFound
from backend.bookings.models import SlotStatus
from backend.bookings.schemas import (
    ScheduleCreate,
    SchedulePublic,
    SlotCreate,
    SlotList,
    SlotPublic,
    SlotUpdate,
)
from backend.bookings.service.common import slot_public
from backend.bookings.service.waitlist import promote
from backend.bookings.views import NewSlot
from backend.catalogue.errors import ServiceNotFound
from backend.catalogue.service import get_service_for_supplier
from backend.core.access import Principal
from backend.core.clock import SHANGHAI, utcnow
from backend.core.daterange import DateRange
from backend.core.i18n import Msg
from backend.core.settings import get_settings

MAX_LIST_DAYS = 31


def _slot_row(
    service_id: uuid.UUID, start_at: datetime, end_at: datetime, capacity: int, now: datetime, **extra: Any
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "service_id": service_id,
        "start_at": start_at,
        "end_at": end_at,
        "capacity": capacity,
        "booked": 0,
        "status": SlotStatus.open.value,
        "created_at": now,
        "updated_at": now,
        **extra,
    }


async def open_slot(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID, body: SlotCreate
) -> SlotPublic:
    service = await get_service_for_supplier(session, principal, service_id)
    now = utcnow()
    if body.start_at <= now:
        raise InvalidRange(Msg("时段必须在将来", "A slot must start in the future"))
    row = _slot_row(service.id, body.start_at, body.end_at, body.capacity, now, created_by=principal.id)
    if not await repo.insert_slots(session, [row]):
        raise SlotExists()
    cache.invalidate_after_commit(session, service.id)
    book_by = rules.order_cutoff(
        body.start_at, service.function, service.booking_mode, service.order_cutoff_minutes
    )
    return slot_public(NewSlot.from_row(row), now, book_by)


def schedule_occurrences(schedule: Any, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """The (start, end) instants in UTC of a weekly schedule's days from `first` to `last` inclusive."""
    weekdays = schedule.weekdays if isinstance(schedule.weekdays, list) else json.loads(schedule.weekdays)
    start_day = max(first, schedule.valid_from)
    end_day = last if schedule.valid_to is None else min(last, schedule.valid_to)
    out = []
    day = start_day
    while day <= end_day:
        if day.isoweekday() in weekdays:
            start = datetime.combine(day, schedule.start_time, tzinfo=SHANGHAI)
            end = datetime.combine(day, schedule.end_time, tzinfo=SHANGHAI)
            out.append((start, end))
        day += timedelta(days=1)
    return out


async def generate_schedule_slots(session: AsyncSession, schedule: Any, now: datetime) -> list[uuid.UUID]:
    """Open the schedule's future slots up to the horizon; idempotent (existing times are skipped)."""
    today = now.astimezone(SHANGHAI).date()
    last = today + timedelta(days=get_settings().slot_horizon_days)
    rows = [
        _slot_row(schedule.service_id, start, end, schedule.capacity, now, schedule_id=schedule.id)
        for start, end in schedule_occurrences(schedule, today, last)
        if start > now
    ]
    return await repo.insert_slots(session, rows)


async def create_schedule(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID, body: ScheduleCreate
) -> SchedulePublic:
    service = await get_service_for_supplier(session, principal, service_id)
    now = utcnow()
    values = {
        "id": uuid.uuid4(),
        "service_id": service.id,
        "weekdays": body.weekdays,
        "start_time": body.start_time,
        "end_time": body.end_time,
        "capacity": body.capacity,
        "valid_from": body.valid_from,
        "valid_to": body.valid_to,
        "status": "active",
        "created_by": principal.id,
        "created_at": now,
        "updated_at": now,
    }
    await repo.insert_schedule(session, values)
    schedule = _Schedule(**values)
    created = await generate_schedule_slots(session, schedule, now)
    if created:
        cache.invalidate_after_commit(session, service.id)
    return SchedulePublic(
        **{k: v for k, v in values.items() if k in SchedulePublic.model_fields}, slots_opened=len(created)
    )


class _Schedule:
    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


async def generate_all(session: AsyncSession, now: datetime) -> dict[str, int]:
    """The scheduled job: every active schedule opens its slots up to the horizon."""
    today = now.astimezone(SHANGHAI).date()
    opened: dict[uuid.UUID, int] = {}
    schedules = await repo.active_schedules(session, today)
    for schedule in schedules:
        created = await generate_schedule_slots(session, schedule, now)
        if created:
            opened[schedule.service_id] = opened.get(schedule.service_id, 0) + len(created)
    await cache.invalidate_in_job(session, *opened)
    return {"schedules": len(schedules), "slots_opened": sum(opened.values())}


async def update_slot(
    session: AsyncSession, principal: Principal, slot_id: uuid.UUID, body: SlotUpdate
) -> SlotPublic:
    """Raise or lower the capacity (never below what is booked), or close the slot."""
    slot = await repo.get_slot(session, slot_id)
    if slot is None:
        raise SlotNotFound()
    service = await get_service_for_supplier(session, principal, slot.service_id)
    now = utcnow()
    if body.capacity is not None and body.capacity != slot.capacity:
        if not await repo.set_capacity(session, slot_id, body.capacity, now):
            raise CapacityBelowBooked(extra={"booked": slot.booked})
        if body.capacity > slot.capacity:
            await promote(session, slot_id, now)
    if body.status == SlotStatus.closed:
        await repo.close_slot(session, slot_id, now)
    cache.invalidate_after_commit(session, slot.service_id)
    updated = await repo.get_slot(session, slot_id)
    assert updated is not None
    book_by = rules.order_cutoff(
        updated.start_at, service.function, service.booking_mode, service.order_cutoff_minutes
    )
    return slot_public(updated, now, book_by)


async def list_slots(session: AsyncSession, service_id: uuid.UUID, days: DateRange) -> SlotList:
    """The public slot list of the days in `days`: one query (the route caches it per service version)."""
    window = days.window()
    rows = await repo.list_slots(session, service_id, window[0], window[1])
    if rows is None:
        raise ServiceNotFound()
    now = utcnow()
    return SlotList(
        items=[
            slot_public(
                r, now, rules.order_cutoff(r.start_at, r.function, r.booking_mode, r.order_cutoff_minutes)
            )
            for r in rows
        ]
    )
