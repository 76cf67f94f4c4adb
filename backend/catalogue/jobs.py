"""Scheduled work of the catalogue: versions dated ahead take effect without a write to announce them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import repository_offer
from backend.catalogue.orgs import CACHE_NAMESPACE
from backend.core import http_cache
from backend.core.jobs import Job

EVERY_SECONDS = 60


async def publish_dated_changes(session: AsyncSession, tick: datetime) -> dict[str, Any]:
    """Drop cached public pages when a price, disclosure or subsidy rule starts (or ends) in this tick,
    so residents see it within a minute rather than after the cache's lifetime."""
    changes = await repository_offer.changes_taking_effect(
        session, tick - timedelta(seconds=EVERY_SECONDS), tick
    )
    if changes:
        await http_cache.bump(CACHE_NAMESPACE)
    return {"changes": changes}


PUBLISH_DATED_CHANGES = Job("catalogue.publish_dated_changes", publish_dated_changes, EVERY_SECONDS)

JOBS: list[Job] = [PUBLISH_DATED_CHANGES]
