"""Bookings across processes and a worker killed mid-load (issue 15): exactly `capacity` confirmed, every
201 found in the database afterwards, `booked` equal to the active bookings."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.bookings.factories import make_many_residents, make_slot, make_world
from tests.reliability.conftest import Launcher, wait_healthy
from tests.reliability.drills import Tally, active_bookings, book, booked, existing_ids, run_bounded
from tests.reliability.servers import RedisServer

RESULTS: dict[str, str] = {}


async def test_two_processes_race_400_bookings_for_10_places(
    rel_session: AsyncSession, rel_database: str, launcher: Launcher, redis_server: RedisServer
) -> None:
    world = await make_world(rel_session)
    slot = await make_slot(rel_session, world.elder_care, capacity=10)
    people = await make_many_residents(rel_session, 400)
    apps = [launcher.app(rel_database, redis_server.url) for _ in range(2)]
    for a in apps:
        await wait_healthy(a.url)

    tally = Tally()
    clients = [httpx.AsyncClient(base_url=a.url, timeout=30) for a in apps]
    try:
        targets = itertools.cycle(clients)
        await asyncio.wait_for(
            run_bounded([book(next(targets), tally, slot.id, r, b) for r, b in people], concurrency=40),
            timeout=50,
        )
    finally:
        for c in clients:
            await c.aclose()
    RESULTS["race"] = tally.summary()
    print("race:", tally.summary())
    assert tally.statuses[201] == 10, tally.summary()
    assert tally.no_reply == 0 and not any(s >= 500 for s in tally.statuses), tally.summary()
    assert await active_bookings(rel_session, slot.id) == 10
    assert await booked(rel_session, slot.id) == 10


async def test_worker_killed_mid_load_loses_no_confirmed_booking(
    rel_session: AsyncSession, rel_database: str, launcher: Launcher, redis_server: RedisServer
) -> None:
    world = await make_world(rel_session)
    slots = [
        await make_slot(rel_session, world.elder_care, capacity=100, starts_in=timedelta(days=1 + d))
        for d in range(3)
    ]
    people = await make_many_residents(rel_session, 300)
    victim, survivor = (launcher.app(rel_database, redis_server.url) for _ in range(2))
    for a in (victim, survivor):
        await wait_healthy(a.url)

    tally = Tally()
    async with (
        httpx.AsyncClient(base_url=victim.url, timeout=20) as v,
        httpx.AsyncClient(base_url=survivor.url, timeout=20) as s,
    ):
        jobs = [book(v if i % 2 else s, tally, slots[i % 3].id, r, b) for i, (r, b) in enumerate(people)]
        load = asyncio.create_task(run_bounded(jobs, concurrency=30))
        for _ in range(100):  # mid-load: once both workers have answered a good part
            if len(tally.created) >= 60:
                break
            await asyncio.sleep(0.1)
        victim.kill9()  # requests in flight on the victim get no answer
        await asyncio.wait_for(load, timeout=50)
        # The clients whose answer was lost retry with the same Idempotency-Key on the survivor.
        retry = Tally()
        lost = [(i, r, b) for i, (r, b) in enumerate(people) if i % 2]
        retries = [book(s, retry, slots[i % 3].id, r, b, honour_in_flight=True) for i, r, b in lost]
        await asyncio.wait_for(run_bounded(retries, concurrency=30), timeout=40)

    RESULTS["kill9"] = f"load: {tally.summary()}; retries on the survivor: {retry.summary()}"
    print("kill -9:", RESULTS["kill9"])
    found = await existing_ids(rel_session, tally.created + retry.created)
    assert found == set(tally.created + retry.created)  # every 201 is in the database
    assert not any(s >= 500 and s != 503 for s in retry.statuses), retry.summary()
    for slot in slots:
        assert await booked(rel_session, slot.id) == await active_bookings(rel_session, slot.id)
    # every resident ends up with exactly one booking: the retries replayed or completed the lost ones
    assert retry.statuses[201] == len(lost), retry.summary()
    total = sum([await active_bookings(rel_session, slot.id) for slot in slots])
    assert total == len(people)
