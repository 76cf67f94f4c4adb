"""Queries of the reviews domain (the only place that builds them), split by concern: reviews, their texts
and flags, and the review aggregates (public figures, grading) here; appeals in `repository_appeals`,
rectifications in `repository_rectifications`, dashboard groups in `repository_dashboard`. Steps that may
happen once are conditional UPDATEs (`... WHERE reply_text IS NULL`), so a race answers "already" instead of
writing twice."""

from __future__ import annotations

import math
import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.database import UTCDateTime, insert_for
from backend.core.pagination import keyset
from backend.reviews.models import (
    Appeal,
    AppealStatus,
    FlagStatus,
    Rectification,
    Review,
    TextCheckState,
    TextStatus,
)

review_t: sa.Table = Review.__table__  # type: ignore[attr-defined]
appeal_t: sa.Table = Appeal.__table__  # type: ignore[attr-defined]
rect_t: sa.Table = Rectification.__table__  # type: ignore[attr-defined]

After = tuple[datetime, uuid.UUID] | None


def rowcount(result: Any) -> int:
    return int(result.rowcount or 0)


def newest(stmt: Any, table: sa.Table, after: After, limit: int) -> Any:
    return keyset(stmt, table.c.created_at, table.c.id, after, limit, newest_first=True)


# ---------------------------------------------------------------- reviews


async def insert_review(session: AsyncSession, values: dict[str, Any]) -> bool:
    """False when the booking already has a review (the unique constraint decides, even under a race)."""
    insert = insert_for(session)
    stmt = insert(review_t).values(**values).on_conflict_do_nothing(index_elements=["booking_id"])
    return rowcount(await session.execute(stmt)) == 1


async def get_review(session: AsyncSession, review_id: uuid.UUID) -> Review | None:
    return await session.get(Review, review_id, populate_existing=True)


async def update_review(
    session: AsyncSession, review_id: uuid.UUID, *conditions: ColumnElement[bool], **values: Any
) -> bool:
    stmt = sa.update(review_t).where(review_t.c.id == review_id, *conditions).values(**values)
    return rowcount(await session.execute(stmt)) == 1


def published_on_service(service_id: uuid.UUID, level: int | None) -> list[ColumnElement[bool]]:
    conditions = [review_t.c.service_id == service_id]
    if level is not None:
        conditions.append(review_t.c.level == level)
    return conditions


async def list_reviews(
    session: AsyncSession, conditions: Iterable[ColumnElement[bool]], after: After, limit: int
) -> Sequence[Review]:
    stmt = newest(sa.select(Review).where(*conditions), review_t, after, limit)
    return list((await session.execute(stmt)).scalars().all())


def awaiting_moderation() -> ColumnElement[bool]:
    pending = TextStatus.pending_moderation.value
    return sa.or_(
        review_t.c.status == pending,
        review_t.c.reply_status == pending,
        review_t.c.follow_up_status == pending,
    )


def flagged_pending() -> ColumnElement[bool]:
    return review_t.c.flag_status == FlagStatus.pending.value


async def texts_to_recheck(session: AsyncSession, limit: int) -> Sequence[Review]:
    """Reviews with a text held because WeChat gave no verdict (error, timeout)."""
    error = TextCheckState.error.value
    stmt = (
        sa.select(Review)
        .where(
            sa.or_(
                sa.and_(
                    review_t.c.status == TextStatus.pending_moderation.value, review_t.c.text_check == error
                ),
                sa.and_(
                    review_t.c.reply_status == TextStatus.pending_moderation.value,
                    review_t.c.reply_check == error,
                ),
                sa.and_(
                    review_t.c.follow_up_status == TextStatus.pending_moderation.value,
                    review_t.c.follow_up_check == error,
                ),
            )
        )
        .order_by(review_t.c.created_at)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars().all())


async def count_recent(session: AsyncSession, column: str, value: Any, since: datetime) -> int:
    """Reviews by one resident (`resident_id`) or one device (`device_id`) since `since`."""
    stmt = sa.select(sa.func.count()).where(review_t.c[column] == value, review_t.c.created_at >= since)
    return int(await session.scalar(stmt) or 0)


async def flag_recent(
    session: AsyncSession, column: str, value: Any, since: datetime, flag: str, reason: str
) -> list[uuid.UUID]:
    """Flag every still-unflagged review of the burst; returns the ids flagged."""
    ids = list(
        (
            await session.execute(
                sa.select(review_t.c.id).where(
                    review_t.c[column] == value,
                    review_t.c.created_at >= since,
                    review_t.c.flag_status == FlagStatus.none.value,
                )
            )
        ).scalars()
    )
    if ids:
        await session.execute(
            sa.update(review_t)
            .where(review_t.c.id.in_(ids))
            .values(flag=flag, flag_status=FlagStatus.pending.value, counted=False, excluded_reason=reason)
        )
    return ids


# ---------------------------------------------------------------- aggregates (public figures, grading)


async def level_counts(
    session: AsyncSession, key: str, ids: Sequence[uuid.UUID], since: datetime
) -> dict[uuid.UUID, dict[int, int]]:
    """`{id: {level: count}}` of counted reviews since `since`, grouped by `key` (service_id, facility_id,
    supplier_id or operator_id): one indexed aggregate query."""
    if not ids:
        return {}
    column = review_t.c[key]
    stmt = (
        sa.select(column, review_t.c.level, sa.func.count())
        .where(column.in_(list(ids)), review_t.c.counted.is_(True), review_t.c.created_at >= since)
        .group_by(column, review_t.c.level)
    )
    out: dict[uuid.UUID, dict[int, int]] = {}
    for owner, level, count in (await session.execute(stmt)).all():
        out.setdefault(owner, {})[int(level)] = int(count)
    return out


async def operator_reviews(
    session: AsyncSession, operator_id: uuid.UUID, since: datetime, until: datetime
) -> Sequence[sa.Row[Any]]:
    stmt = (
        sa.select(
            review_t.c.id,
            review_t.c.level,
            review_t.c.created_at,
            review_t.c.counted,
            review_t.c.excluded_reason,
            review_t.c.facility_id,
            review_t.c.supplier_id,
            review_t.c.function,
        )
        .where(
            review_t.c.operator_id == operator_id,
            review_t.c.created_at >= since,
            review_t.c.created_at < until,
        )
        .order_by(review_t.c.created_at, review_t.c.id)
    )
    return (await session.execute(stmt)).all()


async def operator_level_totals(
    session: AsyncSession, operator_id: uuid.UUID, since: datetime, until: datetime
) -> Sequence[sa.Row[Any]]:
    """(counted, level, count) for the operator's reviews in [since, until)."""
    stmt = (
        sa.select(review_t.c.counted, review_t.c.level, sa.func.count())
        .where(
            review_t.c.operator_id == operator_id,
            review_t.c.created_at >= since,
            review_t.c.created_at < until,
        )
        .group_by(review_t.c.counted, review_t.c.level)
    )
    return (await session.execute(stmt)).all()


# ---------------------------------------------------------------- for the grading (time-decayed aggregates)


def _age_days(session: AsyncSession, at: datetime, column: Any) -> Any:
    """Days from `column` to `at`, as a float, on PostgreSQL and SQLite."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return sa.extract("epoch", sa.literal(at, UTCDateTime) - column) / 86400.0
    naive = at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return sa.func.julianday(sa.literal(naive)) - sa.func.julianday(column)


async def decayed_level_totals(
    session: AsyncSession,
    since: datetime,
    until: datetime,
    half_life_days: float,
    operator_ids: Collection[uuid.UUID] | None,
) -> Sequence[sa.Row[Any]]:
    """(operator_id, level, counted, Σ 0.5^(age/half-life) of the counted, how many left out) of the reviews
    in [since, until), age at `until`: one parallel scan for both the scores and the exclusions' count."""
    r = review_t.c
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # 0.5^(age/h) = exp(−ln 2 · age/h), in double precision: date_part('epoch') is a float where
        # EXTRACT(epoch FROM interval) is a numeric (several times slower per row over a million reviews).
        # 'epoch' as a literal: a bound field name would be parsed again for every row under a generic plan.
        seconds = sa.func.date_part(sa.literal_column("'epoch'"), r.created_at) - until.timestamp()
        weight = sa.func.exp(seconds * (math.log(2) / (half_life_days * 86400.0)))
    else:
        weight = sa.func.power(0.5, _age_days(session, until, r.created_at) / half_life_days)
    counted = r.counted.is_(True)
    stmt = (
        sa.select(
            r.operator_id,
            r.level,
            sa.func.count().filter(counted),
            sa.func.sum(weight).filter(counted),
            sa.func.count().filter(r.counted.is_(False)),
        )
        .where(r.created_at >= since, r.created_at < until)
        .group_by(r.operator_id, r.level)
    )
    if operator_ids is not None:
        stmt = stmt.where(r.operator_id.in_(sorted(operator_ids)))
    return (await session.execute(stmt)).all()


def _excluded(since: datetime, until: datetime, operator_ids: Collection[uuid.UUID] | None) -> sa.Select[Any]:
    r = review_t.c
    stmt = sa.select(r.operator_id, r.id, r.excluded_reason).where(
        r.counted.is_(False), r.created_at >= since, r.created_at < until
    )
    if operator_ids is not None:
        stmt = stmt.where(r.operator_id.in_(sorted(operator_ids)))
    return stmt


async def excluded_in_window(
    session: AsyncSession, since: datetime, until: datetime, operator_ids: Collection[uuid.UUID] | None
) -> Sequence[sa.Row[Any]]:
    """(operator_id, review id, reason) of reviews left out of the scores, in [since, until) (a scan)."""
    r = review_t.c
    stmt = _excluded(since, until, operator_ids).order_by(r.operator_id, r.id)
    return (await session.execute(stmt)).all()


async def excluded_by_appeal_or_flag(
    session: AsyncSession, since: datetime, until: datetime, operator_ids: Collection[uuid.UUID] | None
) -> Sequence[sa.Row[Any]]:
    """`excluded_in_window` reached through the two ways a review is left out (an upheld appeal, a
    not-genuine flag), by their indexes instead of a scan of every review."""
    r, a = review_t.c, appeal_t.c
    upheld = _excluded(since, until, operator_ids).where(
        r.id.in_(sa.select(a.review_id).where(a.status == AppealStatus.upheld.value))
    )
    flagged = _excluded(since, until, operator_ids).where(
        r.flag_status.in_([FlagStatus.pending.value, FlagStatus.confirmed.value])
    )
    both = sa.union(upheld, flagged).subquery()
    stmt = sa.select(both.c.operator_id, both.c.id, both.c.excluded_reason).order_by(
        both.c.operator_id, both.c.id
    )
    return (await session.execute(stmt)).all()


async def rectification_aggregate_by_operator(
    session: AsyncSession, since: datetime, until: datetime, operator_ids: Collection[uuid.UUID] | None
) -> Sequence[sa.Row[Any]]:
    """`rectification_aggregate`'s sums per operator (one GROUP BY), rectifications opened in the window."""
    r = rect_t.c

    def total(condition: ColumnElement[bool]) -> Any:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    stmt = (
        sa.select(
            r.operator_id,
            sa.func.count().label("opened"),
            total(r.called_back_at.is_not(None) & (r.called_back_at <= r.call_back_due_at)).label(
                "call_back_on_time"
            ),
            total(r.fixed_at.is_not(None) & (r.fixed_at <= r.fix_due_at)).label("fix_on_time"),
            total(r.verdict == "satisfied").label("satisfied"),
            total(r.verdict == "basically_satisfied").label("basically_satisfied"),
            total(r.verdict == "unsatisfied").label("unsatisfied"),
        )
        .where(r.created_at >= since, r.created_at < until)
        .group_by(r.operator_id)
    )
    if operator_ids is not None:
        stmt = stmt.where(r.operator_id.in_(sorted(operator_ids)))
    return (await session.execute(stmt)).all()
