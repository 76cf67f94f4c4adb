"""Review aggregates for dashboards (the composing console layer reads them through `reviews.queries`)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.sqltime import shanghai_month
from backend.reviews.models import Rectification, Review
from backend.reviews.repository_rectifications import overdue_condition

review_t: sa.Table = Review.__table__  # type: ignore[attr-defined]
rect_t: sa.Table = Rectification.__table__  # type: ignore[attr-defined]


async def level_groups(
    session: AsyncSession, facility_ids: Collection[uuid.UUID], since: datetime, until: datetime
) -> Sequence[sa.Row[Any]]:
    """(facility, supplier, function, Shanghai month, level, count) of counted reviews in [since, until)."""
    if not facility_ids:
        return []
    v = review_t.c
    month = shanghai_month(v.created_at)
    keys = (v.facility_id, v.supplier_id, v.function, month, v.level)
    stmt = (
        sa.select(*keys, sa.func.count())
        .where(
            v.facility_id.in_(sorted(facility_ids)),
            v.counted.is_(True),
            v.created_at >= since,
            v.created_at < until,
        )
        .group_by(*keys)
        .order_by(*keys)
    )
    return (await session.execute(stmt)).all()


async def overdue_by_facility(
    session: AsyncSession, facility_ids: Collection[uuid.UUID], now: datetime
) -> Sequence[sa.Row[Any]]:
    """(facility, count) of rectifications whose pending step (call back, fix) is past its deadline now."""
    if not facility_ids:
        return []
    r = rect_t.c
    stmt = (
        sa.select(r.facility_id, sa.func.count())
        .where(r.facility_id.in_(sorted(facility_ids)), overdue_condition(now))
        .group_by(r.facility_id)
    )
    return (await session.execute(stmt)).all()
