"""The calendar's scheduled check: warn (log + metric) from November when next year is not loaded yet."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from prometheus_client import Gauge
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import SHANGHAI, as_utc
from backend.core.jobs import Job
from backend.workdays import repository

log = logging.getLogger("backend.workdays")

MISSING_YEAR = Gauge(
    "workdays_calendar_missing_year",
    "1 when a year the service will need soon is not in the working-day calendar",
    ["year"],
)

WARN_FROM_MONTH = 11  # the State Council usually publishes next year's holidays in November


def years_needed(now: datetime) -> list[int]:
    """This year, and next year from November on (Shanghai time)."""
    local = as_utc(now).astimezone(SHANGHAI)
    return [local.year, local.year + 1] if local.month >= WARN_FROM_MONTH else [local.year]


async def check_calendar(session: AsyncSession, tick: datetime) -> dict[str, Any]:
    missing = []
    for year in years_needed(tick):
        known = await repository.year_is_known(session, year)
        MISSING_YEAR.labels(str(year)).set(0 if known else 1)
        if not known:
            missing.append(year)
            log.warning(
                "the working-day calendar has no %s: deadlines in it count weekends only (provisional); "
                "load it with `python -m backend.workdays load --year %s --file official.json`",
                year,
                year,
            )
    return {"missing_years": missing}


CHECK_CALENDAR = Job("workdays.check_calendar", check_calendar, every_seconds=6 * 3600)

JOBS: list[Job] = [CHECK_CALENDAR]
