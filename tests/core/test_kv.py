"""The cache, rate limiter and lock behave the same on Redis and in process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from backend.core.kv import KV, LockNotAcquired, RedisRateLimiter, build_kv
from tests.conftest import HAVE_REDIS, REDIS_URL, RUN_ID


@pytest.fixture(params=["memory", "redis"])
async def kv(request: pytest.FixtureRequest) -> AsyncIterator[KV]:
    if request.param == "redis" and not HAVE_REDIS:
        pytest.skip("needs Redis")
    url = REDIS_URL if request.param == "redis" else None
    store = build_kv(url, prefix=f"test:{RUN_ID}:kv:{uuid.uuid4().hex[:6]}:", fail_closed=False)
    yield store
    await store.close()


async def test_cache_round_trip_and_expiry(kv: KV) -> None:
    assert await kv.cache.get("a") is None
    await kv.cache.set("a", b"1", ttl_seconds=1)
    assert await kv.cache.get("a") == b"1"
    await kv.cache.delete("a")
    assert await kv.cache.get("a") is None
    assert await kv.cache.incr("v") == 1
    assert await kv.cache.incr("v") == 2


async def test_rate_limiter_counts_within_the_window(kv: KV) -> None:
    decisions = [await kv.limiter.hit("login:alice", limit=3, window_seconds=60) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[-1].retry_after == 60
    assert not (await kv.limiter.peek("login:alice", limit=3, window_seconds=60)).allowed
    await kv.limiter.reset("login:alice")
    assert (await kv.limiter.peek("login:alice", limit=3, window_seconds=60)).allowed


async def test_lock_excludes_and_times_out(kv: KV) -> None:
    order: list[str] = []

    async def holder() -> None:
        async with kv.locks.lock("token", ttl_seconds=5, wait_seconds=5):
            order.append("a-in")
            await asyncio.sleep(0.2)
            order.append("a-out")

    async def waiter() -> None:
        await asyncio.sleep(0.05)
        async with kv.locks.lock("token", ttl_seconds=5, wait_seconds=5):
            order.append("b-in")

    await asyncio.gather(holder(), waiter())
    assert order == ["a-in", "a-out", "b-in"]

    async with kv.locks.lock("busy", ttl_seconds=5, wait_seconds=1):
        with pytest.raises(LockNotAcquired):
            async with kv.locks.lock("busy", ttl_seconds=5, wait_seconds=0.1):
                pass


async def test_rate_limiter_fails_closed_when_redis_is_down() -> None:
    down = build_kv("redis://127.0.0.1:1/0", prefix="x:", fail_closed=True)
    assert isinstance(down.limiter, RedisRateLimiter)
    decision = await down.limiter.hit("login:bob", limit=5, window_seconds=60)
    assert not decision.allowed
    open_kv = build_kv("redis://127.0.0.1:1/0", prefix="x:", fail_closed=False)
    assert (await open_kv.limiter.hit("login:bob", limit=5, window_seconds=60)).allowed
    assert await down.cache.get("anything") is None  # a cache miss, never an error
    await down.close()
    await open_kv.close()
