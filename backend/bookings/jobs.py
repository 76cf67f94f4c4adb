"""Scheduled work of the bookings domain; each tick runs exactly once across processes (core.jobs)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings import repository_bookings as brepo
from backend.bookings.service import slots, suspensions, waitlist
from backend.core.idempotency_records import purge_expired
from backend.core.jobs import Job
from backend.core.settings import get_settings
from backend.notifications import messages
from backend.notifications.service import MessageKind, enqueue_many, message


async def generate_slots(session: AsyncSession, tick: datetime) -> dict[str, Any]:
    """Weekly schedules -> slots up to `slot_horizon_days` ahead (existing times are skipped)."""
    return await slots.generate_all(session, tick)


async def lapse_waitlist(session: AsyncSession, tick: datetime) -> dict[str, Any]:
    return await waitlist.lapse(session, tick)


async def send_reminders(session: AsyncSession, tick: datetime) -> dict[str, Any]:
    """Queue one reminder per confirmed booking starting within `booking_reminder_minutes`."""
    lead = timedelta(minutes=get_settings().booking_reminder_minutes)
    due = await brepo.due_reminders(session, tick, tick + lead)
    rows = [
        message(
            b.resident_id,
            MessageKind.booking_reminder,
            messages.booking_data(b.service_name, b.start_at, b.beneficiary_name),
            page=messages.booking_page(b.id),
            dedupe_key=f"reminder:{b.id}",
            now=tick,
        )
        for b in due
    ]
    return {"due": len(due), "queued": await enqueue_many(session, rows)}


async def purge_idempotency_keys(session: AsyncSession, tick: datetime) -> dict[str, Any]:
    return {"purged": await purge_expired(session, tick)}


async def flag_overdue_consents(session: AsyncSession, tick: datetime) -> dict[str, Any]:
    """Subsidised services' suspensions the street office left unanswered past the due day (Wuhan art. 14)."""
    return {"flagged": await suspensions.flag_overdue_consents(session, tick)}


GENERATE_SLOTS = Job("bookings.generate_slots", generate_slots, every_seconds=3600)
LAPSE_WAITLIST = Job("bookings.lapse_waitlist", lapse_waitlist, every_seconds=60)
SEND_REMINDERS = Job("bookings.send_reminders", send_reminders, every_seconds=300)
PURGE_IDEMPOTENCY = Job("bookings.purge_idempotency_keys", purge_idempotency_keys, every_seconds=3600)
FLAG_OVERDUE_CONSENTS = Job("bookings.flag_overdue_consents", flag_overdue_consents, every_seconds=3600)

JOBS: list[Job] = [GENERATE_SLOTS, LAPSE_WAITLIST, SEND_REMINDERS, PURGE_IDEMPOTENCY, FLAG_OVERDUE_CONSENTS]
