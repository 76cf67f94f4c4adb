"""Redis behind three small interfaces (cache, rate limiter, lock), with in-process stand-ins for dev.
The cache's Redis side (epoch, bump notices, near cache) is `backend.core.redis_cache`.

Nothing whose loss would lose data lives only here: the database is the record, Redis is speed.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from backend.core.errors import ServiceUnavailable
from backend.core.i18n import Msg
from backend.core.near_cache import NearCache
from backend.core.redis_cache import RedisCache, bump_channel

log = logging.getLogger("backend.kv")


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...
    async def get_many(self, *keys: str) -> list[bytes | None]: ...
    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None: ...
    async def delete(self, *keys: str) -> None: ...
    async def incr(self, key: str) -> int: ...


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    count: int
    retry_after: int


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision: ...
    async def peek(self, key: str, limit: int, window_seconds: int) -> RateDecision: ...
    async def reset(self, key: str) -> None: ...


class Locks(Protocol):
    """Advisory locks, to avoid duplicate work: `lock()` yields True when held; False when the lock
    service is unreachable and the caller proceeds without it; LockNotAcquired when another holder kept
    it past `wait_seconds`. Never rely on one for correctness: the database decides."""

    def lock(
        self, name: str, *, ttl_seconds: float = 10, wait_seconds: float = 10
    ) -> AbstractAsyncContextManager[bool]: ...


class LockNotAcquired(ServiceUnavailable):
    code = "lock_timeout"
    title = Msg("系统繁忙，请稍后再试", "The system is busy, try again shortly")


# ---------------------------------------------------------------- in-process (dev and tests without Redis)


class MemoryCache:
    def __init__(self) -> None:
        self._data: dict[str, tuple[bytes, float]] = {}

    async def get(self, key: str) -> bytes | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires < time.monotonic():
            self._data.pop(key, None)
            return None
        return value

    async def get_many(self, *keys: str) -> list[bytes | None]:
        return [await self.get(key) for key in keys]

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        self._data[key] = (value, time.monotonic() + ttl_seconds)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._data.pop(key, None)

    async def incr(self, key: str) -> int:
        current = int((await self.get(key)) or b"0") + 1
        self._data[key] = (str(current).encode(), time.monotonic() + 86400 * 30)
        return current


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._hits: dict[str, list[float]] = {}

    def _window(self, key: str, window_seconds: int) -> list[float]:
        now = time.monotonic()
        hits = [t for t in self._hits.get(key, []) if t > now - window_seconds]
        self._hits[key] = hits
        return hits

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        hits = self._window(key, window_seconds)
        hits.append(time.monotonic())
        return _decide(len(hits), limit, window_seconds)

    async def peek(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        hits = self._window(key, window_seconds)
        decision = _decide(len(hits), limit, window_seconds, peek=True)
        if decision.allowed:
            return decision
        # Allowed again once enough of the oldest hits have left the window: a countdown, not a constant.
        frees_at = hits[len(hits) - limit] + window_seconds
        return RateDecision(False, len(hits), max(1, math.ceil(frees_at - time.monotonic())))

    async def reset(self, key: str) -> None:
        self._hits.pop(key, None)


class MemoryLocks:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def lock(
        self, name: str, *, ttl_seconds: float = 10, wait_seconds: float = 10
    ) -> AsyncIterator[bool]:
        lock = self._locks.setdefault(name, asyncio.Lock())
        try:
            await asyncio.wait_for(lock.acquire(), timeout=wait_seconds)
        except TimeoutError as exc:
            raise LockNotAcquired() from exc
        try:
            yield True
        finally:
            lock.release()


def _decide(count: int, limit: int, window_seconds: int, *, peek: bool = False) -> RateDecision:
    allowed = count < limit if peek else count <= limit
    return RateDecision(allowed=allowed, count=count, retry_after=0 if allowed else window_seconds)


# ---------------------------------------------------------------- Redis


# Sliding window over a sorted set: trim, add, count, expire, in one round trip.
_HIT_SCRIPT = """
local key, now, window, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
redis.call('ZREMRANGEBYSCORE', key, 0, now - window * 1000)
redis.call('ZADD', key, now, member)
redis.call('PEXPIRE', key, window * 1000)
return redis.call('ZCARD', key)
"""


# Count within the window and, when at the limit, the milliseconds until enough hits have left it.
_PEEK_SCRIPT = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local from = now - window * 1000
local count = redis.call('ZCOUNT', key, from, '+inf')
local wait = 0
if limit > 0 and count >= limit then
  local hit = redis.call('ZRANGEBYSCORE', key, from, '+inf', 'WITHSCORES', 'LIMIT', count - limit, 1)
  wait = tonumber(hit[2]) + window * 1000 - now
end
return {count, wait}
"""


class RedisRateLimiter:
    def __init__(self, redis: Redis, prefix: str, *, fail_closed: bool) -> None:
        self._r, self._p, self._fail_closed = redis, prefix + "rl:", fail_closed
        self._script = redis.register_script(_HIT_SCRIPT)
        self._peek_script = redis.register_script(_PEEK_SCRIPT)

    def _unavailable(self, limit: int, window_seconds: int) -> RateDecision:
        log.error("rate limiter unavailable (fail_closed=%s)", self._fail_closed, exc_info=True)
        if self._fail_closed:
            return RateDecision(allowed=False, count=limit + 1, retry_after=window_seconds)
        return RateDecision(allowed=True, count=0, retry_after=0)

    async def hit(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        now_ms = int(time.time() * 1000)
        try:
            count = int(
                await self._script(keys=[self._p + key], args=[now_ms, window_seconds, uuid.uuid4().hex])
            )
        except RedisError:
            return self._unavailable(limit, window_seconds)
        return _decide(count, limit, window_seconds)

    async def peek(self, key: str, limit: int, window_seconds: int) -> RateDecision:
        now_ms = int(time.time() * 1000)
        try:
            count, wait_ms = await self._peek_script(
                keys=[self._p + key], args=[now_ms, window_seconds, limit]
            )
        except RedisError:
            return self._unavailable(limit, window_seconds)
        decision = _decide(int(count), limit, window_seconds, peek=True)
        if decision.allowed:
            return decision
        return RateDecision(False, int(count), max(1, math.ceil(int(wait_ms) / 1000)))

    async def reset(self, key: str) -> None:
        try:
            await self._r.delete(self._p + key)
        except RedisError:
            log.warning("rate limiter reset failed", exc_info=True)


class RedisLocks:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._r, self._p = redis, prefix + "lock:"

    @asynccontextmanager
    async def lock(
        self, name: str, *, ttl_seconds: float = 10, wait_seconds: float = 10
    ) -> AsyncIterator[bool]:
        lock = self._r.lock(self._p + name, timeout=ttl_seconds, blocking_timeout=wait_seconds)
        try:
            acquired = await lock.acquire()
        except RedisError:
            # Locks only save duplicate work (a double tap, a token fetched twice); with Redis unreachable
            # the caller proceeds without one (False) rather than failing.
            log.warning("lock %s not available (redis unreachable): proceeding without it", name)
            yield False
            return
        if not acquired:
            raise LockNotAcquired()
        try:
            yield True
        finally:
            try:
                await lock.release()
            except RedisError:
                log.warning("lock %s expired before release", name)


# ---------------------------------------------------------------- the process-wide set


@dataclass
class KV:
    cache: Cache
    limiter: RateLimiter
    locks: Locks
    redis: Redis | None = None

    @property
    def near(self) -> NearCache | None:
        """Bodies kept in process while Redis says they are current (`backend.core.near_cache`)."""
        return self.cache.near if isinstance(self.cache, RedisCache) else None

    def start(self) -> None:
        """Follow the cache's bump channel (a served process: the app's lifespan). Without it, every read
        goes to Redis as before."""
        if self.near is not None:
            self.near.start()

    async def ping(self) -> bool:
        if self.redis is None:
            return True
        try:
            return bool(await self.redis.ping())
        except RedisError:
            return False

    async def close(self) -> None:
        if self.near is not None:
            await self.near.stop()
        if self.redis is not None:
            await self.redis.aclose()


def build_kv(redis_url: str | None, *, prefix: str, fail_closed: bool) -> KV:
    if not redis_url:
        return KV(cache=MemoryCache(), limiter=MemoryRateLimiter(), locks=MemoryLocks())
    # One immediate retry on a broken connection (a restarted Redis), then a miss: never seconds of backoff.
    redis = Redis.from_url(
        redis_url,
        socket_timeout=2,
        socket_connect_timeout=2,
        health_check_interval=30,
        retry=Retry(NoBackoff(), 1),
        retry_on_error=[RedisConnectionError],
    )
    # The near cache's subscriber has its own client: no silent reconnect (bumps missed meanwhile would go
    # unnoticed) and no read timeout (it waits for messages; it pings to know Redis is there).
    listener = Redis.from_url(redis_url, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0))
    return KV(
        cache=RedisCache(redis, prefix, near=NearCache(listener, bump_channel(prefix))),
        limiter=RedisRateLimiter(redis, prefix, fail_closed=fail_closed),
        locks=RedisLocks(redis, prefix),
        redis=redis,
    )


_kv: KV | None = None


def get_kv() -> KV:
    global _kv
    if _kv is None:
        from backend.core.settings import AppEnv, get_settings

        s = get_settings()
        _kv = build_kv(s.redis_url, prefix=s.redis_key_prefix, fail_closed=s.app_env == AppEnv.prod)
    return _kv


def set_kv(kv: KV | None) -> None:
    global _kv
    _kv = kv
