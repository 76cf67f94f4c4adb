"""Aggregates over safety records for the public reads in `queries` (the only place that builds them)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.queries import facilities_sql
from backend.oversight.models import Incident, Inspection

_I: sa.Table = Inspection.__table__  # type: ignore[attr-defined]
_X: sa.Table = Incident.__table__  # type: ignore[attr-defined]


def _of_operators(column: Any, operator_ids: Collection[uuid.UUID] | None) -> Any:
    """Rows of the operators' facilities (joined to the catalogue's facility selectable, not a list of
    thousands of facility ids)."""
    if operator_ids is None:
        return sa.true()
    fac = facilities_sql()
    return column.in_(sa.select(fac.c.id).where(fac.c.operator_id.in_(sorted(operator_ids))))


async def latest_inspections(
    session: AsyncSession,
    as_of: date,
    facility_ids: Collection[uuid.UUID] | None,
    operator_ids: Collection[uuid.UUID] | None = None,
) -> Sequence[Any]:
    """One row per (facility, kind): the latest inspection on or before `as_of` (a window function)."""
    rank = (
        sa.func.row_number()
        .over(
            partition_by=(_I.c.facility_id, _I.c.kind),
            order_by=(_I.c.inspected_on.desc(), _I.c.created_at.desc()),
        )
        .label("rank")
    )
    inner = sa.select(
        _I.c.facility_id, _I.c.kind, _I.c.result, _I.c.inspected_on, _I.c.fix_due_on, _I.c.fixed_on, rank
    ).where(_I.c.inspected_on <= as_of)
    if facility_ids is not None:
        inner = inner.where(_I.c.facility_id.in_(sorted(facility_ids)))
    inner = inner.where(_of_operators(_I.c.facility_id, operator_ids))
    sub = inner.subquery()
    stmt = (
        sa.select(
            sub.c.facility_id, sub.c.kind, sub.c.result, sub.c.inspected_on, sub.c.fix_due_on, sub.c.fixed_on
        )
        .where(sub.c.rank == 1)
        .order_by(sub.c.facility_id, sub.c.kind)
    )
    return (await session.execute(stmt)).all()


async def incidents(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    facility_ids: Collection[uuid.UUID] | None,
    operator_ids: Collection[uuid.UUID] | None = None,
) -> Sequence[Any]:
    stmt = sa.select(_X.c.id, _X.c.facility_id, _X.c.occurred_at, _X.c.kind, _X.c.severity, _X.c.veto).where(
        _X.c.occurred_at >= start, _X.c.occurred_at < end
    )
    if facility_ids is not None:
        stmt = stmt.where(_X.c.facility_id.in_(sorted(facility_ids)))
    stmt = stmt.where(_of_operators(_X.c.facility_id, operator_ids))
    return (await session.execute(stmt.order_by(_X.c.occurred_at, _X.c.id))).all()


async def incidents_changed_since(session: AsyncSession, since: datetime) -> Sequence[Any]:
    """Incidents recorded, or whose veto was set or lifted, at or after `since`; with when that happened."""
    stmt = sa.select(
        _X.c.id, _X.c.facility_id, _X.c.occurred_at, _X.c.kind, _X.c.severity, _X.c.veto,
        sa.case((_X.c.veto_set_at > _X.c.created_at, _X.c.veto_set_at), else_=_X.c.created_at),
    ).where(sa.or_(_X.c.created_at >= since, _X.c.veto_set_at >= since))  # fmt: skip
    return (await session.execute(stmt.order_by(_X.c.id))).all()
