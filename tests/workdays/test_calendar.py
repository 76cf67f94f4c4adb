"""Working-day deadlines follow the official calendar (State Council holiday notices, 调休 included), and a
year the calendar does not know counts weekends only, marked provisional, without failing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import SHANGHAI
from backend.workdays import loader
from backend.workdays.__main__ import parse, run_command
from backend.workdays.jobs import check_calendar, years_needed
from backend.workdays.models import CalendarDay
from backend.workdays.queries import Deadline, add_hours, add_working_days, is_working_day, known_years


def sh(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def due(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=SHANGHAI)


@pytest.fixture
async def no_2027(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """The calendar is reference data kept between tests: whatever a test loads for 2027 goes again."""
    yield session
    await session.execute(sa.delete(CalendarDay).where(CalendarDay.year == 2027))  # type: ignore[arg-type]
    await session.commit()


async def test_the_migration_seeded_the_years_the_package_knows(session: AsyncSession) -> None:
    years = await known_years(session)
    assert years[0] == 2004 and years[-1] == 2026 and 2027 not in years
    assert await is_working_day(session, date(2026, 2, 14)) is True  # Saturday, 调休 for the Spring Festival
    assert await is_working_day(session, date(2026, 2, 17)) is False  # 初一
    assert await is_working_day(session, date(2027, 1, 4)) is None


async def test_spring_festival_2026_with_its_adjusted_saturdays(session: AsyncSession) -> None:
    # Friday 13 Feb 2026 evening: the next working day is the 调休 Saturday 14 Feb.
    assert await add_working_days(session, sh(2026, 2, 13, 18), 1) == Deadline(due(2026, 2, 14), False)
    # From that Saturday, the holiday (15-23 Feb) is skipped: Tuesday 24 Feb.
    assert (await add_working_days(session, sh(2026, 2, 14), 1)).at == due(2026, 2, 24)
    # 15 working days (the 好差评 fix deadline): 14 Feb, 24-27 Feb, 28 Feb (调休 Saturday), 2-6 Mar, 9-12 Mar.
    assert await add_working_days(session, sh(2026, 2, 13, 18), 15) == Deadline(due(2026, 3, 12), False)


async def test_national_day_2026_with_its_adjusted_days(session: AsyncSession) -> None:
    # Sunday 20 Sep (Mid-Autumn 调休) works; 25-27 Sep and 1-7 Oct rest; Saturday 10 Oct works.
    assert (await add_working_days(session, sh(2026, 9, 19), 1)).at == due(2026, 9, 20)
    assert (await add_working_days(session, sh(2026, 9, 24), 1)).at == due(2026, 9, 28)
    assert (await add_working_days(session, sh(2026, 9, 30), 1)).at == due(2026, 10, 8)
    assert await add_working_days(session, sh(2026, 9, 30), 3) == Deadline(due(2026, 10, 10), False)


async def test_the_day_of_the_start_is_the_shanghai_day(session: AsyncSession) -> None:
    # 00:30 Saturday in Shanghai is still Friday in UTC: the count starts from Saturday (Shanghai).
    start = sh(2026, 3, 7, 0, 30)
    assert start.astimezone().utcoffset() is not None
    assert (await add_working_days(session, start, 1)).at == due(2026, 3, 9)
    # The deadline is a UTC-aware datetime: 23:59:59 +08:00 is 15:59:59 UTC.
    at = (await add_working_days(session, sh(2026, 3, 9, 9), 1)).at
    assert at.utcoffset() is not None and (at.hour, at.minute, at.second) == (15, 59, 59)
    with pytest.raises(ValueError, match="at least 1"):
        await add_working_days(session, start, 0)


async def test_into_an_unknown_year_counts_weekends_only_and_is_provisional(session: AsyncSession) -> None:
    before = REGISTRY.get_sample_value("workdays_provisional_deadlines_total") or 0.0
    # Wholly inside 2026: firm, even though the lookup window reaches into 2027.
    assert await add_working_days(session, sh(2026, 12, 28), 3) == Deadline(due(2026, 12, 31), False)
    # Thursday 31 Dec 2026 + 1: Friday 1 Jan 2027 is unknown, counted as a weekday, provisional.
    assert await add_working_days(session, sh(2026, 12, 31), 1) == Deadline(due(2027, 1, 1), True)
    # 24 Dec + 15: 25, 28-31 Dec (5), then 1, 4-8, 11-14 Jan 2027.
    assert await add_working_days(session, sh(2026, 12, 24), 15) == Deadline(due(2027, 1, 14), True)
    after = REGISTRY.get_sample_value("workdays_provisional_deadlines_total")
    assert after == before + 2


async def test_loading_an_official_file_firms_up_the_next_year(no_2027: AsyncSession, tmp_path: Path) -> None:
    session = no_2027
    official = tmp_path / "2027.json"
    official.write_text(
        json.dumps(
            {
                "year": 2027,
                "holidays": [{"date": "2027-01-01", "name": "元旦"}, "2027-01-02", "2027-01-03"],
                "workdays": [{"date": "2027-01-09", "name": "元旦调休"}],
            }
        ),
        encoding="utf-8",
    )
    assert await loader.load_year(session, 2027, official) == 365
    await session.commit()
    assert await add_working_days(session, sh(2026, 12, 31), 1) == Deadline(due(2027, 1, 4), False)
    assert (await add_working_days(session, sh(2027, 1, 8), 1)).at == due(2027, 1, 9)  # Saturday 调休
    # Loading again replaces the year (an upsert per day), it does not duplicate it.
    official.write_text(json.dumps({"year": 2027, "holidays": ["2027-01-01"]}), encoding="utf-8")
    assert await loader.load_year(session, 2027, official) == 365
    await session.commit()
    assert await is_working_day(session, date(2027, 1, 9)) is False
    count = await session.scalar(sa.select(sa.func.count()).where(CalendarDay.year == 2027))  # type: ignore[arg-type]
    assert count == 365


@pytest.mark.parametrize(
    "content, message",
    [
        ({"year": 2028, "holidays": []}, "not the calendar of 2027"),
        ({"year": 2027, "holidays": ["2027-02-30"]}, "not a YYYY-MM-DD date"),
        ({"year": 2027, "holidays": ["2026-12-31"]}, "outside 2027"),
        ({"year": 2027, "holidays": ["2027-01-09"], "workdays": ["2027-01-09"]}, "both off and worked"),
    ],
)
def test_a_malformed_file_is_refused(tmp_path: Path, content: dict[str, object], message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(loader.CalendarDataError, match=message):
        loader.from_file(path, 2027)


def test_the_package_refuses_a_year_it_does_not_know() -> None:
    with pytest.raises(loader.CalendarDataError, match="does not know 2027"):
        loader.from_package(2027)
    rows = loader.from_package(2026)
    assert len(rows) == 365 and sum(r.is_working_day for r in rows) == 248
    import chinese_calendar

    assert all(r.is_working_day == chinese_calendar.is_workday(r.day) for r in rows)


async def test_the_command_loads_a_year(no_2027: AsyncSession, tmp_path: Path) -> None:
    with pytest.raises(loader.CalendarDataError, match="does not know 2027"):
        await run_command(parse(["load", "--year", "2027"]))
    official = tmp_path / "2027.json"
    official.write_text(json.dumps({"year": 2027, "holidays": ["2027-01-01"]}), encoding="utf-8")
    assert (
        await run_command(parse(["load", "--year", "2027", "--file", str(official)]))
        == "2027: 365 days stored"
    )
    assert await is_working_day(no_2027, date(2027, 1, 1)) is False
    assert "2027]" in await run_command(parse(["status"]))
    assert await run_command(parse(["seed"])) == "years added: none"


async def test_the_check_warns_from_november_of_the_year_before(
    session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    assert years_needed(sh(2026, 10, 31, 23)) == [2026]
    assert years_needed(sh(2026, 11, 1, 0, 5)) == [2026, 2027]  # still 31 Oct in UTC
    assert await check_calendar(session, sh(2026, 6, 1)) == {"missing_years": []}
    assert REGISTRY.get_sample_value("workdays_calendar_missing_year", {"year": "2026"}) == 0
    with caplog.at_level("WARNING", logger="backend.workdays"):
        assert await check_calendar(session, sh(2026, 11, 2)) == {"missing_years": [2027]}
    assert REGISTRY.get_sample_value("workdays_calendar_missing_year", {"year": "2027"}) == 1
    assert "has no 2027" in caplog.text


def test_hours_are_calendar_hours() -> None:
    assert add_hours(sh(2026, 2, 16, 10), 48) == Deadline(sh(2026, 2, 18, 10), False)
