"""The only place that queries the grading tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import utcnow
from backend.core.pagination import keyset
from backend.grading.models import RatingResult


async def insert_results(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """A run's results in one INSERT (executemany with insertmanyvalues)."""
    if rows:
        await session.execute(sa.insert(RatingResult.__table__), rows)  # type: ignore[attr-defined]


async def mark_published(session: AsyncSession, ids: list[uuid.UUID], at: datetime) -> None:
    if ids:
        table = RatingResult.__table__  # type: ignore[attr-defined]
        await session.execute(
            sa.update(table).where(table.c.id.in_(ids)).values(published_at=at, updated_at=utcnow())
        )


async def latest_published(session: AsyncSession, operator_id: uuid.UUID) -> RatingResult | None:
    stmt = (
        select(RatingResult)
        .where(RatingResult.operator_id == operator_id, col(RatingResult.published_at).is_not(None))
        .order_by(col(RatingResult.published_at).desc(), col(RatingResult.id).desc())
        .limit(1)
    )
    return (await session.exec(stmt)).first()


def _latest_per_operator(*where: Any) -> sa.Subquery:
    """The ids of each operator's results matching `where`, ranked newest published first (rn = 1: latest)."""
    return (
        sa.select(
            col(RatingResult.id),
            sa.func.row_number()
            .over(
                partition_by=col(RatingResult.operator_id),
                order_by=(col(RatingResult.published_at).desc(), col(RatingResult.id).desc()),
            )
            .label("rn"),
        )
        .where(col(RatingResult.published_at).is_not(None), *where)
        .subquery()
    )


async def latest_published_many(
    session: AsyncSession, operator_ids: list[uuid.UUID]
) -> dict[uuid.UUID, RatingResult]:
    """Each operator's latest published result (operators never published are absent)."""
    if not operator_ids:
        return {}
    ranked = _latest_per_operator(col(RatingResult.operator_id).in_(sorted(operator_ids)))
    stmt = select(RatingResult).join(ranked, ranked.c.id == RatingResult.id).where(ranked.c.rn == 1)
    return {r.operator_id: r for r in (await session.exec(stmt)).all()}


async def latest_grade_rows(session: AsyncSession, operator_ids: list[uuid.UUID]) -> list[sa.Row[Any]]:
    """The grade columns of each operator's latest published result (no parts, inputs or exclusions)."""
    if not operator_ids:
        return []
    ranked = _latest_per_operator(col(RatingResult.operator_id).in_(sorted(operator_ids)))
    r = RatingResult.__table__.c  # type: ignore[attr-defined]
    stmt = (
        sa.select(r.operator_id, r.id, r.grade, r.level, r.status, r.total, r.qualified, r.published_at)
        .join(ranked, ranked.c.id == r.id)
        .where(ranked.c.rn == 1)
    )
    return list((await session.execute(stmt)).all())


async def published_history(
    session: AsyncSession, operator_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[RatingResult]:
    """Published results, newest first, one keyset page (`limit + 1` rows: see `keyset_page`)."""
    stmt = select(RatingResult).where(
        RatingResult.operator_id == operator_id, col(RatingResult.published_at).is_not(None)
    )
    page = keyset(stmt, col(RatingResult.published_at), col(RatingResult.id), after, limit, newest_first=True)
    return list((await session.exec(page)).all())


async def latest_published_in_city(session: AsyncSession, city_id: uuid.UUID) -> list[RatingResult]:
    """Each operator's latest published result in a city (ordered by grade level, then total)."""
    ranked = _latest_per_operator(col(RatingResult.city_id) == city_id)
    stmt = (
        select(RatingResult)
        .join(ranked, ranked.c.id == RatingResult.id)
        .where(ranked.c.rn == 1)
        .order_by(col(RatingResult.total).desc(), col(RatingResult.operator_id))
    )
    return list((await session.exec(stmt)).all())
