"""Scheduled work of the notifications domain: outbox delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.jobs import Job
from backend.notifications.service import deliver_due


async def deliver_outbox(session: AsyncSession, tick: datetime) -> dict[str, Any]:
    """Send the messages that are due (`next_attempt_at <= tick`)."""
    return await deliver_due(session, tick)


DELIVER_OUTBOX = Job("notifications.deliver_outbox", deliver_outbox, every_seconds=15)

JOBS: list[Job] = [DELIVER_OUTBOX]
