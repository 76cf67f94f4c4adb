"""Slots and weekly schedules: who opens them, capacity rules, the cached public list, the job."""

from __future__ import annotations

from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.jobs import GENERATE_SLOTS
from backend.bookings.models import Slot
from backend.core.clock import SHANGHAI, to_shanghai, utcnow
from backend.core.jobs import run_tick
from backend.core.settings import get_settings
from tests.bookings.factories import World, make_resident, make_slot, resident_headers, supplier_headers


def _iso(dt: object) -> str:
    return to_shanghai(dt).isoformat()  # type: ignore[arg-type]


async def test_supplier_opens_a_slot_and_residents_see_it(client: httpx.AsyncClient, world: World) -> None:
    start = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    body = {"start_at": _iso(start), "end_at": _iso(start + timedelta(hours=2)), "capacity": 4}
    url = f"/services/{world.elder_care.id}/slots"
    assert (
        await client.post(url, json=body, headers=supplier_headers(world.other_supplier.id))
    ).status_code == 404
    r = await client.post(url, json=body, headers=supplier_headers(world.supplier.id))
    assert r.status_code == 201, r.text
    assert r.json()["remaining"] == 4 and r.json()["status"] == "open"
    dup = await client.post(url, json=body, headers=supplier_headers(world.supplier.id))
    assert dup.status_code == 409 and dup.json()["code"] == "slot_exists"
    day = to_shanghai(start).date()
    listed = await client.get(f"{url}?from={day}&to={day}")
    assert listed.status_code == 200 and listed.headers.get("etag")
    assert [(s["id"], s["capacity"], s["remaining"], s["status"]) for s in listed.json()["items"]] == [
        (r.json()["id"], 4, 4, "open")
    ]
    assert listed.json()["items"][0]["start_at"] == _iso(start)


async def test_bad_slots_are_refused(client: httpx.AsyncClient, world: World) -> None:
    url = f"/services/{world.elder_care.id}/slots"
    staff = supplier_headers(world.supplier.id)
    start = utcnow() + timedelta(days=1)
    backwards = {"start_at": _iso(start), "end_at": _iso(start - timedelta(hours=1)), "capacity": 2}
    assert (await client.post(url, json=backwards, headers=staff)).status_code == 422
    past = {"start_at": _iso(start - timedelta(days=2)), "end_at": _iso(start), "capacity": 2}
    r = await client.post(url, json=past, headers=staff)
    assert r.status_code == 422 and r.json()["code"] == "invalid_range"
    zero = {"start_at": _iso(start), "end_at": _iso(start + timedelta(hours=1)), "capacity": 0}
    assert (await client.post(url, json=zero, headers=staff)).status_code == 422
    naive = {"start_at": "2030-01-01T08:00:00", "end_at": "2030-01-01T09:00:00", "capacity": 2}
    assert (await client.post(url, json=naive, headers=staff)).status_code == 422
    assert (
        await client.post(url, json={**zero, "capacity": 2}, headers=resident_headers(world.supplier.id))
    ).status_code == 403
    r = await client.get(f"/services/{world.elder_care.id}/slots?from=2026-12-10&to=2026-12-01")
    assert r.status_code == 422 and r.json()["code"] == "invalid_range"
    r = await client.get("/services/00000000-0000-0000-0000-000000000000/slots")
    assert r.status_code == 404


async def test_capacity_never_below_booked(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    slot = await make_slot(session, world.elder_care, capacity=3)
    for _ in range(2):
        resident, ben = await make_resident(session)
        await client.post(
            "/bookings",
            json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id)},
            headers=resident_headers(resident.id),
        )
    staff = supplier_headers(world.supplier.id)
    r = await client.patch(f"/slots/{slot.id}", json={"capacity": 1}, headers=staff)
    assert r.status_code == 409 and r.json()["code"] == "capacity_below_booked" and r.json()["booked"] == 2
    r = await client.patch(f"/slots/{slot.id}", json={"capacity": 2}, headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "full"
    r = await client.patch(
        f"/slots/{slot.id}", json={"capacity": 2}, headers=supplier_headers(world.other_supplier.id)
    )
    assert r.status_code == 404


async def test_the_cached_list_follows_every_booking(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    slot = await make_slot(session, world.elder_care, capacity=2)
    url = f"/services/{world.elder_care.id}/slots"
    assert (await client.get(url)).json()["items"][0]["remaining"] == 2
    assert (await client.get(url)).json()["items"][0]["remaining"] == 2  # served from the cache
    resident, ben = await make_resident(session)
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id)},
        headers=resident_headers(resident.id),
    )
    assert (await client.get(url)).json()["items"][0]["remaining"] == 1
    await client.post(f"/bookings/{r.json()['id']}/cancel", json={}, headers=resident_headers(resident.id))
    assert (await client.get(url)).json()["items"][0]["remaining"] == 2


async def test_weekly_schedule_opens_slots_ahead_idempotently(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    today = utcnow().astimezone(SHANGHAI).date()
    body = {
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "start_time": "23:58",
        "end_time": "23:59",
        "capacity": 8,
        "valid_from": str(today),
        "valid_to": str(today + timedelta(days=30)),
    }
    url = f"/services/{world.meal.id}/schedules"
    bad = await client.post(url, json={**body, "weekdays": [0]}, headers=supplier_headers(world.supplier.id))
    assert bad.status_code == 422
    bad = await client.post(
        url, json={**body, "end_time": "07:00"}, headers=supplier_headers(world.supplier.id)
    )
    assert bad.status_code == 422
    other = await client.post(url, json=body, headers=supplier_headers(world.other_supplier.id))
    assert other.status_code == 404
    r = await client.post(url, json=body, headers=supplier_headers(world.supplier.id))
    assert r.status_code == 201, r.text
    horizon = get_settings().slot_horizon_days
    opened = r.json()["slots_opened"]
    assert opened in (horizon, horizon + 1)  # today's slot too, unless it is already 23:58 in Shanghai
    count = sa.select(sa.func.count()).select_from(Slot).where(Slot.service_id == world.meal.id)  # type: ignore[arg-type]
    assert await session.scalar(count) == opened
    tick = GENERATE_SLOTS.tick_for(utcnow())
    assert await run_tick(GENERATE_SLOTS, tick)
    assert not await run_tick(GENERATE_SLOTS, tick)
    assert await session.scalar(count) == opened  # nothing new: already open up to the horizon
    starts = (
        (await session.execute(sa.select(Slot.start_at).where(Slot.service_id == world.meal.id)))
        .scalars()
        .all()
    )
    assert all(to_shanghai(s).strftime("%H:%M") == "23:58" for s in starts)


async def test_dates_beyond_the_calendar_are_422_not_500(client: httpx.AsyncClient, world: World) -> None:
    url = f"/services/{world.elder_care.id}/slots"
    staff = supplier_headers(world.supplier.id)
    for query in ("from=9999-12-31", "from=0001-01-01&to=0001-01-05", "from=9999-12-25"):
        r = await client.get(f"{url}?{query}")
        assert r.status_code == 422, (query, r.text)
    for start, end in [
        ("9999-12-31T20:00:00-12:00", "9999-12-31T21:00:00-12:00"),  # year 10000 in UTC
        ("9999-12-31T22:00:00+00:00", "9999-12-31T23:00:00+00:00"),  # overflows when shown at +08:00
    ]:
        r = await client.post(url, json={"start_at": start, "end_at": end, "capacity": 1}, headers=staff)
        assert r.status_code == 422, r.text
    start = utcnow() + timedelta(days=1)
    long = {"start_at": _iso(start), "end_at": _iso(start + timedelta(days=40)), "capacity": 1}
    assert (await client.post(url, json=long, headers=staff)).status_code == 422
    for day in ("9999-12-31", "0001-01-01"):
        r = await client.get(f"/bookings?service_id={world.elder_care.id}&date={day}", headers=staff)
        assert r.status_code == 422, r.text


async def test_meal_slots_show_when_orders_close(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    soon = await make_slot(session, world.meal, starts_in=timedelta(minutes=90))  # cut-off passed
    later = await make_slot(session, world.meal, starts_in=timedelta(hours=5))
    items = {i["id"]: i for i in (await client.get(f"/services/{world.meal.id}/slots")).json()["items"]}
    assert items[str(soon.id)]["status"] == "closed"
    assert items[str(later.id)]["status"] == "open"
    book_by = to_shanghai(later.start_at - timedelta(minutes=120)).isoformat()
    assert items[str(later.id)]["book_by"] == book_by
