"""Scheduled grading: satisfaction recomputed nightly (not published), grades published monthly (on the 1st,
Shanghai time). Exactly one run per tick across processes (the job ledger)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import to_shanghai
from backend.core.jobs import Job
from backend.grading.models import RunKind
from backend.grading.service import grade_operators

DAY = 86_400


async def nightly(session: AsyncSession, tick: datetime) -> dict[str, Any]:
    run, results = await grade_operators(session, kind=RunKind.nightly, publish=False, at=tick)
    return {"run_id": str(run.id), "results": len(results)}


async def monthly(session: AsyncSession, tick: datetime) -> dict[str, Any] | None:
    """Daily tick; publishes on the first day of the month (Shanghai)."""
    if to_shanghai(tick).day != 1:
        return {"skipped": "not the first of the month"}
    run, results = await grade_operators(session, kind=RunKind.monthly, publish=True, at=tick)
    return {"run_id": str(run.id), "results": len(results), "published": True}


JOBS = [
    Job("grading.nightly", nightly, DAY),
    Job("grading.monthly_publish", monthly, DAY),
]
