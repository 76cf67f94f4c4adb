"""The demo city's grades: one published result per demo operator (graded by the city's ruleset from the demo
reviews, complaints, inspections and reports), so `make run` shows operators across the range — one capped at
2A by a failed fire inspection, one below the sample minimum (样本不足). Idempotent: operators that already
have a published result are left alone."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.demo_data import OPERATOR_IDS
from backend.grading import repository as repo
from backend.grading.models import RunKind
from backend.grading.service import grade_operators


async def seed(session: AsyncSession) -> None:
    published = await repo.latest_published_many(session, list(OPERATOR_IDS.values()))
    missing = sorted(op for op in OPERATOR_IDS.values() if op not in published)
    if missing:
        await grade_operators(session, kind=RunKind.on_demand, publish=True, operator_ids=missing)
