"""Cached bodies kept in the process, in front of Redis, trusted only while Redis says nothing changed.

The shared response cache (`backend.core.http_cache`) serves a hit in one Redis round trip; on the morning
rush's hottest read, that round trip was most of the request's cost. A `NearCache` keeps the bodies it has
served in the process and serves them again with no round trip, for as long as it *knows* that none of the
counters they were built at has moved:

- Every counter bump (`RedisCache.incr`) publishes the counter's key on the cache's bump channel, in the
  same Lua call as the INCR, and marks it here at once (so the writer's process never serves its old body).
- A subscriber task per process follows that channel and marks each key it hears of. A body is trusted
  only if no mark touched its counters since the counters were read for it (`mark` before the read,
  checked again at `put` and at every `get`).
- Nothing is trusted unless the subscriber is connected and heard from Redis (a message, or the answer to
  its once-a-second PING) within `STALE_AFTER_SECONDS`: a lost, partitioned or restarted Redis turns every
  body into a miss, and a reconnect forgets them all (bumps may have been missed in between). An epoch bump
  (a restarted Redis, a process that missed invalidations) is published as `*` and forgets them all too.

How fresh: a bump's message is in every subscriber's socket before the writer's INCR returns, so before
the writer's response is sent. A reader waits one turn of the event loop before trusting a body
(`http_cache.cached_json`), so a message that reached this process before the reader's request did is
always applied first: whoever saw a write's response sees its effect, on any worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("backend.near_cache")

STALE_AFTER_SECONDS = 3.0  # nothing heard from Redis for this long: trust nothing
PING_EVERY_SECONDS = 1.0
RECONNECT_SECONDS = 0.5
EVERYTHING = b"*"


@dataclass(frozen=True, slots=True)
class Mark:
    """Where the counters stood when a body's versions were read: the subscriber's generation and each
    counter's count of bumps heard."""

    generation: int
    counts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Near:
    """A body served from the process, with what its response needs."""

    body: bytes
    etag: str
    counters: tuple[str, ...]
    mark: Mark
    expires_at: float


class NearCache:
    def __init__(self, redis: Redis, channel: str, *, max_bytes: int = 32 * 1024 * 1024) -> None:
        self._redis, self._channel, self._max_bytes = redis, channel, max_bytes
        self._entries: OrderedDict[str, Near] = OrderedDict()
        self._bytes = 0
        self._counts: dict[str, int] = {}  # bumps heard per counter key
        self._generation = 0  # moves on every (re)connect, loss and `*`: forgets every body at once
        self._heard_at = -1e9
        self._connected = False
        self._task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------ reads

    def trusted(self) -> bool:
        return self._connected and time.monotonic() - self._heard_at < STALE_AFTER_SECONDS

    def mark(self, counters: tuple[str, ...]) -> Mark:
        return Mark(self._generation, tuple(self._counts.get(c, 0) for c in counters))

    def get(self, key: str) -> Near | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if (
            not self.trusted()
            or entry.mark != self.mark(entry.counters)
            or entry.expires_at < time.monotonic()
        ):
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: str, entry: Near) -> None:
        """Keep `entry` unless a counter moved since its mark (then its body may already be old)."""
        if not self.trusted() or entry.mark != self.mark(entry.counters) or len(entry.body) > self._max_bytes:
            return
        self._drop(key)
        self._entries[key] = entry
        self._bytes += len(entry.body)
        while self._bytes > self._max_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry.body)

    # ------------------------------------------------------------ invalidation

    def bumped(self, counter: str) -> None:
        self._counts[counter] = self._counts.get(counter, 0) + 1

    def forget(self) -> None:
        """Trust no body kept so far (tests, and whenever bumps may have been missed)."""
        self._generation += 1
        self._counts.clear()
        self._entries.clear()
        self._bytes = 0

    def _heard(self, data: object) -> None:
        self._heard_at = time.monotonic()
        if data == EVERYTHING:
            self.forget()
        elif isinstance(data, bytes):
            self.bumped(data.decode())

    # ------------------------------------------------------------ the subscriber

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._follow())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._connected = False
        await self._redis.aclose()

    async def _follow(self) -> None:
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self._channel)
                pinged = 0.0
                while True:
                    message = await pubsub.get_message(timeout=PING_EVERY_SECONDS)
                    if message is not None:
                        if message["type"] == "subscribe":
                            self.forget()  # bumps may have been missed before this subscription
                            self._connected = True
                        self._heard(message["data"] if message["type"] == "message" else None)
                    if time.monotonic() - pinged >= PING_EVERY_SECONDS:
                        pinged = time.monotonic()
                        await pubsub.ping()
            except (RedisError, OSError):
                log.warning("cache bump channel lost: in-process bodies untrusted until it is back")
            finally:
                self._connected = False
                self.forget()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(RECONNECT_SECONDS)
