"""Date-range filters (CONTRACT.md: `from`, `to` as YYYY-MM-DD include both ends; one day is `from = to`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.models import Slot
from backend.catalogue.models import Service
from backend.core.clock import SHANGHAI, utcnow
from backend.core.daterange import DateRange, check_range, day_window
from tests.bookings.factories import World, make_resident, resident_headers, supplier_headers


async def _slot_at(session: AsyncSession, service: Service, day: date, at: time) -> Slot:
    start = datetime.combine(day, at, tzinfo=SHANGHAI)
    slot = Slot(service_id=service.id, start_at=start, end_at=start + timedelta(minutes=30), capacity=3)
    session.add(slot)
    await session.commit()
    return slot


def _day(offset: int) -> date:
    return (utcnow().astimezone(SHANGHAI) + timedelta(days=offset)).date()


async def test_one_day_is_from_equal_to(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """`?from=D&to=D` answers 200 with D's slots, from just after its midnight to just before the next."""
    day = _day(3)
    early = await _slot_at(session, world.elder_care, day, time(0, 0))
    late = await _slot_at(session, world.elder_care, day, time(23, 45))
    await _slot_at(session, world.elder_care, day - timedelta(days=1), time(23, 45))
    await _slot_at(session, world.elder_care, day + timedelta(days=1), time(0, 0))
    r = await client.get(f"/services/{world.elder_care.id}/slots?from={day}&to={day}")
    assert r.status_code == 200, r.text
    assert [s["id"] for s in r.json()["items"]] == [str(early.id), str(late.id)]
    assert r.json()["items"][1]["start_at"] == f"{day}T23:45:00+08:00"


async def test_both_ends_are_included(client: httpx.AsyncClient, session: AsyncSession, world: World) -> None:
    first, last = _day(2), _day(4)
    days = (first, _day(3), last)
    ids = [str((await _slot_at(session, world.elder_care, d, time(23, 30))).id) for d in days]
    await _slot_at(session, world.elder_care, _day(5), time(0, 0))
    r = await client.get(f"/services/{world.elder_care.id}/slots?from={first}&to={last}")
    assert r.status_code == 200 and [s["id"] for s in r.json()["items"]] == ids


async def test_range_limits(client: httpx.AsyncClient, session: AsyncSession, world: World) -> None:
    """`to` before `from` is 422 `invalid_range`; 31 days (both included) is the longest list."""
    url = f"/services/{world.elder_care.id}/slots"
    start = _day(1)
    backwards = await client.get(f"{url}?from={start}&to={start - timedelta(days=1)}")
    assert backwards.status_code == 422 and backwards.json()["code"] == "invalid_range"
    assert (await client.get(f"{url}?from={start}&to={start + timedelta(days=30)}")).status_code == 200
    too_long = await client.get(f"{url}?from={start}&to={start + timedelta(days=31)}")
    assert too_long.status_code == 422 and too_long.json()["code"] == "invalid_range"


async def test_default_is_seven_days_from_today(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """Without `to`, the list ends on the 7th day (from + 6), included; without `from`, it starts today."""
    inside = await _slot_at(session, world.elder_care, _day(6), time(23, 0))
    await _slot_at(session, world.elder_care, _day(7), time(0, 30))
    r = await client.get(f"/services/{world.elder_care.id}/slots")
    assert r.status_code == 200 and [s["id"] for s in r.json()["items"]] == [str(inside.id)]
    r = await client.get(f"/services/{world.elder_care.id}/slots?from={_day(0)}")
    assert [s["id"] for s in r.json()["items"]] == [str(inside.id)]


async def test_staff_booking_list_by_one_day(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """`GET /bookings?date=D` lists bookings of slots on the Shanghai day D, midnight to midnight."""
    day = _day(2)
    resident, ben = await make_resident(session)
    booked = []
    for d, at in ((day, time(0, 0)), (day, time(23, 59)), (day + timedelta(days=1), time(0, 0))):
        slot = await _slot_at(session, world.elder_care, d, at)
        r = await client.post(
            "/bookings",
            json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id)},
            headers=resident_headers(resident.id),
        )
        assert r.status_code == 201, r.text
        booked.append(r.json()["id"])
    r = await client.get(
        f"/bookings?service_id={world.elder_care.id}&date={day}", headers=supplier_headers(world.supplier.id)
    )
    assert r.status_code == 200 and [b["id"] for b in r.json()["items"]] == booked[:2]


def test_date_range_arithmetic() -> None:
    r = check_range(date(2026, 12, 4), date(2026, 12, 4), max_days=31)
    assert r == DateRange(date(2026, 12, 4), date(2026, 12, 4)) and r.days == 1
    start, end = r.window()
    assert start.isoformat() == "2026-12-04T00:00:00+08:00" and end.isoformat() == "2026-12-05T00:00:00+08:00"
    assert day_window(date(2026, 12, 31), date(2027, 1, 1))[1] == datetime(2027, 1, 2, tzinfo=SHANGHAI)
