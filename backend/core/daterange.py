"""Date-range filters: `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both days included (one day is `from = to`).

Every date-range filter in the API takes its range from `date_range(...)` (a FastAPI dependency) and turns it
into UTC instants with `DateRange.window()`; a single `?date=` filter uses `day_window`. Days are
Asia/Shanghai days.
"""

# No `from __future__ import annotations`: FastAPI must resolve the closure's Query annotations at runtime.
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import Query

from backend.core.clock import SHANGHAI, InRangeDate, utcnow
from backend.core.errors import InvalidRange
from backend.core.i18n import Msg


def shanghai_today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def day_window(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """[start, end) instants of the Shanghai days `first`..`last`, both included (`last`: `first`)."""
    end_day = (last or first) + timedelta(days=1)
    return datetime.combine(first, time.min, tzinfo=SHANGHAI), datetime.combine(
        end_day, time.min, tzinfo=SHANGHAI
    )


@dataclass(frozen=True, slots=True)
class DateRange:
    first: date
    last: date  # included

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def window(self) -> tuple[datetime, datetime]:
        """[start, end) instants: from the start of `first` to the end of `last` (Asia/Shanghai)."""
        return day_window(self.first, self.last)


def check_range(first: date, last: date, max_days: int) -> DateRange:
    """The range `first`..`last`, or 422 `invalid_range` when `last` is before `first` or it is too long."""
    if last < first or (last - first).days + 1 > max_days:
        raise InvalidRange(
            Msg(
                "结束日期不能早于开始日期（含首尾两天），且最多 {days} 天",
                "`to` must not be before `from` (both days included), and at most {days} days",
            ),
            days=max_days,
        )
    return DateRange(first, last)


def date_range(*, default_days: int, max_days: int) -> Callable[..., Awaitable[DateRange]]:
    """A dependency reading `from` and `to` (both included). Without `from`: today (Asia/Shanghai);
    without `to`: `default_days` days from `from`, ending on the last of them."""

    # async: FastAPI runs a plain `def` dependency in its thread pool, a hop per request that cost about a
    # quarter of the cached slot listing's CPU (tests/architecture/test_async_dependencies.py).
    async def dependency(
        from_: Annotated[
            InRangeDate | None,
            Query(alias="from", description="First day, included (YYYY-MM-DD, Asia/Shanghai; default today)"),
        ] = None,
        to: Annotated[
            InRangeDate | None,
            Query(
                description=(
                    "Last day, included (YYYY-MM-DD; one day is from = to; "
                    f"default from + {default_days - 1} days; at most {max_days} days)"
                )
            ),
        ] = None,
    ) -> DateRange:
        first = from_ or shanghai_today()
        return check_range(first, to or first + timedelta(days=default_days - 1), max_days)

    return dependency
