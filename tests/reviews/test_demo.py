"""The demo city has reviews: good and bad, one appealed, one rectification in each state (idempotent)."""

from __future__ import annotations

from collections import Counter

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import demo as accounts_demo
from backend.catalogue import demo as catalogue_demo
from backend.reviews import demo as reviews_demo
from backend.reviews.models import Appeal, Rectification, Review


async def test_the_demo_city_has_reviews_appeals_and_rectifications_in_every_state(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for _ in range(2):  # idempotent
        await catalogue_demo.seed(session)
        await accounts_demo.seed(session)
        await reviews_demo.seed(session)
        await session.commit()
    reviews = (await session.execute(sa.select(Review))).scalars().all()
    assert len(reviews) == len(reviews_demo.REVIEWS) == 8
    assert {r.level for r in reviews} >= {1, 2, 4, 5}
    states = Counter((await session.execute(sa.select(Rectification.status))).scalars().all())  # type: ignore[call-overload]
    assert set(states) == {"awaiting_call_back", "fixing", "awaiting_verdict", "closed", "escalated"}
    assert (await session.execute(sa.select(Appeal.status))).scalars().all() == ["pending"]  # type: ignore[call-overload]
    service_id = next(r.service_id for r in reviews if r.reply_text)
    page = (await client.get(f"/services/{service_id}/reviews")).json()["items"]
    assert page and page[0]["author"] == "李**"
    summary = (await client.get(f"/services/{service_id}")).json()["review_summary"]
    assert summary["count"] == sum(1 for r in reviews if r.service_id == service_id)
