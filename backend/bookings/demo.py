"""Demo slots: one weekly schedule per demo service (by its booking mode), opened up to the horizon.

Idempotent: schedules have deterministic ids and slot generation skips times that exist.
"""

from __future__ import annotations

from datetime import time, timedelta

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings import repository as repo
from backend.bookings.models import SlotSchedule
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
