"""Dated versions take effect without a write: the job drops cached pages when one starts."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.jobs import PUBLISH_DATED_CHANGES
from backend.catalogue.models import ServicePrice
from backend.core.clock import utcnow
from backend.core.jobs import run_tick
from tests.catalogue.world import build_world


async def test_a_price_dated_ahead_shows_once_it_takes_effect(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    w = await build_world(session)
    await session.commit()
    url = f"/services/{w.services['meal']}"
    assert (await client.get(url)).json()["inclusive_price_fen"] == 1200  # now cached

    # A version published earlier for "now": it takes effect with no write to invalidate the cache.
    took_effect = utcnow() - timedelta(seconds=1)
    session.add(
        ServicePrice(service_id=w.services["meal"], version=2, market_price_fen=1900,
                     assessed_price_fen=1600, inclusive_price_fen=1300, effective_from=took_effect)
    )  # fmt: skip
    await session.commit()
    assert (await client.get(url)).json()["inclusive_price_fen"] == 1200  # the cached page

    tick = PUBLISH_DATED_CHANGES.tick_for(took_effect) + timedelta(seconds=60)
    assert await run_tick(PUBLISH_DATED_CHANGES, tick)
    assert (await client.get(url)).json()["inclusive_price_fen"] == 1300


async def test_a_quiet_tick_keeps_the_cache(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await build_world(session)
    await session.commit()
    url = f"/services/{w.services['meal']}"
    etag = (await client.get(url)).headers["etag"]
    assert await run_tick(
        PUBLISH_DATED_CHANGES, PUBLISH_DATED_CHANGES.tick_for(utcnow() + timedelta(hours=1))
    )
    assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 304
