"""Satisfaction on the dashboards equals a recomputation from the review rows (counted reviews only)."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.reviews.models import Review
from tests.bookings.factories import World
from tests.reviews.factories import ReviewWorld, completed_booking, make_review_world, post_review


async def test_operator_and_region_satisfaction_equal_rows(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    rw: ReviewWorld = await make_review_world(session)
    w = rw.w
    for service, level in ((w.elder_care, 5), (w.elder_care, 4), (w.meal, 1), (w.other_service, 2)):
        booking_id, resident_id = await completed_booking(session, service)
        r = await post_review(client, booking_id, resident_id, level=level)
        assert r.status_code == 201, r.text
    rows = (
        await session.execute(
            sa.select(Review.facility_id, Review.function, Review.level).where(Review.counted.is_(True))
        )
    ).all()
    mine = [row for row in rows if row.facility_id == w.facility.id]

    body = (await client.get(f"/operators/{w.operator.id}/dashboard", headers=rw.operator)).json()
    s = body["satisfaction"]
    assert s["total"]["count"] == len(mine) == 3
    assert s["total"]["good_rate"] == round(sum(1 for m in mine if m.level >= 4) / len(mine), 4)
    assert s["total"]["mean_level"] == round(sum(m.level for m in mine) / len(mine), 2)
    assert s["levels"] == {str(v): sum(1 for m in mine if m.level == v) for v in range(1, 6)}
    by_function = {row["key"]: row["count"] for row in s["by_function"]}
    assert by_function == {"elder_care": 2, "meal_aid": 1}
    assert body["rectifications"]["opened"] == 1  # the level-1 review opened one

    region = (await client.get(f"/regions/street/{rw.street_id}/dashboard", headers=rw.street)).json()
    per_operator = {
        row["label"]: (row["count"], row["good_rate"]) for row in region["satisfaction_by_operator"]
    }
    assert per_operator == {"颐康运营": (3, round(2 / 3, 4)), "西岭运营": (1, 0.0)}
    assert region["rectifications"]["opened"] == 2
