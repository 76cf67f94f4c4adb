"""The public review figures: `{count, good_rate, levels}` over the last 12 months, counted reviews only.

Offered to the catalogue's pages as a `FiguresSource` (see `backend.catalogue.figures`): GET /services/{id}
and GET /facilities/{id} show `review_summary`, GET /facilities and GET /suppliers/{id} `satisfaction`.
One indexed aggregate query per page (`ix_review_<owner>_created`), cached with the page; every change to a
review's level, exclusion or flag bumps `FIGURES_NAMESPACE`, so no page shows stale figures.

`good_rate` is the share of good reviews (levels 4-5: 满意, 非常满意) among the counted ones, rounded to
4 places; `satisfaction` is the same number (满意率), null without reviews.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.figures import FiguresSource
from backend.core.clock import utcnow
from backend.reviews import repository as repo
from backend.reviews.rules import DEFAULT_RULES
from backend.reviews.service.common import FIGURES_NAMESPACE


def window_start(now: datetime, months: int = DEFAULT_RULES.figures_window_months) -> datetime:
    """The same moment `months` months earlier (29 Feb falls back to 28 Feb)."""
    month_index = now.year * 12 + now.month - 1 - months
    year, month = divmod(month_index, 12)
    day = now.day
    while True:
        try:
            return now.replace(year=year, month=month + 1, day=day)
        except ValueError:
            day -= 1


def summary(levels: dict[int, int]) -> dict[str, Any]:
    count = sum(levels.values())
    good = levels.get(4, 0) + levels.get(5, 0)
    return {
        "count": count,
        "good_rate": round(good / count, 4) if count else None,
        "levels": {str(level): levels.get(level, 0) for level in range(1, 6)},
    }


async def _figures(
    session: AsyncSession, key: str, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    counts = await repo.level_counts(session, key, ids, window_start(utcnow()))
    out = {}
    for object_id in ids:
        s = summary(counts.get(object_id, {}))
        out[object_id] = {"review_summary": s, "satisfaction": s["good_rate"]}
    return out


async def for_services(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    return await _figures(session, "service_id", ids)


async def for_facilities(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    return await _figures(session, "facility_id", ids)


async def for_suppliers(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    return await _figures(session, "supplier_id", ids)


SOURCE = FiguresSource(
    name="reviews",
    namespaces=(FIGURES_NAMESPACE,),
    services=for_services,
    facilities=for_facilities,
    suppliers=for_suppliers,
)
