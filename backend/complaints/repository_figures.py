"""Aggregates over complaints: public figures and the grading reads. One query each, in SQL."""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.complaints.models import Complaint, ComplaintStatus, MediationOutcome

_COLUMNS: dict[str, Any] = {
    "service": Complaint.service_id,
    "facility": Complaint.facility_id,
    "supplier": Complaint.supplier_id,
}


def resolved_condition() -> Any:
    """Resolved for the figures: accepted, closed as accepted, or mediated with an agreement."""
    return sa.or_(
        col(Complaint.status).in_([ComplaintStatus.resolved.value, ComplaintStatus.closed.value]),
        sa.and_(
            col(Complaint.status) == ComplaintStatus.mediated.value,
            col(Complaint.mediation_outcome) == MediationOutcome.agreement.value,
        ),
    )


def _is_postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


Figures = tuple[int, int, float | None]  # count, resolved, median seconds to the first answer


async def figures_by(
    session: AsyncSession, kind: str, target_ids: Sequence[uuid.UUID], since: datetime
) -> dict[uuid.UUID, Figures]:
    """Per target (service, facility or supplier id) with complaints since `since`: one GROUP BY (the
    median with percentile_cont on PostgreSQL; on SQLite the response times come back and the median is
    taken here). Targets without complaints are absent."""
    if not target_ids:
        return {}
    target = _COLUMNS[kind]
    where = sa.and_(target.in_(sorted(set(target_ids))), col(Complaint.created_at) >= since)
    resolved = sa.func.coalesce(sa.func.sum(sa.case((resolved_condition(), 1), else_=0)), 0)
    if _is_postgres(session):
        seconds = sa.func.extract("epoch", col(Complaint.first_answered_at) - col(Complaint.created_at))
        median = sa.func.percentile_cont(0.5).within_group(seconds)
        stmt = sa.select(target, sa.func.count(), resolved, median).where(where).group_by(target)
        return {
            r[0]: (int(r[1]), int(r[2]), None if r[3] is None else float(r[3]))
            for r in (await session.execute(stmt)).all()
        }
    stmt = sa.select(target, sa.func.count(), resolved).where(where).group_by(target)
    counts = {r[0]: (int(r[1]), int(r[2])) for r in (await session.execute(stmt)).all()}
    answered = sa.select(target, col(Complaint.created_at), col(Complaint.first_answered_at)).where(
        where, col(Complaint.first_answered_at).is_not(None)
    )
    times: dict[uuid.UUID, list[float]] = {}
    for object_id, created, first in (await session.execute(answered)).all():
        times.setdefault(object_id, []).append((first - created).total_seconds())
    return {
        object_id: (n, done, statistics.median(times[object_id]) if object_id in times else None)
        for object_id, (n, done) in counts.items()
    }


async def per_operator(
    session: AsyncSession, start: datetime, end: datetime, operator_ids: list[uuid.UUID] | None
) -> list[sa.Row[Any]]:
    """Per operator, complaints filed in [start, end): count, answered on time (the first answer by the
    first deadline), resolved, escalated to the street office, urgent."""
    on_time = sa.and_(
        col(Complaint.first_answered_at).is_not(None),
        col(Complaint.first_answered_at) <= col(Complaint.first_answer_due_at),
    )

    def count_if(cond: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)

    stmt = (
        sa.select(
            col(Complaint.operator_id),
            sa.func.count().label("total"),
            count_if(on_time).label("answered_on_time"),
            count_if(resolved_condition()).label("resolved"),
            count_if(col(Complaint.escalation) == "street").label("escalated_to_street"),
            count_if(col(Complaint.urgent)).label("urgent"),
        )
        .where(col(Complaint.created_at) >= start, col(Complaint.created_at) < end)
        .group_by(col(Complaint.operator_id))
    )
    if operator_ids is not None:
        stmt = stmt.where(col(Complaint.operator_id).in_(operator_ids))
    return list((await session.execute(stmt)).all())


def _dashboard_where(
    facility_ids: Sequence[uuid.UUID], operator_ids: Sequence[uuid.UUID], start: datetime, end: datetime
) -> Any:
    """Complaints about the facilities, plus those about the operators with no facility named (a supplier
    or the operator itself), filed in [start, end)."""
    about: list[Any] = [col(Complaint.facility_id).in_(sorted(facility_ids))] if facility_ids else []
    if operator_ids:
        about.append(
            sa.and_(
                col(Complaint.facility_id).is_(None), col(Complaint.operator_id).in_(sorted(operator_ids))
            )
        )
    return sa.and_(
        sa.or_(*about) if about else sa.false(),
        col(Complaint.created_at) >= start,
        col(Complaint.created_at) < end,
    )


async def by_category(
    session: AsyncSession,
    facility_ids: Sequence[uuid.UUID],
    operator_ids: Sequence[uuid.UUID],
    start: datetime,
    end: datetime,
) -> list[sa.Row[Any]]:
    """Per category: count, answered on time (first answer by the first deadline), resolved, escalated to
    the street office."""
    on_time = sa.and_(
        col(Complaint.first_answered_at).is_not(None),
        col(Complaint.first_answered_at) <= col(Complaint.first_answer_due_at),
    )

    def count_if(cond: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)

    stmt = (
        sa.select(
            col(Complaint.category),
            sa.func.count(),
            count_if(on_time),
            count_if(resolved_condition()),
            count_if(col(Complaint.escalation) == "street"),
        )
        .where(_dashboard_where(facility_ids, operator_ids, start, end))
        .group_by(col(Complaint.category))
        .order_by(col(Complaint.category))
    )
    return list((await session.execute(stmt)).all())


async def median_response_seconds(
    session: AsyncSession,
    facility_ids: Sequence[uuid.UUID],
    operator_ids: Sequence[uuid.UUID],
    start: datetime,
    end: datetime,
) -> float | None:
    where = sa.and_(
        _dashboard_where(facility_ids, operator_ids, start, end),
        col(Complaint.first_answered_at).is_not(None),
    )
    if _is_postgres(session):
        seconds = sa.func.extract("epoch", col(Complaint.first_answered_at) - col(Complaint.created_at))
        value = (
            await session.execute(sa.select(sa.func.percentile_cont(0.5).within_group(seconds)).where(where))
        ).scalar()
        return None if value is None else float(value)
    rows = (
        await session.execute(
            sa.select(col(Complaint.created_at), col(Complaint.first_answered_at)).where(where)
        )
    ).all()
    return statistics.median([(b - a).total_seconds() for a, b in rows]) if rows else None
