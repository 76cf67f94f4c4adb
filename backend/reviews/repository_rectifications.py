"""Queries of rectifications (整改): the workflow's conditional steps, the overdue condition, and the sums the
dashboards read (the only place that builds them; the grading's per-operator sums stay in `repository`)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.database import UTCDateTime
from backend.reviews.models import Rectification, RectificationStatus
from backend.reviews.repository import After, newest, rect_t, rowcount


async def insert_rectification(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(sa.insert(rect_t).values(**values))


async def get_rectification(session: AsyncSession, rect_id: uuid.UUID) -> Rectification | None:
    return await session.get(Rectification, rect_id, populate_existing=True)


async def rectifications_of(
    session: AsyncSession, review_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Rectification]:
    if not review_ids:
        return {}
    rows = (
        await session.execute(sa.select(Rectification).where(rect_t.c.review_id.in_(list(review_ids))))
    ).scalars()
    return {r.review_id: r for r in rows}


async def update_rectification(
    session: AsyncSession, rect_id: uuid.UUID, *conditions: ColumnElement[bool], **values: Any
) -> bool:
    stmt = sa.update(rect_t).where(rect_t.c.id == rect_id, *conditions).values(**values)
    return rowcount(await session.execute(stmt)) == 1


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    return sa.or_(
        sa.and_(
            rect_t.c.status == RectificationStatus.awaiting_call_back.value,
            rect_t.c.call_back_due_at < sa.literal(now, UTCDateTime()),
        ),
        sa.and_(
            rect_t.c.status == RectificationStatus.fixing.value,
            rect_t.c.fix_due_at < sa.literal(now, UTCDateTime()),
        ),
    )


async def list_rectifications(
    session: AsyncSession, conditions: Iterable[ColumnElement[bool]], after: After, limit: int
) -> Sequence[Rectification]:
    stmt = newest(sa.select(Rectification).where(*conditions), rect_t, after, limit)
    return list((await session.execute(stmt)).scalars().all())


async def newly_overdue(session: AsyncSession, now: datetime, limit: int = 500) -> Sequence[Rectification]:
    """Overdue steps not yet escalated to the street office."""
    stmt = (
        sa.select(Rectification)
        .where(
            overdue_condition(now),
            sa.or_(rect_t.c.escalated_to.is_(None), rect_t.c.escalated_to != "street"),
        )
        .order_by(rect_t.c.created_at)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars().all())


# ---------------------------------------------------------------- sums (dashboards)


async def operator_rectification_aggregate(
    session: AsyncSession, operator_id: uuid.UUID, since: datetime, until: datetime
) -> sa.Row[Any]:
    """One row of sums over the operator's rectifications opened in [since, until)."""
    return await rectification_aggregate(session, rect_t.c.operator_id == operator_id, since, until)


async def rectification_aggregate(
    session: AsyncSession, where: ColumnElement[bool], since: datetime, until: datetime
) -> sa.Row[Any]:
    """One row of sums over the rectifications matching `where`, opened in [since, until)."""
    r = rect_t.c

    def total(condition: ColumnElement[bool]) -> Any:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    stmt = sa.select(
        sa.func.count().label("opened"),
        total(r.status == RectificationStatus.closed.value).label("closed"),
        total(r.escalated_to == "operator").label("to_operator"),
        total(r.escalated_to == "street").label("to_street"),
        total(r.called_back_at.is_not(None) & (r.called_back_at <= r.call_back_due_at)).label(
            "call_back_on_time"
        ),
        total(r.fixed_at.is_not(None) & (r.fixed_at <= r.fix_due_at)).label("fix_on_time"),
        total(r.overdue_step.is_not(None)).label("overdue"),
        total(r.verdict == "satisfied").label("satisfied"),
        total(r.verdict == "basically_satisfied").label("basically_satisfied"),
        total(r.verdict == "unsatisfied").label("unsatisfied"),
    ).where(where, r.created_at >= since, r.created_at < until)
    return (await session.execute(stmt)).one()


def facility_condition(facility_ids: Collection[uuid.UUID]) -> ColumnElement[bool]:
    return rect_t.c.facility_id.in_(sorted(facility_ids)) if facility_ids else sa.false()
