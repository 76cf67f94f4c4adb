"""The only place that builds the complaints domain's queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.complaints.models import (
    AWAITING_ACKNOWLEDGEMENT,
    AWAITING_ANSWER,
    Complaint,
    ComplaintEvent,
    ComplaintNumberDay,
    ComplaintReply,
    ComplaintStatus,
    Escalation,
    TextCheck,
)
from backend.core.database import insert_for

complaint_t: sa.Table = Complaint.__table__  # type: ignore[attr-defined]
counter_t: sa.Table = ComplaintNumberDay.__table__  # type: ignore[attr-defined]


def rowcount(result: Any) -> int:
    return int(result.rowcount or 0)


async def next_number(session: AsyncSession, day: date) -> int:
    """The next number of `day`: one atomic upsert (concurrent filers queue on the day's row)."""
    insert = insert_for(session)
    stmt = insert(counter_t).values(day=day, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=["day"], set_={"last": counter_t.c.last + 1})
    return int((await session.execute(stmt.returning(counter_t.c.last))).scalar_one())


async def add(session: AsyncSession, *rows: Any) -> None:
    session.add_all(rows)
    await session.flush()


async def get(
    session: AsyncSession, complaint_id: uuid.UUID, *, for_update: bool = False
) -> Complaint | None:
    stmt = select(Complaint).where(Complaint.id == complaint_id)
    if for_update:
        stmt = stmt.with_for_update()
    stmt = stmt.execution_options(populate_existing=True)
    return (await session.exec(stmt)).one_or_none()


async def change(
    session: AsyncSession,
    complaint_id: uuid.UUID,
    statuses: Iterable[str],
    levels: Iterable[str],
    values: dict[str, Any],
) -> bool:
    """Conditional move: only if the complaint is still in one of `statuses` at one of `levels`. Of two
    concurrent moves from the same state exactly one wins (the loser re-reads the row and matches none)."""
    result = await session.execute(
        sa.update(complaint_t)
        .where(
            complaint_t.c.id == complaint_id,
            complaint_t.c.status.in_(sorted(statuses)),
            complaint_t.c.escalation.in_(sorted(levels)),
        )
        .values(**values)
    )
    return rowcount(result) == 1


async def replies(session: AsyncSession, complaint_ids: Sequence[uuid.UUID]) -> Sequence[ComplaintReply]:
    if not complaint_ids:
        return []
    stmt = (
        select(ComplaintReply)
        .where(col(ComplaintReply.complaint_id).in_(complaint_ids))
        .order_by(col(ComplaintReply.at), col(ComplaintReply.id))
    )
    return (await session.exec(stmt)).all()


async def events(session: AsyncSession, complaint_id: uuid.UUID) -> Sequence[ComplaintEvent]:
    stmt = (
        select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint_id)
        .order_by(col(ComplaintEvent.at), col(ComplaintEvent.created_at))
    )
    return (await session.exec(stmt)).all()


async def set_text_check(
    session: AsyncSession, complaint_id: uuid.UUID, expected: str, to: str, now: datetime
) -> bool:
    """Conditional: only while the text check is still `expected` (of two moderators exactly one decides)."""
    result = await session.execute(
        sa.update(complaint_t)
        .where(complaint_t.c.id == complaint_id, complaint_t.c.text_check == expected)
        .values(text_check=to, updated_at=now)
    )
    return rowcount(result) == 1


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    return sa.and_(col(Complaint.status).in_(AWAITING_ANSWER), col(Complaint.answer_due_at) < now)


def _page(stmt: Any, after: tuple[datetime, uuid.UUID] | None, limit: int) -> Any:
    if after is not None:
        t, i = after
        stmt = stmt.where(
            sa.or_(
                col(Complaint.created_at) < t,
                sa.and_(col(Complaint.created_at) == t, col(Complaint.id) < i),
            )
        )
    return stmt.order_by(col(Complaint.created_at).desc(), col(Complaint.id).desc()).limit(limit + 1)


async def list_for_resident(
    session: AsyncSession, resident_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> Sequence[Complaint]:
    stmt = _page(select(Complaint).where(Complaint.resident_id == resident_id), after, limit)
    return (await session.exec(stmt)).all()


async def list_for_staff(
    session: AsyncSession,
    visible: ColumnElement[bool],
    *,
    status: str | None,
    category: str | None,
    overdue: bool | None,
    now: datetime,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
    text_held: bool | None = None,
) -> Sequence[Complaint]:
    stmt = select(Complaint).where(visible)
    if text_held is not None:
        held = col(Complaint.text_check) == TextCheck.held.value
        stmt = stmt.where(held if text_held else sa.not_(held))
    if status is not None:
        stmt = stmt.where(Complaint.status == status)
    if category is not None:
        stmt = stmt.where(Complaint.category == category)
    if overdue is not None:
        cond = overdue_condition(now)
        stmt = stmt.where(cond if overdue else sa.not_(cond))
    return (await session.exec(_page(stmt, after, limit))).all()


def visible_condition(facility_cond: ColumnElement[bool], supplier_cond: ColumnElement[bool]) -> Any:
    """Facility-attached complaints by the facility (or service) rule; supplier-only ones by the supplier."""
    return sa.or_(
        sa.and_(col(Complaint.facility_id).is_not(None), facility_cond),
        sa.and_(col(Complaint.facility_id).is_(None), supplier_cond),
    )


# ---------------------------------------------------------------- the job


async def overdue_unanswered(session: AsyncSession, now: datetime, limit: int) -> Sequence[Complaint]:
    """Waiting for an answer past the current level's deadline and not yet handled by the job."""
    stmt = (
        select(Complaint)
        .where(overdue_condition(now), col(Complaint.overdue_at).is_(None))
        .order_by(col(Complaint.answer_due_at))
        .limit(limit)
    )
    return (await session.exec(stmt)).all()


async def unacknowledged(session: AsyncSession, now: datetime, limit: int) -> Sequence[Complaint]:
    """Waiting for an acknowledgement (filed, or escalated to the operator) past its deadline, unmarked."""
    stmt = (
        select(Complaint)
        .where(
            col(Complaint.status).in_(AWAITING_ACKNOWLEDGEMENT),
            col(Complaint.escalation) != Escalation.street.value,
            col(Complaint.acknowledge_due_at) < now,
            col(Complaint.acknowledge_overdue_at).is_(None),
        )
        .order_by(col(Complaint.acknowledge_due_at))
        .limit(limit)
    )
    return (await session.exec(stmt)).all()


async def unconfirmed(session: AsyncSession, now: datetime, limit: int) -> Sequence[Complaint]:
    stmt = (
        select(Complaint)
        .where(Complaint.status == ComplaintStatus.answered.value, col(Complaint.confirm_due_at) < now)
        .order_by(col(Complaint.confirm_due_at))
        .limit(limit)
    )
    return (await session.exec(stmt)).all()
