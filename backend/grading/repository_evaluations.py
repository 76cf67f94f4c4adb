"""The only place that queries the yearly evaluation tables (and the year's published results they start
from)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.pagination import keyset
from backend.grading.models import Evaluation, EvaluationEvent, EvaluationStatus, RatingResult


async def get(session: AsyncSession, evaluation_id: uuid.UUID, *, lock: bool = False) -> Evaluation | None:
    stmt = select(Evaluation).where(Evaluation.id == evaluation_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt.execution_options(populate_existing=True))).first()


async def find(session: AsyncSession, operator_id: uuid.UUID, year: int) -> Evaluation | None:
    stmt = select(Evaluation).where(Evaluation.operator_id == operator_id, Evaluation.year == year)
    return (await session.exec(stmt)).first()


async def published_between(
    session: AsyncSession, operator_id: uuid.UUID, start: datetime, end: datetime
) -> Sequence[RatingResult]:
    """The operator's results published in [start, end), oldest first."""
    stmt = (
        select(RatingResult)
        .where(
            RatingResult.operator_id == operator_id,
            col(RatingResult.published_at) >= start,
            col(RatingResult.published_at) < end,
        )
        .order_by(col(RatingResult.published_at), col(RatingResult.id))
    )
    return (await session.exec(stmt)).all()


async def events(session: AsyncSession, evaluation_id: uuid.UUID) -> Sequence[EvaluationEvent]:
    stmt = (
        select(EvaluationEvent)
        .where(EvaluationEvent.evaluation_id == evaluation_id)
        .order_by(col(EvaluationEvent.at), col(EvaluationEvent.id))
    )
    return (await session.exec(stmt)).all()


async def listed(
    session: AsyncSession,
    in_scope: Any,
    year: int | None,
    status: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Evaluation]:
    stmt = select(Evaluation).where(in_scope)
    if year is not None:
        stmt = stmt.where(Evaluation.year == year)
    if status is not None:
        stmt = stmt.where(Evaluation.status == status)
    stmt = keyset(stmt, col(Evaluation.created_at), col(Evaluation.id), after, limit, newest_first=True)
    return (await session.exec(stmt)).all()


async def rectifications_due(session: AsyncSession, today: date) -> Sequence[Evaluation]:
    stmt = (
        select(Evaluation)
        .where(
            Evaluation.status == EvaluationStatus.rectifying.value,
            col(Evaluation.rectification_due) <= today,
        )
        .order_by(col(Evaluation.rectification_due), col(Evaluation.id))
        .with_for_update(skip_locked=True)
    )
    return (await session.exec(stmt)).all()


async def removed_from_list(session: AsyncSession, operator_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Operators whose latest evaluation removed them from the list (Baotou art. 44)."""
    if not operator_ids:
        return set()
    stmt = select(Evaluation.operator_id, Evaluation.year, Evaluation.status).where(
        col(Evaluation.operator_id).in_(sorted(operator_ids))
    )
    latest: dict[uuid.UUID, tuple[int, str]] = {}
    for op, year, status in (await session.exec(stmt)).all():
        if op not in latest or year > latest[op][0]:
            latest[op] = (year, status)
    return {op for op, (_, status) in latest.items() if status == EvaluationStatus.remove_from_list.value}
