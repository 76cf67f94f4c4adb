"""Complaints on the dashboards (Wuhan art. 13, Baotou art. 35: how complaints were handled is watched and
published) equal a recomputation from the complaint rows."""

from __future__ import annotations

import statistics
import uuid

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.complaints.models import Complaint
from tests.bookings.factories import World, operator_headers
from tests.complaints.factories import file, make_people, street_headers


async def test_complaints_by_category_and_median_equal_rows(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    people = await make_people(session, world)
    ids = []
    for category, target in (
        ("service_quality", {"facility_id": world.facility.id}),
        ("price", {"facility_id": world.facility.id}),
        ("price", {"supplier_id": world.supplier.id}),  # names no facility: operator-level
        ("environment", {"facility_id": world.other_service.facility_id}),  # another operator's
    ):
        r = await file(client, people.resident, target, category=category)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    answered = await client.post(
        f"/complaints/{ids[0]}/replies",
        json={"kind": "answer", "text": "已整改"},
        headers=operator_headers(world.operator.id),  # a facility-level complaint: the operator answers
    )
    assert answered.status_code in (200, 201), answered.text

    rows = (
        await session.execute(
            sa.select(Complaint.category, Complaint.created_at, Complaint.first_answered_at).where(
                Complaint.operator_id == world.operator.id
            )
        )
    ).all()
    body = (
        await client.get(
            f"/operators/{world.operator.id}/dashboard", headers=operator_headers(world.operator.id)
        )
    ).json()
    c = body["complaints"]
    assert c["count"] == len(rows) == 3
    assert {r["category"]: r["count"] for r in c["by_category"]} == {"price": 2, "service_quality": 1}
    times = [(b - a).total_seconds() / 3600 for _, a, b in rows if b is not None]
    assert c["median_response_hours"] == round(statistics.median(times), 2)

    # The operator's only facility is in this street: its street office sees the whole operator.
    street = (
        await client.get(
            f"/operators/{world.operator.id}/dashboard", headers=street_headers(people.street_id)
        )
    ).json()
    assert street["complaints"]["count"] == 3
    region = (
        await client.get(
            f"/regions/street/{people.street_id}/dashboard", headers=street_headers(people.street_id)
        )
    ).json()
    # The region view counts complaints about facilities in the street: two here, one at the other operator's.
    assert region["complaints"]["count"] == 3
    assert {r["category"] for r in region["complaints"]["by_category"]} == {
        "service_quality",
        "price",
        "environment",
    }
    assert uuid.UUID(body["operator"]["id"]) == world.operator.id
