"""Cached bodies kept in process (`backend.core.near_cache`): served with no round trip only while Redis
says none of their counters moved, on real Redis; issue 14 (the slot listing of the morning rush)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from backend.core.kv import KV, build_kv
from backend.core.near_cache import Near, NearCache
from tests.conftest import HAVE_REDIS, REDIS_URL, RUN_ID
from tests.reliability.servers import HAVE_REDIS_SERVER, RedisServer

pytestmark = pytest.mark.skipif(not HAVE_REDIS, reason="needs Redis")

COUNTER = "ver:slots:one"


async def eventually(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


def keep(near: NearCache, key: str, body: bytes = b"[]") -> Near:
    entry = Near(body, '"etag"', (COUNTER,), near.mark((COUNTER,)), time.monotonic() + 60)
    near.put(key, entry)
    return entry


@pytest.fixture
async def processes() -> AsyncIterator[tuple[KV, KV]]:
    """Two processes' stores on one Redis and one key prefix, both following the bump channel."""
    prefix = f"test:{RUN_ID}:near:{uuid.uuid4().hex[:6]}:"
    stores = tuple(build_kv(REDIS_URL, prefix=prefix, fail_closed=False) for _ in range(2))
    for kv in stores:
        kv.start()
    for kv in stores:
        assert kv.near is not None
        await eventually(kv.near.trusted)
    # The first call under a new prefix sets the epoch, which every process hears as "forget everything".
    reader = stores[1].near
    assert reader is not None
    before = reader.mark(())
    await stores[0].cache.get("prime")
    await eventually(lambda: reader.mark(()) != before)
    yield stores[0], stores[1]
    for kv in stores:
        await kv.close()


async def test_a_bump_in_one_process_drops_the_body_in_the_other(processes: tuple[KV, KV]) -> None:
    writer, reader = processes
    assert writer.near is not None and reader.near is not None
    keep(writer.near, "body")
    keep(reader.near, "body")
    assert reader.near.get("body") is not None

    await writer.cache.incr(COUNTER)
    assert writer.near.get("body") is None  # the writer's process: at once, before any notice
    await eventually(lambda: reader.near is not None and reader.near.get("body") is None)


async def test_a_body_read_before_a_bump_is_not_kept(processes: tuple[KV, KV]) -> None:
    """The counters were read, then a bump landed before the body was kept: it may be old, so not kept."""
    writer, reader = processes
    assert reader.near is not None
    mark = reader.near.mark((COUNTER,))
    await writer.cache.incr(COUNTER)
    await eventually(lambda: reader.near is not None and reader.near.mark((COUNTER,)) != mark)
    reader.near.put("body", Near(b"old", '"e"', (COUNTER,), mark, time.monotonic() + 60))
    assert reader.near.get("body") is None


async def test_other_counters_leave_a_body_alone(processes: tuple[KV, KV]) -> None:
    writer, reader = processes
    assert reader.near is not None
    keep(reader.near, "body")
    await writer.cache.incr("ver:slots:another")
    await eventually(lambda: reader.near is not None and "ver:slots:another" in reader.near._counts)
    assert reader.near.get("body") is not None


async def test_nothing_is_kept_past_its_ttl(processes: tuple[KV, KV]) -> None:
    _, reader = processes
    assert reader.near is not None
    near = reader.near
    near.put("body", Near(b"[]", '"e"', (COUNTER,), near.mark((COUNTER,)), time.monotonic() - 1))
    assert near.get("body") is None


async def test_an_unstarted_store_keeps_nothing() -> None:
    """A process that does not follow the channel (a job, a script) never trusts a kept body."""
    kv = build_kv(REDIS_URL, prefix=f"test:{RUN_ID}:near-off:", fail_closed=False)
    try:
        assert kv.near is not None and not kv.near.trusted()
        keep(kv.near, "body")
        assert kv.near.get("body") is None
    finally:
        await kv.close()


async def test_the_size_is_bounded_oldest_first() -> None:
    kv = build_kv(REDIS_URL, prefix=f"test:{RUN_ID}:near-size:", fail_closed=False)
    assert kv.near is not None
    near = NearCache(kv.near._redis, kv.cache.channel, max_bytes=10)  # type: ignore[attr-defined]
    near.start()
    try:
        await eventually(near.trusted)
        keep(near, "a", b"12345")
        keep(near, "b", b"12345")
        assert near.get("a") is not None  # now the most recent
        keep(near, "c", b"12345")
        assert near.get("b") is None and near.get("a") is not None and near.get("c") is not None
    finally:
        await near.stop()
        await kv.close()


@pytest.mark.skipif(not HAVE_REDIS_SERVER, reason="needs redis-server")
async def test_a_lost_redis_trusts_nothing_and_a_restart_forgets_everything() -> None:
    """Bumps sent while this process could not hear them would be missed: nothing kept is served while the
    channel is down, and nothing kept before is served after it is back."""
    with RedisServer() as server:
        kv = build_kv(server.url, prefix="near:", fail_closed=False)
        kv.start()
        near = kv.near
        assert near is not None
        try:
            await eventually(near.trusted)
            keep(near, "body")
            server.stop()
            await eventually(lambda: not near.trusted())
            assert near.get("body") is None
            keep(near, "while-down")  # refused: not trusted
            server.start()
            await eventually(near.trusted)
            assert near.get("body") is None and near.get("while-down") is None
            keep(near, "after")
            assert near.get("after") is not None
        finally:
            await kv.close()


async def test_an_epoch_bump_forgets_every_body(processes: tuple[KV, KV]) -> None:
    """A process that missed invalidations bumps the cache's epoch once Redis answers again: every
    process then drops what it kept."""
    writer, reader = processes
    assert reader.near is not None
    keep(reader.near, "body")
    writer.cache._missed = True  # type: ignore[attr-defined]  # as after a failed call
    await writer.cache.get("anything")  # the next call that reaches Redis bumps the epoch
    await eventually(lambda: reader.near is not None and reader.near.get("body") is None)
