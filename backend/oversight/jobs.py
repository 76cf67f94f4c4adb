"""Scheduled work of the oversight domain: hazard reports past their deadline go to the street office."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.jobs import Job
from backend.oversight.hazards import escalate_overdue

EVERY_SECONDS = 300


async def escalate_hazards(session: AsyncSession, tick: datetime) -> dict[str, Any]:
    return {"escalated": await escalate_overdue(session, tick)}


ESCALATE_HAZARDS = Job("oversight.escalate_hazards", escalate_hazards, EVERY_SECONDS)

JOBS: list[Job] = [ESCALATE_HAZARDS]
