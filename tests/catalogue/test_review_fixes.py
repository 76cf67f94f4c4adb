"""Regression tests for defects found in review: concurrent versions, cache bumps before the response."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.models import Facility, ServicePrice
from backend.catalogue.orgs import CACHE_NAMESPACE
from backend.core.database import get_session
from backend.core.http_cache import invalidate, namespace_version
from backend.core.kv import Cache, get_kv, set_kv
from tests.catalogue.world import build_world, headers
from tests.conftest import requires_postgres


async def test_concurrent_price_versions_do_not_collide(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """Two price changes at once both land, as versions 2 and 3 (not a 500 on the unique version)."""
    w = await build_world(session)
    staff = headers(w.supplier_staff("A1"))
    url = f"/services/{w.services['meal']}/prices"
    bodies = [
        {"market_price_fen": 2000 + i, "assessed_price_fen": 1600, "inclusive_price_fen": 1300}
        for i in range(2)
    ]
    replies = await asyncio.gather(*(client.post(url, json=b, headers=staff) for b in bodies))
    assert [r.status_code for r in replies] == [201, 201], [r.text for r in replies]
    assert sorted(r.json()["version"] for r in replies) == [2, 3]
    session.expire_all()
    rows = await session.exec(
        select(ServicePrice.version).where(ServicePrice.service_id == w.services["meal"])
    )
    assert sorted(rows) == [1, 2, 3]


async def test_concurrent_disclosure_versions_do_not_collide(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    w = await build_world(session)
    staff = headers(w.supplier_staff("A1"))
    url = f"/services/{w.services['meal']}/disclosures"
    body = {
        "service_items": ["午餐"],
        "charging_standard": "12 元/餐",
        "rules": "提前一天预订",
        "workflow": "预订 → 取餐",
        "commitment": "食材新鲜",
        "complaint_phone": "027-88886666",
    }
    replies = await asyncio.gather(*(client.post(url, json=body, headers=staff) for _ in range(2)))
    assert [r.status_code for r in replies] == [201, 201], [r.text for r in replies]
    assert len({r.json()["version"] for r in replies}) == 2


class _SlowIncr:
    """The real cache, with a version bump that takes a while (a busy or distant Redis)."""

    def __init__(self, inner: Cache) -> None:
        self._inner = inner

    async def get(self, key: str) -> bytes | None:
        return await self._inner.get(key)

    async def get_many(self, *keys: str) -> list[bytes | None]:
        return await self._inner.get_many(*keys)

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        await self._inner.set(key, value, ttl_seconds)

    async def delete(self, *keys: str) -> None:
        await self._inner.delete(*keys)

    async def incr(self, key: str) -> int:
        await asyncio.sleep(0.2)
        return await self._inner.incr(key)


@requires_postgres  # SQLite serialises every transaction (BEGIN IMMEDIATE): no reader during a write
async def test_post_commit_bump_happens_before_the_request_ends(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """A reader that caches the pre-commit state between the writer's first bump and its commit must not
    be served to anyone once the writer's request is over (the second bump is awaited, not scheduled)."""
    w = await build_world(session)
    real = get_kv()
    set_kv(dataclasses.replace(real, cache=_SlowIncr(real.cache)))
    try:
        requests = get_session()
        writer = await anext(requests)
        facility = await writer.get(Facility, w.facilities["east"])
        assert facility is not None
        facility.name = "东综合体（改）"
        writer.add(facility)
        await writer.flush()
        await invalidate(writer, CACHE_NAMESPACE)  # the service-layer call, in the request's transaction
        version = await namespace_version(CACHE_NAMESPACE)

        stale = await client.get("/facilities")  # a concurrent reader: old name, cached under `version`
        assert stale.status_code == 200 and "东综合体（改）" not in stale.text

        with contextlib.suppress(StopAsyncIteration):
            await anext(requests)  # the route returned: commit, then the after-commit hooks
        # The request is over (its response would be on the wire): the second bump must be done.
        assert await namespace_version(CACHE_NAMESPACE) != version
        fresh = await client.get("/facilities")
        assert "东综合体（改）" in fresh.text
    finally:
        set_kv(real)
    names = await session.exec(select(Facility.name).where(col(Facility.id) == w.facilities["east"]))
    assert list(names) == ["东综合体（改）"]
