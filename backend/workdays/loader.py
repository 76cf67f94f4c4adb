"""Build a year's days (from the `chinese-calendar` package or an official file) and store them.

An official file is JSON transcribed from the State Council's yearly holiday notice:

    {"year": 2027,
     "holidays": [{"date": "2027-01-01", "name": "元旦"}, "2027-01-02", ...],
     "workdays": [{"date": "2027-02-07", "name": "春节调休"}, ...]}

`holidays` are days off that would otherwise be working days (or fall on a weekend inside a holiday),
`workdays` are weekend days that are worked (调休). Every other day follows the week: Monday to Friday work.
Entries are a date string or `{date, name}`. Loading a year replaces that year's rows (an upsert per day).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.workdays import repository
from backend.workdays.models import CalendarSource


class CalendarDataError(ValueError):
    """The package does not know the year, or the file is malformed."""


@dataclass(frozen=True, slots=True)
class DayRow:
    day: date
    is_working_day: bool
    name: str | None


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def _build(year: int, off: dict[date, str | None], worked: dict[date, str | None]) -> list[DayRow]:
    both = set(off) & set(worked)
    if both:
        raise CalendarDataError(f"days both off and worked: {sorted(both)}")
    stray = [d for d in (*off, *worked) if d.year != year]
    if stray:
        raise CalendarDataError(f"days outside {year}: {sorted(stray)}")
    rows = []
    for d in _days_of(year):
        if d in off:
            rows.append(DayRow(d, False, off[d]))
        elif d in worked:
            rows.append(DayRow(d, True, worked[d]))
        else:
            rows.append(DayRow(d, d.weekday() < 5, None))
    return rows


def package_years() -> list[int]:
    """The years the installed `chinese-calendar` package knows (empty when it is not installed)."""
    try:
        from chinese_calendar import constants
    except ImportError:  # pragma: no cover - it is a runtime dependency
        return []
    years = {d.year for d in constants.holidays}
    return sorted(years)


def from_package(year: int) -> list[DayRow]:
    """The year as `chinese-calendar` knows it; `CalendarDataError` for a year it does not know."""
    from chinese_calendar import constants

    if year not in package_years():
        raise CalendarDataError(f"the chinese-calendar package does not know {year}; load an official file")
    off: dict[date, str | None] = {}
    worked: dict[date, str | None] = {}
    for d, holiday in constants.holidays.items():
        if d.year == year:
            off[d] = _name(holiday)
    for d, holiday in constants.workdays.items():
        if d.year == year and d.weekday() >= 5:
            worked[d] = _name(holiday)
    return _build(year, off, worked)


def _name(holiday: Any) -> str | None:
    value = getattr(holiday, "value", holiday)
    if isinstance(value, tuple):  # (english, chinese, length)
        value = value[0]
    return str(value)[:50] if value else None


def _entries(raw: Any, field: str) -> dict[date, str | None]:
    if not isinstance(raw, list):
        raise CalendarDataError(f"`{field}` must be a list")
    out: dict[date, str | None] = {}
    for item in raw:
        text, name = (item.get("date"), item.get("name")) if isinstance(item, dict) else (item, None)
        try:
            day = date.fromisoformat(str(text))
        except ValueError as exc:
            raise CalendarDataError(f"`{field}`: {text!r} is not a YYYY-MM-DD date") from exc
        out[day] = str(name)[:50] if name else None
    return out


def from_file(path: Path, year: int) -> list[DayRow]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CalendarDataError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("year") != year:
        raise CalendarDataError(f"{path} is not the calendar of {year} (its `year` is {data.get('year')!r})")
    return _build(
        year, _entries(data.get("holidays", []), "holidays"), _entries(data.get("workdays", []), "workdays")
    )


async def load_year(session: AsyncSession, year: int, file: Path | None = None) -> int:
    """Store `year` from `file` (an official file) or else from the package; returns the rows written."""
    rows = from_file(file, year) if file else from_package(year)
    source = CalendarSource.official_file if file else CalendarSource.chinese_calendar
    return await repository.upsert_days(session, year, rows, source)


async def seed_known_years(session: AsyncSession) -> list[int]:
    """Store every year the package knows that the table does not have yet (idempotent, cheap when done)."""
    have = set(await repository.known_years(session))
    added = []
    for year in package_years():
        if year not in have:
            await load_year(session, year)
            added.append(year)
    return added
