"""The only place that queries the calendar table."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import utcnow
from backend.core.database import insert_for
from backend.workdays.models import CalendarDay, CalendarSource


class DayRow(Protocol):
    """One day as the loader builds it (the repository needs only these fields; no import of the loader)."""

    @property
    def day(self) -> date: ...
    @property
    def is_working_day(self) -> bool: ...
    @property
    def name(self) -> str | None: ...


async def upsert_days(
    session: AsyncSession, year: int, rows: Sequence[DayRow], source: CalendarSource
) -> int:
    if not rows:
        return 0
    now = utcnow()
    values = [
        {
            "id": uuid.uuid4(),
            "created_at": now,
            "updated_at": now,
            "day": r.day,
            "year": year,
            "is_working_day": r.is_working_day,
            "source": source.value,
            "name": r.name,
        }
        for r in rows
    ]
    insert = insert_for(session)
    stmt = insert(CalendarDay).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["day"],
        set_={
            "is_working_day": stmt.excluded.is_working_day,
            "source": stmt.excluded.source,
            "name": stmt.excluded.name,
            "year": stmt.excluded.year,
            "updated_at": stmt.excluded.updated_at,
        },
    )
    await session.execute(stmt)
    return len(values)


async def known_years(session: AsyncSession) -> list[int]:
    result = await session.exec(select(CalendarDay.year).distinct().order_by(col(CalendarDay.year)))
    return list(result.all())


async def year_is_known(session: AsyncSession, year: int) -> bool:
    found = await session.scalar(sa.select(sa.literal(1)).where(col(CalendarDay.year) == year).limit(1))
    return found is not None


async def days_between(session: AsyncSession, first: date, last: date) -> dict[date, bool]:
    """`{day: is_working_day}` for the stored days in [first, last]; unknown days are absent."""
    result = await session.execute(
        sa.select(CalendarDay.day, CalendarDay.is_working_day).where(  # type: ignore[call-overload]
            col(CalendarDay.day) >= first, col(CalendarDay.day) <= last
        )
    )
    return {day: bool(working) for day, working in result.all()}
