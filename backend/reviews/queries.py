"""The reviews domain's public reads for the domains above it (grading, console, reporting).

All aggregates are computed in SQL; rows come back as frozen dataclasses, never table objects.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.reviews import repository as repo
from backend.reviews import repository_dashboard as dashboard_repo
from backend.reviews import repository_rectifications as rect_repo
from backend.reviews.figures import summary


@dataclass(frozen=True, slots=True)
class OperatorReview:
    """One review of an operator's services: counted, or excluded with the reason (upheld appeal,
    not-genuine flag)."""

    id: uuid.UUID
    level: int
    created_at: datetime
    counted: bool
    excluded_reason: str | None
    facility_id: uuid.UUID
    supplier_id: uuid.UUID
    function: str


@dataclass(frozen=True, slots=True)
class ReviewTotals:
    """Counts over [since, until): `levels` of counted reviews; `excluded` reviews are kept apart."""

    counted: int
    excluded: int
    levels: dict[int, int] = field(default_factory=dict)
    good: int = 0  # levels 4-5
    bad: int = 0  # levels 1-2
    good_rate: float | None = None


@dataclass(frozen=True, slots=True)
class RectificationTotals:
    """The operator's rectifications opened in [since, until)."""

    opened: int
    closed: int
    escalated_to_operator: int
    escalated_to_street: int
    call_back_on_time: int
    fix_on_time: int
    overdue: int
    verdicts: dict[str, int] = field(default_factory=dict)  # satisfied / basically_satisfied / unsatisfied


async def operator_reviews(
    session: AsyncSession, operator_id: uuid.UUID, since: datetime, until: datetime
) -> list[OperatorReview]:
    rows = await repo.operator_reviews(session, operator_id, since, until)
    return [
        OperatorReview(
            id=r.id,
            level=int(r.level),
            created_at=r.created_at,
            counted=bool(r.counted),
            excluded_reason=r.excluded_reason,
            facility_id=r.facility_id,
            supplier_id=r.supplier_id,
            function=r.function,
        )
        for r in rows
    ]


async def operator_review_totals(
    session: AsyncSession, operator_id: uuid.UUID, since: datetime, until: datetime
) -> ReviewTotals:
    levels: dict[int, int] = {}
    excluded = 0
    for counted, level, count in await repo.operator_level_totals(session, operator_id, since, until):
        if counted:
            levels[int(level)] = int(count)
        else:
            excluded += int(count)
    s = summary(levels)
    return ReviewTotals(
        counted=s["count"],
        excluded=excluded,
        levels={level: levels.get(level, 0) for level in range(1, 6)},
        good=levels.get(4, 0) + levels.get(5, 0),
        bad=levels.get(1, 0) + levels.get(2, 0),
        good_rate=s["good_rate"],
    )


async def operator_rectification_totals(
    session: AsyncSession, operator_id: uuid.UUID, since: datetime, until: datetime
) -> RectificationTotals:
    row = await rect_repo.operator_rectification_aggregate(session, operator_id, since, until)
    return _rectification_totals(row)


def _rectification_totals(row: Any) -> RectificationTotals:
    return RectificationTotals(
        opened=int(row.opened or 0),
        closed=int(row.closed or 0),
        escalated_to_operator=int(row.to_operator or 0),
        escalated_to_street=int(row.to_street or 0),
        call_back_on_time=int(row.call_back_on_time or 0),
        fix_on_time=int(row.fix_on_time or 0),
        overdue=int(row.overdue or 0),
        verdicts={
            "satisfied": int(row.satisfied or 0),
            "basically_satisfied": int(row.basically_satisfied or 0),
            "unsatisfied": int(row.unsatisfied or 0),
        },
    )


@dataclass(frozen=True, slots=True)
class LevelGroup:
    """Counted reviews of one (facility, supplier, function, Shanghai month) at one level."""

    facility_id: uuid.UUID
    supplier_id: uuid.UUID
    function: str
    month: str
    level: int
    count: int


async def level_groups(
    session: AsyncSession, facility_ids: Collection[uuid.UUID], since: datetime, until: datetime
) -> list[LevelGroup]:
    """Counted reviews written in [since, until) at the facilities, grouped (aggregated in SQL): any
    satisfaction figure by month, facility, supplier or function is a sum over these."""
    rows = await dashboard_repo.level_groups(session, facility_ids, since, until)
    return [LevelGroup(r[0], r[1], r[2], r[3], int(r[4]), int(r[5])) for r in rows]


async def rectification_totals(
    session: AsyncSession, facility_ids: Collection[uuid.UUID], since: datetime, until: datetime
) -> RectificationTotals:
    """Like `operator_rectification_totals`, over the rectifications of a set of facilities."""
    row = await rect_repo.rectification_aggregate(
        session, rect_repo.facility_condition(facility_ids), since, until
    )
    return _rectification_totals(row)


async def overdue_rectifications(
    session: AsyncSession, facility_ids: Collection[uuid.UUID], now: datetime
) -> dict[uuid.UUID, int]:
    """Per facility, rectifications open past a deadline now (call back or fix not done in time; the
    workday deadlines of RATING.md); facilities without any are absent."""
    return {fid: int(n) for fid, n in await dashboard_repo.overdue_by_facility(session, facility_ids, now)}


@dataclass(frozen=True, slots=True)
class DecayedTotals:
    """Counted reviews of an operator per level, with the sum of their time-decay weights per level
    (0.5^(age / half-life), age at the window's end): the inputs of the Bayesian time-decayed mean."""

    counted: int
    levels: dict[int, int]
    weights: dict[int, float]
    excluded: tuple[tuple[str, str], ...] = ()  # (review id, reason)


async def decayed_totals_by_operator(
    session: AsyncSession,
    since: datetime,
    until: datetime,
    *,
    half_life_days: float,
    operator_ids: Collection[uuid.UUID] | None = None,
) -> dict[uuid.UUID, DecayedTotals]:
    """Per operator, in one GROUP BY (not row loops) and one indexed read of the left-out reviews (through
    their upheld appeals and not-genuine flags; a scan only if those do not account for every one the GROUP BY
    counted); operators without reviews are absent."""
    levels: dict[uuid.UUID, dict[int, int]] = {}
    weights: dict[uuid.UUID, dict[int, float]] = {}
    left_out: dict[uuid.UUID, int] = {}
    for op, level, count, weight, uncounted in await repo.decayed_level_totals(
        session, since, until, half_life_days, operator_ids
    ):
        if count:
            levels.setdefault(op, {})[int(level)] = int(count)
            weights.setdefault(op, {})[int(level)] = float(weight or 0)
        if uncounted:
            left_out[op] = left_out.get(op, 0) + int(uncounted)
    excluded: dict[uuid.UUID, list[tuple[str, str]]] = {}
    if left_out:
        rows = await repo.excluded_by_appeal_or_flag(session, since, until, sorted(left_out))
        found: dict[uuid.UUID, int] = {}
        for op, _, _ in rows:
            found[op] = found.get(op, 0) + 1
        if found != left_out:
            rows = await repo.excluded_in_window(session, since, until, sorted(left_out))
        for op, review_id, reason in rows:
            excluded.setdefault(op, []).append((str(review_id), reason or "excluded"))
    return {
        op: DecayedTotals(
            counted=sum(levels.get(op, {}).values()),
            levels=levels.get(op, {}),
            weights=weights.get(op, {}),
            excluded=tuple(excluded.get(op, [])),
        )
        for op in set(levels) | set(excluded)
    }


@dataclass(frozen=True, slots=True)
class OperatorRectifications:
    opened: int
    call_back_on_time: int
    fix_on_time: int
    verdicts: dict[str, int] = field(default_factory=dict)


async def rectifications_by_operator(
    session: AsyncSession, since: datetime, until: datetime, operator_ids: Collection[uuid.UUID] | None = None
) -> dict[uuid.UUID, OperatorRectifications]:
    """Rectifications opened in [since, until) per operator, in one GROUP BY (absent: none)."""
    return {
        row.operator_id: OperatorRectifications(
            opened=int(row.opened or 0),
            call_back_on_time=int(row.call_back_on_time or 0),
            fix_on_time=int(row.fix_on_time or 0),
            verdicts={
                k: int(getattr(row, k) or 0) for k in ("satisfied", "basically_satisfied", "unsatisfied")
            },
        )
        for row in await repo.rectification_aggregate_by_operator(session, since, until, operator_ids)
    }
