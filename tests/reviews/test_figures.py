"""Public figures: the review summary over the last 12 months, counted reviews only, equal to a recomputation
from the rows (Xi'an and Baotou publish operators' resident satisfaction; Wuhan art. 17 grades on it)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import utcnow
from backend.reviews.figures import window_start
from backend.reviews.models import Rectification, Review
from backend.reviews.queries import operator_rectification_totals, operator_review_totals, operator_reviews
from tests.reviews.factories import ReviewWorld, completed_booking, post_review


async def recompute(session: AsyncSession, column: str, owner: uuid.UUID) -> dict[str, object]:
    since = window_start(utcnow())
    rows = (await session.execute(sa.select(Review))).scalars().all()
    levels = [r.level for r in rows if getattr(r, column) == owner and r.counted and r.created_at >= since]
    good = sum(1 for lv in levels if lv >= 4)
    return {
        "count": len(levels),
        "good_rate": round(good / len(levels), 4) if levels else None,
        "levels": {str(lv): levels.count(lv) for lv in range(1, 6)},
    }


async def seed_reviews(client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld) -> list[str]:
    ids = []
    for service, level in (
        (rw.w.meal, 5),
        (rw.w.meal, 4),
        (rw.w.meal, 1),
        (rw.w.elder_care, 2),
        (rw.w.elder_care, 5),
    ):
        booking_id, resident_id = await completed_booking(session, service)
        r = await post_review(client, booking_id, resident_id, level=level)
        assert r.status_code == 201
        ids.append(r.json()["id"])
    # One more, 13 months old: outside the window.
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    old = (await post_review(client, booking_id, resident_id, level=1)).json()["id"]
    await session.execute(
        sa.update(Review).where(Review.id == uuid.UUID(old)).values(created_at=utcnow() - timedelta(days=400))  # type: ignore[arg-type]
    )
    await session.execute(
        sa.update(Rectification)
        .where(Rectification.review_id == uuid.UUID(old))  # type: ignore[arg-type]
        .values(created_at=utcnow() - timedelta(days=400))
    )
    await session.commit()
    return ids


async def test_the_pages_show_figures_equal_to_a_recomputation(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    ids = await seed_reviews(client, session, rw)
    meal = (await client.get(f"/services/{rw.w.meal.id}")).json()["review_summary"]
    assert meal == await recompute(session, "service_id", rw.w.meal.id)
    assert meal == {"count": 3, "good_rate": 0.6667, "levels": {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}}
    facility = (await client.get(f"/facilities/{rw.w.facility.id}")).json()
    assert facility["review_summary"] == await recompute(session, "facility_id", rw.w.facility.id)
    assert facility["satisfaction"] == 0.6 == facility["review_summary"]["good_rate"]
    listed = {f["id"]: f["satisfaction"] for f in (await client.get("/facilities")).json()["items"]}
    assert listed[str(rw.w.facility.id)] == 0.6 and listed[str(rw.w.other_service.facility_id)] is None
    supplier = (await client.get(f"/suppliers/{rw.w.supplier.id}")).json()
    assert supplier["review_summary"] == await recompute(session, "supplier_id", rw.w.supplier.id)
    assert supplier["satisfaction"] == 0.6

    # An upheld appeal takes the review out of the figures at once (the cached pages follow).
    appeal_id = (
        await client.post(
            f"/reviews/{ids[2]}/appeal",
            json={"reason": "malicious", "text": "以差评要挟退款"},
            headers=rw.supplier,
        )
    ).json()["id"]
    r = await client.post(
        f"/appeals/{appeal_id}/decision", json={"upheld": True, "reason": "查实要挟"}, headers=rw.street
    )
    assert r.status_code == 200
    meal = (await client.get(f"/services/{rw.w.meal.id}")).json()["review_summary"]
    assert meal == await recompute(session, "service_id", rw.w.meal.id)
    assert meal == {"count": 2, "good_rate": 1.0, "levels": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}}
    assert (await client.get(f"/facilities/{rw.w.facility.id}")).json()["satisfaction"] == 0.75


async def test_grading_reads_reviews_and_rectifications_of_an_operator(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    ids = await seed_reviews(client, session, rw)
    until = utcnow() + timedelta(seconds=1)
    since = until - timedelta(days=365)
    rows = await operator_reviews(session, rw.w.operator.id, since, until)
    assert sorted(str(r.id) for r in rows) == sorted(ids)
    totals = await operator_review_totals(session, rw.w.operator.id, since, until)
    assert (totals.counted, totals.excluded, totals.good, totals.bad, totals.good_rate) == (5, 0, 3, 2, 0.6)
    rect = await operator_rectification_totals(session, rw.w.operator.id, since, until)
    assert (rect.opened, rect.closed, rect.call_back_on_time, rect.overdue) == (2, 0, 0, 0)
    other = await operator_review_totals(session, rw.w.other_operator.id, since, until)
    assert (other.counted, other.good_rate) == (0, None)


def test_the_window_is_twelve_calendar_months() -> None:
    assert window_start(datetime(2026, 12, 2, 10, tzinfo=UTC)) == datetime(2025, 12, 2, 10, tzinfo=UTC)
    assert window_start(datetime(2028, 2, 29, tzinfo=UTC)) == datetime(2027, 2, 28, tzinfo=UTC)
