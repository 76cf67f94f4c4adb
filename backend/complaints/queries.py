"""The complaints domain's public reads, for the domains above (grading, reporting). Aggregated in SQL.

`operator_complaints(session, start, end, operator_ids=None)`: per operator, complaints filed in
[start, end) (UTC): how many, how many had their first answer by the first deadline, how many were resolved
(accepted, closed as accepted, or mediated with an agreement), how many reached the street office, how many
were urgent; with the operator's completed bookings in the same window (from `backend.bookings.queries`) and
complaints per 1,000 of them.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.queries import completed_by_operator
from backend.complaints import repository_figures as frepo
from backend.complaints.figures import Kind, figures_for
from backend.complaints.schemas import ComplaintFigures


@dataclass(frozen=True, slots=True)
class OperatorComplaints:
    operator_id: uuid.UUID
    count: int
    answered_on_time: int
    resolved: int
    escalated_to_street: int
    urgent: int
    completed_bookings: int

    @property
    def per_1000_bookings(self) -> float | None:
        """Complaints per 1,000 completed bookings; None without completed bookings."""
        return None if not self.completed_bookings else self.count * 1000 / self.completed_bookings

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.count else self.answered_on_time / self.count

    @property
    def resolved_rate(self) -> float | None:
        return None if not self.count else self.resolved / self.count


async def operator_complaints(
    session: AsyncSession, start: datetime, end: datetime, operator_ids: list[uuid.UUID] | None = None
) -> dict[uuid.UUID, OperatorComplaints]:
    """Every operator with a complaint or a completed booking in the window (absent: none of either)."""
    rows = {r.operator_id: r for r in await frepo.per_operator(session, start, end, operator_ids)}
    bookings = await completed_by_operator(session, start=start, end=end)
    if operator_ids is not None:
        bookings = {op: n for op, n in bookings.items() if op in set(operator_ids)}
    result: dict[uuid.UUID, OperatorComplaints] = {}
    for op in set(rows) | set(bookings):
        r = rows.get(op)
        result[op] = OperatorComplaints(
            operator_id=op,
            count=int(r.total) if r else 0,
            answered_on_time=int(r.answered_on_time) if r else 0,
            resolved=int(r.resolved) if r else 0,
            escalated_to_street=int(r.escalated_to_street) if r else 0,
            urgent=int(r.urgent) if r else 0,
            completed_bookings=bookings.get(op, 0),
        )
    return result


async def public_figures(session: AsyncSession, kind: Kind, target_id: uuid.UUID) -> ComplaintFigures:
    """`{count, resolved_rate, median_response_hours}` of a service, facility or supplier (cached)."""
    return await figures_for(session, kind, target_id)


@dataclass(frozen=True, slots=True)
class CategoryFigures:
    category: str
    count: int
    answered_on_time: int
    resolved: int
    escalated_to_street: int


@dataclass(frozen=True, slots=True)
class ComplaintSummary:
    """Complaints filed in a window about a set of facilities (and their operators): for dashboards."""

    by_category: list[CategoryFigures]
    median_response_hours: float | None

    @property
    def count(self) -> int:
        return sum(c.count for c in self.by_category)


async def complaint_summary(
    session: AsyncSession,
    facility_ids: Collection[uuid.UUID],
    start: datetime,
    end: datetime,
    operator_ids: Collection[uuid.UUID] = (),
) -> ComplaintSummary:
    """Complaints about the facilities filed in [start, end), plus, for `operator_ids`, those naming no
    facility (a supplier or the operator itself); aggregated in SQL."""
    facilities, operators = sorted(facility_ids), sorted(operator_ids)
    rows = await frepo.by_category(session, facilities, operators, start, end)
    median = await frepo.median_response_seconds(session, facilities, operators, start, end)
    return ComplaintSummary(
        by_category=[CategoryFigures(r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows],
        median_response_hours=None if median is None else round(median / 3600, 2),
    )
