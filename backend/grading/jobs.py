"""Scheduled grading: satisfaction recomputed nightly (not published), grades published monthly (on the 1st,
Shanghai time), and a veto taking effect at once (every minute: operators whose incidents changed after their
latest published result). Exactly one run per tick across processes (the job ledger)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import to_shanghai, utcnow
from backend.core.jobs import Job
from backend.grading.evaluations import reevaluate_all_due
from backend.grading.models import RunKind
from backend.grading.service import grade_operators, publish_veto_changes

DAY = 86_400
VETO_EVERY_SECONDS = 60
# Incident changes older than this were taken in by a monthly publication (with a margin for a missed one).
VETO_LOOKBACK = timedelta(days=40)


async def nightly(session: AsyncSession, tick: datetime) -> dict[str, Any]:
    run, results = await grade_operators(session, kind=RunKind.nightly, publish=False, at=tick)
    return {"run_id": str(run.id), "results": len(results)}


async def monthly(session: AsyncSession, tick: datetime) -> dict[str, Any] | None:
    """Daily tick; publishes on the first day of the month (Shanghai)."""
    if to_shanghai(tick).day != 1:
        return {"skipped": "not the first of the month"}
    run, results = await grade_operators(session, kind=RunKind.monthly, publish=True, at=tick)
    return {"run_id": str(run.id), "results": len(results), "published": True}


async def vetoes(session: AsyncSession, tick: datetime) -> dict[str, Any] | None:
    """一票否决 takes effect at once (RATING.md): publish a new result for operators whose vetoes changed,
    graded as of now (the tick only claims the run)."""
    results = await publish_veto_changes(session, utcnow(), VETO_LOOKBACK)
    return {"published": [str(r.operator_id) for r in results]}


async def rectifications(session: AsyncSession, tick: datetime) -> dict[str, Any] | None:
    """Yearly evaluations whose rectification period has ended are re-evaluated (Chongqing art. 15)."""
    done = await reevaluate_all_due(session, utcnow())
    return {"reevaluated": [str(i) for i in done]}


JOBS = [
    Job("grading.nightly", nightly, DAY),
    Job("grading.monthly_publish", monthly, DAY),
    Job("grading.vetoes", vetoes, VETO_EVERY_SECONDS),
    Job("grading.rectifications", rectifications, 3600),
]
