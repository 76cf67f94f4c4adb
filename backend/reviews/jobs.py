"""Scheduled work of the reviews domain: escalate overdue rectification steps; re-check held texts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.jobs import Job
from backend.reviews.service import moderation_jobs, rectifications


async def escalate_overdue(session: AsyncSession, tick: datetime) -> dict[str, Any]:
    return await rectifications.escalate_overdue(session, tick)


async def recheck_texts(session: AsyncSession, tick: datetime) -> dict[str, Any]:
    return await moderation_jobs.recheck_texts(session, tick)


ESCALATE_OVERDUE = Job("reviews.escalate_overdue", escalate_overdue, every_seconds=300)
RECHECK_TEXTS = Job("reviews.recheck_texts", recheck_texts, every_seconds=600)

JOBS: list[Job] = [ESCALATE_OVERDUE, RECHECK_TEXTS]
