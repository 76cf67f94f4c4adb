"""Usage aggregates over slots and bookings (the only place that builds these queries)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.models import Booking, BookingStatus, Slot
from backend.catalogue.queries import facilities_sql, services_sql
from backend.core.sqltime import shanghai_month

_B: sa.Table = Booking.__table__  # type: ignore[attr-defined]
_S: sa.Table = Slot.__table__  # type: ignore[attr-defined]


def _count(status: BookingStatus) -> Any:
    return sa.func.count().filter(_B.c.status == status.value)


def _grouped(start_col: Any, facility_ids: Collection[uuid.UUID] | None, *columns: Any) -> tuple[Any, Any]:
    svc = services_sql()
    month = shanghai_month(start_col).label("month")
    keys = (svc.c.facility_id, svc.c.supplier_id, svc.c.function, month)
    stmt = sa.select(*keys, *columns)
    condition = sa.true() if facility_ids is None else svc.c.facility_id.in_(sorted(facility_ids))
    return stmt, (keys, condition)


async def booking_counts(
    session: AsyncSession, *, start: datetime, end: datetime, facility_ids: Collection[uuid.UUID] | None
) -> Sequence[Any]:
    stmt, (keys, condition) = _grouped(
        _B.c.start_at,
        facility_ids,
        sa.func.count(),
        _count(BookingStatus.completed),
        _count(BookingStatus.cancelled),
        _count(BookingStatus.no_show),
    )
    svc = services_sql()
    stmt = (
        stmt.select_from(_B.join(svc, svc.c.id == _B.c.service_id))
        .where(_B.c.start_at >= start, _B.c.start_at < end, condition)
        .group_by(*keys)
        .order_by(*keys)
    )
    return (await session.execute(stmt)).all()


async def slot_counts(
    session: AsyncSession, *, start: datetime, end: datetime, facility_ids: Collection[uuid.UUID] | None
) -> Sequence[Any]:
    stmt, (keys, condition) = _grouped(
        _S.c.start_at, facility_ids, sa.func.count(), sa.func.sum(_S.c.capacity)
    )
    svc = services_sql()
    stmt = (
        stmt.select_from(_S.join(svc, svc.c.id == _S.c.service_id))
        .where(_S.c.start_at >= start, _S.c.start_at < end, condition)
        .group_by(*keys)
        .order_by(*keys)
    )
    return (await session.execute(stmt)).all()


async def completed_by_operator(
    session: AsyncSession, *, start: datetime, end: datetime
) -> Sequence[tuple[uuid.UUID, int]]:
    svc, fac = services_sql(), facilities_sql()
    stmt = (
        sa.select(fac.c.operator_id, sa.func.count())
        .select_from(_B.join(svc, svc.c.id == _B.c.service_id).join(fac, fac.c.id == svc.c.facility_id))
        .where(_B.c.status == BookingStatus.completed.value, _B.c.start_at >= start, _B.c.start_at < end)
        .group_by(fac.c.operator_id)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]
