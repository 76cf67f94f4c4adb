"""The calendar's public reads: deadlines counted in working days.

Deadline rule (chosen and tested): a deadline of `n` working days after `start` ends at **23:59:59
Asia/Shanghai on the n-th working day after the day of `start`** (the day of `start`, in Shanghai, is never
counted, whatever the time). So a bad review on Friday 18:00 with a 1-working-day call-back is due Monday
23:59:59; on the Friday before the Spring Festival week it is due on the first working day after it.

A day the table does not know (a year nobody has loaded yet) counts by the week alone (Monday-Friday work),
and the deadline is marked `provisional`: it may move once the official calendar is loaded. That logs a
warning and bumps `workdays_provisional_deadlines_total`; it never fails.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from prometheus_client import Counter
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import SHANGHAI, as_utc
from backend.workdays import repository

log = logging.getLogger("backend.workdays")

PROVISIONAL_DEADLINES = Counter(
    "workdays_provisional_deadlines_total",
    "Deadlines computed across days missing from the working-day calendar (weekends only)",
)

END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True, slots=True)
class Deadline:
    """`at` is UTC and timezone-aware; `provisional` when it crossed days the calendar does not know."""

    at: datetime
    provisional: bool


def end_of_day(day: date) -> datetime:
    """23:59:59 Asia/Shanghai of `day`, as a UTC datetime."""
    return as_utc(datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI))


async def add_working_days(session: AsyncSession, start: datetime, n: int) -> Deadline:
    """The end (23:59:59 Shanghai) of the `n`-th working day after the Shanghai day of `start` (n >= 1)."""
    if n < 1:
        raise ValueError("n must be at least 1 working day")
    day = as_utc(start).astimezone(SHANGHAI).date()
    provisional = False
    counted = 0
    window = n * 2 + 21  # generous: the longest run of days off is 9 (Spring Festival 2026)
    while True:
        first, last = day + timedelta(days=1), day + timedelta(days=window)
        known = await repository.days_between(session, first, last)
        while day < last:
            day += timedelta(days=1)
            working = known.get(day)
            if working is None:
                provisional = True
                working = day.weekday() < 5
            if working:
                counted += 1
                if counted == n:
                    if provisional:
                        PROVISIONAL_DEADLINES.inc()
                        log.warning(
                            "working-day deadline %s crosses days the calendar does not know: provisional",
                            day.isoformat(),
                        )
                    return Deadline(at=end_of_day(day), provisional=provisional)


def add_hours(start: datetime, hours: int) -> Deadline:
    """Calendar hours, for rules counted in hours (never provisional)."""
    return Deadline(at=as_utc(start) + timedelta(hours=hours), provisional=False)


async def is_working_day(session: AsyncSession, day: date) -> bool | None:
    """The official answer for `day`, or None when the calendar does not know its year."""
    return (await repository.days_between(session, day, day)).get(day)


async def known_years(session: AsyncSession) -> list[int]:
    return await repository.known_years(session)
