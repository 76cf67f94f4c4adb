# ruff: noqa: E501
"""Runs, publishing, the public rating and list, reproducibility and an upheld appeal (RATING.md; Wuhan art. 17)."""

from __future__ import annotations

import uuid

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.access import Principal, RegionLevel, Role
from backend.grading.compute import canonical, digest
from backend.grading.models import RatingResult
from backend.grading.service import recompute
from tests.bookings.factories import bearer
from tests.reviews.factories import ReviewWorld, completed_booking, make_review_world, post_review


async def reviewed(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld, n: int, level: int = 5
) -> list[str]:
    ids = []
    for _ in range(n):
        booking_id, resident_id = await completed_booking(session, rw.w.meal)
        r = await post_review(client, booking_id, resident_id, level=level)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


async def run(client: httpx.AsyncClient, headers: dict[str, str], **body: object) -> httpx.Response:
    return await client.post(
        "/rating-runs", json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
    )


def district(rw: ReviewWorld) -> dict[str, str]:
    return bearer(
        Principal(
            id=uuid.uuid4(), role=Role.regulator, region_level=RegionLevel.district, region_id=rw.district_id
        )
    )


async def test_publish_explain_reproduce_and_an_upheld_appeal_changes_the_result(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rw = await make_review_world(session)
    review_ids = await reviewed(client, session, rw, 10)
    op = rw.w.operator.id

    assert (await client.get(f"/operators/{op}/rating")).status_code == 404  # nothing published yet
    r = await run(client, district(rw), operator_ids=[str(op)], publish=True)
    assert r.status_code == 201, r.text
    first = r.json()["results"][0]
    sat = first["parts"][0]
    assert sat["part"] == "satisfaction" and sat["inputs"]["n"] == 10
    assert sat["inputs"]["levels"]["5"] == 10 and 0.99 < sat["inputs"]["effective_n"] <= 10
    assert first["status"] == "graded" and first["published_at"] is not None
    complaints = first["parts"][3]
    assert complaints["part"] == "complaints" and 0 <= complaints["inputs"]["completed_bookings"] <= 10
    assert complaints["inputs"]["complaints"] == 0 and complaints["score"] == 100

    public = (await client.get(f"/operators/{op}/rating")).json()
    assert public["id"] == first["id"] and public["grade"] == first["grade"]
    assert public["explanation"]["summary"].startswith("评级为")
    en = (await client.get(f"/operators/{op}/rating", headers={"Accept-Language": "en"})).json()
    assert en["explanation"]["summary"].startswith("Graded")
    facility = (await client.get(f"/facilities/{rw.w.facility.id}")).json()
    assert facility["operator"]["grade"] == first["grade"]  # the grade on the facility page

    # Byte for byte: the stored inputs and ruleset reproduce the stored result.
    stored = (
        await session.execute(sa.select(RatingResult).where(RatingResult.id == uuid.UUID(first["id"])))
    ).scalar_one()  # type: ignore[arg-type]
    assert recompute(stored) == canonical(stored.result)
    assert digest(recompute(stored)) == stored.digest == first["digest"]

    # The supplier appeals one review; the street office upholds it: it leaves the count (10 → 9).
    h = {**rw.supplier, "Idempotency-Key": uuid.uuid4().hex}
    appeal = await client.post(
        f"/reviews/{review_ids[0]}/appeal",
        json={"reason": "not_our_service", "text": "当天无该居民用餐记录"},
        headers=h,
    )
    assert appeal.status_code == 201, appeal.text
    decided = await client.post(
        f"/appeals/{appeal.json()['id']}/decision",
        json={"upheld": True, "reason": "核实无误"},
        headers=rw.street,
    )
    assert decided.status_code == 200, decided.text
    r = await run(client, district(rw), operator_ids=[str(op)], publish=True)
    second = r.json()["results"][0]
    assert second["parts"][0]["inputs"]["n"] == 9 and second["status"] == "insufficient_sample"
    assert second["excluded"] == [{"review_id": review_ids[0], "reason": second["excluded"][0]["reason"]}]
    assert second["digest"] != first["digest"]
    history = (await client.get(f"/operators/{op}/ratings")).json()["items"]
    assert [h["id"] for h in history] == [second["id"], first["id"]]
    # The history pages newest first, a result a page with limit=1, and the cursor ends after the oldest.
    page1 = (await client.get(f"/operators/{op}/ratings?limit=1")).json()
    page2 = (await client.get(f"/operators/{op}/ratings?limit=1&cursor={page1['next_cursor']}")).json()
    assert [page1["items"][0]["id"], page2["items"][0]["id"]] == [second["id"], first["id"]]
    assert page2["next_cursor"] is None


async def test_qualified_list_and_who_may_publish(client: httpx.AsyncClient, session: AsyncSession) -> None:
    rw = await make_review_world(session)
    await reviewed(client, session, rw, 3)
    r = await run(client, rw.street, publish=True, operator_ids=[str(rw.w.operator.id)])
    assert (r.status_code, r.json()["code"]) == (403, "rating_publish_not_allowed")
    r = await run(client, rw.street)  # a street office may compute, not publish
    assert r.status_code == 201 and all(x["published_at"] is None for x in r.json()["results"])
    r = await run(client, rw.admin, publish=True)
    assert r.status_code == 201
    results = {x["operator"]["id"]: x for x in r.json()["results"]}
    city = results[str(rw.w.operator.id)]["ruleset"]["city_id"]
    listed = (await client.get("/qualified-operators", params={"city_id": city})).json()
    expected = {oid for oid, x in results.items() if x["qualified"]}
    assert {x["operator_id"] for x in listed["items"]} == expected
    assert listed["updated_at"] is not None
