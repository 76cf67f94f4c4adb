"""Shared runs (`backend.core.coalesce`): each caller returns after a run begun after it asked."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from backend.core.coalesce import Coalesced


class SlowCall:
    """Records, for each run, the tick at which it began; runs end when the test says so."""

    def __init__(self) -> None:
        self.clock = itertools.count()
        self.began: list[tuple[str, int]] = []
        self.gate = asyncio.Event()
        self.fail = False

    async def __call__(self, key: str) -> None:
        self.began.append((key, next(self.clock)))
        await self.gate.wait()
        if self.fail:
            raise RuntimeError("redis down")


async def _caller(shared: Coalesced, call: SlowCall, key: str, done: list[tuple[int, int]]) -> None:
    asked = next(call.clock)
    await shared.run(key)
    done.append((asked, max(t for k, t in call.began if k == key)))


async def test_callers_at_once_share_one_run_begun_after_each_asked() -> None:
    call = SlowCall()
    shared = Coalesced(call)
    done: list[tuple[int, int]] = []
    first = asyncio.create_task(_caller(shared, call, "ver:a", done))
    await asyncio.sleep(0.01)  # the first run is under way
    rest = [asyncio.create_task(_caller(shared, call, "ver:a", done)) for _ in range(20)]
    await asyncio.sleep(0.01)
    call.gate.set()
    await asyncio.gather(first, *rest)
    assert len(call.began) == 2  # 21 callers, two INCRs
    assert len(done) == 21
    assert all(began > asked for asked, began in done)  # each covered by a run that began after it asked


async def test_keys_do_not_share_and_one_after_another_each_run() -> None:
    call = SlowCall()
    call.gate.set()
    shared = Coalesced(call)
    await asyncio.gather(shared.run("ver:a"), shared.run("ver:b"))
    await shared.run("ver:a")
    await shared.run("ver:a")
    assert [k for k, _ in call.began] == ["ver:a", "ver:b", "ver:a", "ver:a"]


async def test_a_failed_run_fails_its_callers_and_the_next_call_runs_again() -> None:
    call = SlowCall()
    call.fail = True
    shared = Coalesced(call)
    first = asyncio.create_task(shared.run("ver:a"))
    await asyncio.sleep(0.01)
    joined = [asyncio.create_task(shared.run("ver:a")) for _ in range(3)]
    await asyncio.sleep(0.01)
    call.gate.set()
    results = await asyncio.gather(first, *joined, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    call.fail = False
    await shared.run("ver:a")
    assert len(call.began) == 3


async def test_a_cancelled_caller_leaves_the_run_to_the_others() -> None:
    call = SlowCall()
    shared = Coalesced(call)
    first = asyncio.create_task(shared.run("ver:a"))
    await asyncio.sleep(0.01)
    quitter = asyncio.create_task(shared.run("ver:a"))
    stayer = asyncio.create_task(shared.run("ver:a"))
    await asyncio.sleep(0.01)
    quitter.cancel()
    call.gate.set()
    await asyncio.gather(first, stayer)
    with pytest.raises(asyncio.CancelledError):
        await quitter
    assert len(call.began) == 2
