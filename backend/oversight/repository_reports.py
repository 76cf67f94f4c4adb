"""Queries of operator reports and terminations (the only place that builds them)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.queries import facilities_sql
from backend.core.pagination import keyset
from backend.oversight.models import OperatorReport, OperatorTermination


async def get_report(
    session: AsyncSession, report_id: uuid.UUID, *, lock: bool = False
) -> OperatorReport | None:
    stmt = select(OperatorReport).where(OperatorReport.id == report_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def find_report(
    session: AsyncSession, operator_id: uuid.UUID, kind: str, year: int, quarter: int, *, lock: bool = False
) -> OperatorReport | None:
    stmt = select(OperatorReport).where(
        OperatorReport.operator_id == operator_id,
        OperatorReport.kind == kind,
        OperatorReport.year == year,
        OperatorReport.quarter == quarter,
    )
    if lock:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def list_reports(
    session: AsyncSession,
    in_scope: Any,
    operator_id: uuid.UUID | None,
    year: int | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[OperatorReport]:
    stmt = select(OperatorReport).where(in_scope)
    if operator_id is not None:
        stmt = stmt.where(OperatorReport.operator_id == operator_id)
    if year is not None:
        stmt = stmt.where(OperatorReport.year == year)
    created, rid = col(OperatorReport.created_at), col(OperatorReport.id)
    return (await session.exec(keyset(stmt, created, rid, after, limit, newest_first=True))).all()


async def reports_of(
    session: AsyncSession, operator_ids: Collection[uuid.UUID] | None, years: Collection[int]
) -> Sequence[OperatorReport]:
    stmt = select(OperatorReport).where(col(OperatorReport.year).in_(sorted(years)))
    if operator_ids is not None:
        stmt = stmt.where(col(OperatorReport.operator_id).in_(sorted(operator_ids)))
    return (await session.exec(stmt)).all()


async def operators_with_facilities(session: AsyncSession, in_scope: Any) -> list[uuid.UUID]:
    """Operators running at least one facility (whose reports are due), within `in_scope`."""
    fac = facilities_sql()
    stmt = sa.select(fac.c.operator_id).where(in_scope(fac.c.operator_id)).distinct()
    return sorted((await session.execute(stmt)).scalars().all())


async def facilities_of(session: AsyncSession, operator_id: uuid.UUID) -> list[uuid.UUID]:
    fac = facilities_sql()
    return list(
        (await session.execute(sa.select(fac.c.id).where(fac.c.operator_id == operator_id))).scalars()
    )


async def terminations_of(session: AsyncSession, operator_id: uuid.UUID) -> Sequence[OperatorTermination]:
    stmt = (
        select(OperatorTermination)
        .where(OperatorTermination.operator_id == operator_id)
        .order_by(col(OperatorTermination.created_at).desc())
    )
    return (await session.exec(stmt)).all()
