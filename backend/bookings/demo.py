"""Demo slots: one weekly schedule per demo service (by its booking mode), opened up to the horizon.

Idempotent: schedules have deterministic ids and slot generation skips times that exist.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings import repository as repo
from backend.bookings.models import Booking, BookingStatus, Slot, SlotSchedule
from backend.bookings.service.slots import generate_schedule_slots
from backend.catalogue.queries import ServiceStatus, services_sql
from backend.core.clock import SHANGHAI, utcnow
from backend.core.demo_ids import demo_id

WEEKDAYS = [1, 2, 3, 4, 5]
EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]

# booking mode -> (weekdays, start, end, capacity)
PLANS: dict[str, tuple[list[int], time, time, int]] = {
    "full_day": (WEEKDAYS, time(8, 30), time(17, 0), 20),
    "half_day": (WEEKDAYS, time(8, 30), time(12, 0), 10),
    "hourly": ([1, 2, 3, 4, 5, 6], time(15, 0), time(17, 0), 8),
    "temporary": ([1, 2, 3, 4, 5, 6], time(9, 0), time(11, 0), 5),
    "per_meal": (EVERY_DAY, time(11, 30), time(12, 30), 50),
    "home_visit": ([1, 2, 3, 4, 5, 6], time(9, 0), time(11, 0), 3),
    "session": ([2, 4, 6], time(14, 0), time(15, 30), 12),
}


async def seed(session: AsyncSession) -> None:
    now = utcnow()
    today = now.astimezone(SHANGHAI).date()
    service_sql = services_sql()
    services = (
        await session.execute(
            sa.select(service_sql.c.id, service_sql.c.booking_mode, service_sql.c.supplier_id)
            .where(service_sql.c.status == ServiceStatus.active)
            .order_by(service_sql.c.id)
        )
    ).all()
    for service in services:
        weekdays, start, end, capacity = PLANS.get(service.booking_mode, PLANS["session"])
        schedule_id = demo_id("schedule", f"{service.id}/{service.booking_mode}")
        schedule = await session.get(SlotSchedule, schedule_id)
        if schedule is None:
            values = {
                "id": schedule_id,
                "service_id": service.id,
                "weekdays": weekdays,
                "start_time": start,
                "end_time": end,
                "capacity": capacity,
                "valid_from": today - timedelta(days=7),
                "valid_to": None,
                "status": "active",
                "created_by": service.supplier_id,
                "created_at": now,
                "updated_at": now,
            }
            await repo.insert_schedule(session, values)
            schedule = await session.get(SlotSchedule, schedule_id)
        assert schedule is not None
        await generate_schedule_slots(session, schedule, now)


async def past_completed_bookings(session: AsyncSession, count: int) -> list[uuid.UUID]:
    """`count` bookings of the demo resident's parent, completed on the past days (one a day, newest first),
    over the active services in turn: for the reviews demo. Idempotent (deterministic ids)."""
    service_sql = services_sql()
    services = (
        (
            await session.execute(
                sa.select(service_sql.c.id)
                .where(service_sql.c.status == ServiceStatus.active)
                .order_by(service_sql.c.id)
            )
        )
        .scalars()
        .all()
    )
    return await completed_bookings(session, "past", list(services), count)


async def completed_bookings(
    session: AsyncSession, key: str, services: list[uuid.UUID], count: int, *, hour: int = 9
) -> list[uuid.UUID]:
    """`count` bookings of the demo resident's parent over `services` in turn, from `hour` for two hours one
    a day going back from yesterday (newest first); ids derive from `key`. Idempotent."""
    from backend.accounts.demo import DEMO_PARENT_ID, DEMO_RESIDENT_ID

    if not services:
        return []
    today = utcnow().astimezone(SHANGHAI).date()
    ids, slots, bookings = [], [], []
    for i in range(count):
        service_id = services[i % len(services)]
        booking_id = demo_id("booking", f"{key}/{i}")
        ids.append(booking_id)
        if await session.get(Booking, booking_id) is not None:
            continue
        day = today - timedelta(days=i + 1)
        start = datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)
        end = start + timedelta(hours=2)
        slot_id = demo_id("slot", f"{key}/{i}")
        slots.append(
            Slot(id=slot_id, service_id=service_id, start_at=start, end_at=end, capacity=5, booked=1,
                 status="closed", closed_at=end)
        )  # fmt: skip
        bookings.append(
            Booking(id=booking_id, slot_id=slot_id, service_id=service_id, resident_id=DEMO_RESIDENT_ID,
                    beneficiary_id=DEMO_PARENT_ID, start_at=start, status=BookingStatus.completed.value,
                    total_fen=1200, subsidy_fen=0, discount_fen=0, community_fen=0, payable_fen=1200,
                    status_changed_at=end)
        )  # fmt: skip
    session.add_all(slots)
    await session.flush()
    session.add_all(bookings)
    await session.flush()
    return ids
