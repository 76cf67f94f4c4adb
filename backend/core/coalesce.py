"""Calls that only need *a* run begun after they asked, shared among everyone asking at once.

A cache bump is such a call: a writer needs the namespace's counter moved by an INCR that started after its
commit, not by an INCR of its own. In the morning rush every booking of a service bumps the same counter;
one Redis round trip (and one notice to every process) per batch of writers instead of one each.

    bumps = Coalesced(cache.incr)
    await bumps.run("ver:slots:…")   # returns once a run that started after this call has finished

Per key, at most one run is under way and at most one waits behind it: callers arriving while a run is
under way join the waiting one, which starts when the current one ends. Its outcome (or error) is each
waiting caller's. A caller that is cancelled leaves the run to the others.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Any


class Coalesced:
    def __init__(self, call: Callable[[str], Awaitable[Any]]) -> None:
        self._call = call
        # Per event loop (futures belong to one): the next run of each key, not yet begun, and the keys
        # whose runs are under way.
        self._loops: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[dict[str, asyncio.Future[None]], set[str]]
        ] = weakref.WeakKeyDictionary()
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, key: str) -> None:
        loop = asyncio.get_running_loop()
        waiting, running = self._loops.setdefault(loop, ({}, set()))
        future = waiting.get(key)
        if future is None:
            future = waiting[key] = loop.create_future()
            if key not in running:
                running.add(key)
                task = loop.create_task(self._drain(key, waiting, running))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        await asyncio.shield(future)

    async def _drain(self, key: str, waiting: dict[str, asyncio.Future[None]], running: set[str]) -> None:
        try:
            # Taken off `waiting` just before the call starts: whoever joined it asked before the start.
            while (future := waiting.pop(key, None)) is not None:
                try:
                    await self._call(key)
                except asyncio.CancelledError:
                    future.cancel()
                    raise
                except Exception as exc:
                    future.set_exception(exc)
                    future.exception()  # retrieved here: a run nobody awaits any more logs nothing
                else:
                    future.set_result(None)
        finally:
            running.discard(key)
            leftover = waiting.pop(key, None)  # only when cancelled: nobody would start it otherwise
            if leftover is not None:
                leftover.cancel()
