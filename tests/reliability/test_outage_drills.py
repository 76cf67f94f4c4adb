"""Outages under load against a real app process (issue 15): the database cut through a test-owned TCP
proxy (503 with Retry-After during, recovery after, nothing unanswered), and a test-owned redis-server
stopped and restarted (bookings and slot lists keep working; nothing stale afterwards)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.bookings.factories import make_many_residents, make_slot, make_world, resident_headers
from tests.reliability.conftest import Launcher, wait_healthy
from tests.reliability.drills import Tally, active_bookings, book, booked, existing_ids
from tests.reliability.proxy import TcpProxy
from tests.reliability.servers import RedisServer

RESULTS: dict[str, str] = {}


async def _mixed_load(
    c: httpx.AsyncClient,
    service_id: uuid.UUID,
    slot_id: uuid.UUID,
    people: list[tuple[uuid.UUID, uuid.UUID]],
    seconds: float,
    phases: dict[str, Tally],
    phase: list[str],
) -> None:
    """Bookings, slot lists and a resident's own list, round-robin, until `seconds` have passed."""
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        resident, beneficiary = people[i % len(people)]
        i += 1
        current = phases[phase[0]]
        if i % 3 == 0:
            await book(c, current, slot_id, resident, beneficiary)
        else:
            path = f"/api/v1/services/{service_id}/slots" if i % 3 == 1 else "/api/v1/me/bookings"
            try:
                current.record(await c.get(path, headers=resident_headers(resident)))
            except httpx.HTTPError:
                current.no_reply += 1


async def test_database_cut_and_restored_under_load(
    rel_session: AsyncSession, rel_database: str, launcher: Launcher, redis_server: RedisServer
) -> None:
    world = await make_world(rel_session)
    slot = await make_slot(rel_session, world.elder_care, capacity=1000, starts_in=timedelta(days=3))
    people = await make_many_residents(rel_session, 200)
    proxy = TcpProxy("127.0.0.1", 5432)
    port = await proxy.start()
    app = launcher.app(rel_database.replace("127.0.0.1:5432", f"127.0.0.1:{port}"), redis_server.url)
    await wait_healthy(app.url)
    phases = {"before": Tally(), "during": Tally(), "after": Tally()}
    phase = ["before"]

    def load(some: list[tuple[uuid.UUID, uuid.UUID]], seconds: float) -> Coroutine[Any, Any, None]:
        return _mixed_load(c, world.elder_care.id, slot.id, some, seconds, phases, phase)

    try:
        async with httpx.AsyncClient(
            base_url=app.url, timeout=20, limits=httpx.Limits(max_connections=8)
        ) as c:
            workers = [
                asyncio.create_task(
                    _mixed_load(c, world.elder_care.id, slot.id, people[k::8], 14, phases, phase)
                )
                for k in range(8)
            ]
            await asyncio.sleep(3)
            phase[0] = "during"
            await proxy.cut()
            await asyncio.sleep(5)
            await proxy.restore()
            phase[0] = "after"
            await asyncio.wait_for(asyncio.gather(*workers), timeout=40)
            # recovery: the database answers again through the restored proxy
            r = await c.get("/api/v1/me/bookings", headers=resident_headers(people[0][0]))
            assert r.status_code == 200
    finally:
        await proxy.stop()
    RESULTS["database cut"] = "; ".join(f"{k}: {t.summary()}" for k, t in phases.items())
    print("database cut:", RESULTS["database cut"])
    during, after = phases["during"], phases["after"]
    for t in phases.values():
        assert t.no_reply == 0, t.summary()  # every request answered, keep-alive connections kept
        assert t.missing_retry_after == 0
        assert set(t.statuses) <= {200, 201, 409, 503}, t.summary()
    # Before the cut only the requests in flight when it came (one per worker at most) lost their database.
    assert phases["before"].statuses[503] <= 8, phases["before"].summary()
    assert during.statuses[503] > 0 and set(during.codes) <= {"database_unavailable", "slot_full"}
    assert after.statuses[200] > 0
    created = [i for t in phases.values() for i in t.created]
    assert await existing_ids(rel_session, created) == set(created)  # every 201 is in the database
    assert await booked(rel_session, slot.id) == await active_bookings(rel_session, slot.id)


async def test_redis_stopped_and_restarted_under_load(
    rel_session: AsyncSession, rel_database: str, launcher: Launcher, redis_server: RedisServer
) -> None:
    world = await make_world(rel_session)
    slot = await make_slot(rel_session, world.elder_care, capacity=1000, starts_in=timedelta(days=4))
    people = await make_many_residents(rel_session, 200)
    app = launcher.app(rel_database, redis_server.url)
    await wait_healthy(app.url)
    phases = {"before": Tally(), "during": Tally(), "after": Tally()}
    phase = ["before"]

    def load(some: list[tuple[uuid.UUID, uuid.UUID]], seconds: float) -> Coroutine[Any, Any, None]:
        return _mixed_load(c, world.elder_care.id, slot.id, some, seconds, phases, phase)

    async with httpx.AsyncClient(base_url=app.url, timeout=20, limits=httpx.Limits(max_connections=8)) as c:
        workers = [
            asyncio.create_task(_mixed_load(c, world.elder_care.id, slot.id, people[k::8], 12, phases, phase))
            for k in range(8)
        ]
        await asyncio.sleep(3)
        phase[0] = "during"
        redis_server.stop()
        await asyncio.sleep(4)
        redis_server.start()
        phase[0] = "after"
        await asyncio.wait_for(asyncio.gather(*workers), timeout=40)
        await asyncio.sleep(1.5)  # the epoch is read at most a second apart
        r = await c.get(f"/api/v1/services/{world.elder_care.id}/slots")
        remaining = {s["id"]: s["remaining"] for s in r.json()["items"]}
    RESULTS["redis restart"] = "; ".join(f"{k}: {t.summary()}" for k, t in phases.items())
    print("redis restart:", RESULTS["redis restart"])
    for t in phases.values():
        assert t.no_reply == 0 and not any(s >= 500 for s in t.statuses), t.summary()
    assert phases["during"].statuses[201] > 0  # bookings kept working without Redis
    created = [i for t in phases.values() for i in t.created]
    assert await existing_ids(rel_session, created) == set(created)
    active = await active_bookings(rel_session, slot.id)
    assert await booked(rel_session, slot.id) == active
    assert remaining[str(slot.id)] == 1000 - active  # the slot list agrees with the database


async def test_slot_list_is_fresh_after_a_redis_partition_heals(
    rel_session: AsyncSession, rel_database: str, launcher: Launcher, redis_server: RedisServer
) -> None:
    """Finding 3: a booking made while the app could not reach Redis missed its cache invalidation; the
    list cached before the partition must not come back when Redis answers again."""
    world = await make_world(rel_session)
    slot = await make_slot(rel_session, world.elder_care, capacity=10, starts_in=timedelta(days=5))
    (resident, beneficiary), *_ = await make_many_residents(rel_session, 1)
    proxy = TcpProxy("127.0.0.1", redis_server.port)
    port = await proxy.start()
    app = launcher.app(rel_database, f"redis://127.0.0.1:{port}/0")
    await wait_healthy(app.url)
    path = f"/api/v1/services/{world.elder_care.id}/slots"
    try:
        async with httpx.AsyncClient(base_url=app.url, timeout=20) as c:
            before = (await c.get(path)).json()["items"]
            assert before[0]["remaining"] == 10  # cached now
            await proxy.cut()
            tally = Tally()
            await book(c, tally, slot.id, resident, beneficiary)
            assert tally.statuses[201] == 1, tally.summary()
            await proxy.restore()
            after = (await c.get(path)).json()["items"]
    finally:
        await proxy.stop()
    assert after[0]["remaining"] == 9
