"""The response cache on Redis: keys under an epoch that moves when invalidations may have been lost,
and counter bumps announced to every process's near cache (`backend.core.near_cache`)."""

from __future__ import annotations

import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from backend.core.near_cache import NearCache

log = logging.getLogger("backend.kv")


def bump_channel(prefix: str) -> str:
    """The channel every counter bump under `prefix` is announced on."""
    return prefix + "cache-bumps"


# The cache's epoch: every cache key lives under `e{epoch}:`. A process that could not reach Redis may
# have missed invalidations (a delete or a version bump that failed), and a Redis restarted from an old
# snapshot may hold entries deleted since: in both cases the epoch is bumped, and every cached entry is
# left behind at once. The script bumps when asked to (`ARGV[2] == '1'`) or when the Redis instance is not
# the one that set the epoch (its `run_id` changed: a restart or a failover).
_EPOCH_SCRIPT = """
local epoch = redis.call('GET', KEYS[1])
if ARGV[2] == '1' or not epoch or redis.call('GET', KEYS[2]) ~= ARGV[1] then
  epoch = redis.call('INCR', KEYS[1])
  redis.call('SET', KEYS[2], ARGV[1])
  redis.call('PUBLISH', KEYS[3], '*')
end
return epoch
"""

# A counter's bump and its notice to every process's near cache (`backend.core.near_cache`), in one call:
# the notice is in every subscriber's socket before the writer hears back.
_BUMP_SCRIPT = """
local value = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', KEYS[2], ARGV[1])
return value
"""


class RedisCache:
    """Redis as an accelerator: failures are misses, and after any failure the epoch is bumped on the
    first call that reaches Redis again, so nothing cached before an outage outlives it. Other processes
    read the epoch at most `epoch_check_seconds` apart."""

    def __init__(
        self, redis: Redis, prefix: str, *, epoch_check_seconds: float = 1.0, near: NearCache | None = None
    ) -> None:
        self._r, self._p = redis, prefix
        self.near = near
        self.channel = bump_channel(prefix)
        self._epoch_script = redis.register_script(_EPOCH_SCRIPT)
        self._bump_script = redis.register_script(_BUMP_SCRIPT)
        self._epoch_keys = [prefix + "cache-epoch", prefix + "cache-epoch-run-id", self.channel]
        self._epoch: str | None = None
        self._checked_at = 0.0
        self._check_every = epoch_check_seconds
        self._missed = False  # a call failed: invalidations may have been lost

    async def redis_key(self, key: str) -> str:
        """The Redis key of `key` under the current epoch (for tests and tools inspecting Redis)."""
        now = time.monotonic()
        if self._epoch is None or self._missed or now - self._checked_at >= self._check_every:
            info = await self._r.info("server")
            bump = "1" if self._missed else "0"
            epoch = await self._epoch_script(keys=self._epoch_keys, args=[str(info.get("run_id", "")), bump])
            if self._missed:
                log.warning("redis reachable again: cache epoch bumped to %s", epoch)
            self._epoch = str(int(epoch))
            self._checked_at, self._missed = now, False
        return f"{self._p}e{self._epoch}:{key}"

    def _failed(self, what: str) -> None:
        self._missed = True
        log.warning("cache %s failed", what, exc_info=True)

    async def get(self, key: str) -> bytes | None:
        try:
            value = await self._r.get(await self.redis_key(key))
            return value if value is None or isinstance(value, bytes) else str(value).encode()
        except RedisError:
            self._failed("get")
            return None  # a cache miss, never an error

    async def get_many(self, *keys: str) -> list[bytes | None]:
        """Several keys in one round trip (MGET); all misses when Redis fails."""
        try:
            values = await self._r.mget([await self.redis_key(k) for k in keys])
        except RedisError:
            self._failed("get")
            return [None] * len(keys)
        return [v if v is None or isinstance(v, bytes) else str(v).encode() for v in values]

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        try:
            await self._r.set(await self.redis_key(key), value, ex=ttl_seconds)
        except RedisError:
            self._failed("set")

    async def delete(self, *keys: str) -> None:
        if not keys:
            return
        try:
            await self._r.delete(*[await self.redis_key(k) for k in keys])
        except RedisError:
            self._failed("delete")

    async def incr(self, key: str) -> int:
        """Bump a counter, and tell every process's near cache that it moved."""
        try:
            return int(await self._bump_script(keys=[await self.redis_key(key), self.channel], args=[key]))
        except RedisError:
            self._failed("incr")
            return int(time.time() * 1000)  # a fresh value makes every versioned key miss
        finally:
            if self.near is not None:  # after the INCR: no body read before it is trusted here again
                self.near.bumped(key)
