"""Time helpers: store UTC, show Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, AwareDatetime, Field, PlainSerializer, WithJsonSchema

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat a naive datetime (as SQLite returns them) as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_shanghai(value: datetime) -> datetime:
    return as_utc(value).astimezone(SHANGHAI)


def months_before(moment: datetime, months: int) -> datetime:
    """The same Shanghai wall-clock moment `months` calendar months earlier, in UTC (a day the earlier month
    lacks falls back to its last: 31 May -> 30 Nov, 29 Feb -> 28 Feb). 12 months back: 365 or 366 days."""
    local = to_shanghai(moment)
    year, month = divmod(local.year * 12 + local.month - 1 - months, 12)
    day = local.day
    while True:
        try:
            return local.replace(year=year, month=month + 1, day=day).astimezone(UTC)
        except ValueError:
            day -= 1


def shanghai_iso(value: datetime) -> str:
    """ISO 8601 in Asia/Shanghai with its offset: `2026-12-01T08:00:00+08:00` (naive values are UTC)."""
    return to_shanghai(value).isoformat()


# The one datetime type of API output: every time a response carries is this type, shown in Asia/Shanghai
# with its +08:00 offset (CONTRACT.md), whatever zone the value was read in. Python code (and `model_dump()`)
# still sees a datetime; only JSON output is converted. tests/core/test_shanghai_times.py enforces it.
ShanghaiDateTime = Annotated[
    datetime,
    PlainSerializer(shanghai_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


# Dates the service deals in. Anything outside is a typo (or a probe), and year 9999 plus eight hours
# would overflow the calendar when shown in Asia/Shanghai.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def _datetime_in_range(value: datetime) -> datetime:
    # The date as written (in its own offset), which is what the schema's pattern states.
    if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
        raise ValueError(f"must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


# The range in the schema too (JSON Schema has no minimum for dates): years 1900-2099.
_YEARS = r"^(19|20)[0-9]{2}-"
_RANGE_NOTE = f"Between {EARLIEST_DATE} and {LATEST_DATE}."
_IN_RANGE = {"pattern": _YEARS, "description": _RANGE_NOTE}

# Use these in request schemas and query parameters instead of bare `date` / `AwareDatetime`.
InRangeDate = Annotated[
    date,
    Field(
        ge=EARLIEST_DATE, le=LATEST_DATE, json_schema_extra={"pattern": _YEARS, "description": _RANGE_NOTE}
    ),
]
InRangeDateTime = Annotated[
    AwareDatetime,
    AfterValidator(_datetime_in_range),
    Field(json_schema_extra=_IN_RANGE),
]

# A date of birth: from 1900-01-01 to today in Asia/Shanghai (the validator checks "today").
BirthDate = Annotated[
    date,
    Field(json_schema_extra={"pattern": _YEARS, "description": "From 1900-01-01 to today (Asia/Shanghai)."}),
]
