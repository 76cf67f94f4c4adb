"""Public complaint figures (Wuhan art. 13, Baotou art. 35: 公布监督、投诉电话) equal a recomputation from the
rows, and change with every change of a complaint; the grading read aggregates per operator."""

from __future__ import annotations

import statistics
import uuid
from datetime import datetime, timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.complaints.figures import compute_many, window_start
from backend.complaints.models import Complaint
from backend.complaints.queries import operator_complaints, public_figures
from backend.core.clock import SHANGHAI, utcnow
from tests.bookings.factories import World
from tests.complaints.factories import (
    People,
    file,
    make_booking,
    move_times,
    operator_headers,
    resident_headers,
    street_headers,
    supplier_headers,
)

RESOLVED = {"resolved", "closed"}


def recompute(rows: list[Complaint]) -> tuple[int, float | None, float | None]:
    since = window_start(utcnow())
    rows = [c for c in rows if c.created_at >= since]
    resolved = [
        c
        for c in rows
        if c.status in RESOLVED or (c.status == "mediated" and c.mediation_outcome == "agreement")
    ]
    hours = [(c.first_answered_at - c.created_at).total_seconds() / 3600 for c in rows if c.first_answered_at]
    return (
        len(rows),
        round(len(resolved) / len(rows), 4) if rows else None,
        round(statistics.median(hours), 2) if hours else None,
    )


async def _arrange(client: httpx.AsyncClient, session: AsyncSession, world: World, people: People) -> None:
    supplier, operator = supplier_headers(world.supplier.id), operator_headers(world.operator.id)
    booking = await make_booking(session, world, people.resident, people.beneficiary)
    targets = [
        {"booking_id": booking.id},
        {"booking_id": booking.id},
        {"supplier_id": world.supplier.id},
        {"supplier_id": world.supplier.id, "facility_id": world.facility.id},
        {"facility_id": world.facility.id},
        {"facility_id": world.facility.id},
        {"facility_id": world.facility.id},
    ]
    ids = [(await file(client, people.resident, t)).json()["id"] for t in targets]
    now = utcnow()
    # Answered after 3, 10, 30 and 50 hours; accepted, rejected up to mediation, left unanswered, ...
    for cid, hours in zip(ids[:4], (3, 10, 30, 50), strict=True):
        await client.post(
            f"/complaints/{cid}/replies", json={"kind": "answer", "text": "答复"}, headers=supplier
        )
        await move_times(session, cid, created_at=now - timedelta(hours=hours), first_answered_at=now)
    await client.post(
        f"/complaints/{ids[0]}/confirm", json={"accepted": True}, headers=resident_headers(people.resident)
    )
    await client.post(
        f"/complaints/{ids[2]}/confirm", json={"accepted": False}, headers=resident_headers(people.resident)
    )
    await client.post(
        f"/complaints/{ids[4]}/replies", json={"kind": "answer", "text": "答复"}, headers=operator
    )
    await move_times(session, ids[4], created_at=now - timedelta(hours=7), first_answered_at=now)
    await client.post(
        f"/complaints/{ids[4]}/confirm", json={"accepted": True}, headers=resident_headers(people.resident)
    )
    for _ in range(2):
        await client.post(
            f"/complaints/{ids[5]}/escalate",
            json={"reason": "升级"},
            headers=resident_headers(people.resident),
        )
    body = {"outcome": "agreement", "agreement": "协议", "mediated_on": "2026-12-01"}
    r = await client.post(
        f"/complaints/{ids[5]}/mediation", json=body, headers=street_headers(people.street_id)
    )
    assert r.status_code == 200, r.text
    await move_times(session, ids[6], created_at=now - timedelta(days=400))  # outside the 12 months


async def test_figures_equal_a_recomputation_from_rows(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    await _arrange(client, session, world, people)
    rows = list(
        (await session.execute(sa.select(Complaint).execution_options(populate_existing=True))).scalars()
    )
    cases = [
        ("service", world.elder_care.id, [c for c in rows if c.service_id == world.elder_care.id]),
        ("facility", world.facility.id, [c for c in rows if c.facility_id == world.facility.id]),
        ("supplier", world.supplier.id, [c for c in rows if c.supplier_id == world.supplier.id]),
        ("facility", world.other_service.facility_id, []),
    ]
    for kind, target, subset in cases:
        figures = await public_figures(session, kind, target)  # type: ignore[arg-type]
        assert (figures.count, figures.resolved_rate, figures.median_response_hours) == recompute(subset), (
            kind
        )
    facility = await public_figures(session, "facility", world.facility.id)
    assert facility.count == 5  # one is older than 12 months; one names the supplier only
    assert facility.resolved_rate == round(3 / 5, 4)  # accepted twice, mediated with an agreement once
    assert facility.median_response_hours == 8.5  # answered after 3, 7, 10 and 50 hours
    empty = await public_figures(session, "supplier", world.other_supplier.id)
    assert (empty.count, empty.resolved_rate, empty.median_response_hours) == (0, None, None)


async def test_figures_are_cached_and_change_with_every_complaint_change(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    first = await public_figures(session, "supplier", world.supplier.id)
    assert first.count == 0
    cid = (await file(client, people.resident, {"supplier_id": world.supplier.id})).json()["id"]
    assert (await public_figures(session, "supplier", world.supplier.id)).count == 1
    await client.post(
        f"/complaints/{cid}/replies",
        json={"kind": "answer", "text": "答复"},
        headers=supplier_headers(world.supplier.id),
    )
    await client.post(
        f"/complaints/{cid}/confirm", json={"accepted": True}, headers=resident_headers(people.resident)
    )
    after = await public_figures(session, "supplier", world.supplier.id)
    assert (after.count, after.resolved_rate) == (1, 1.0) and after.median_response_hours is not None
    # A change behind the API's back is not seen until the cache entry goes: it is served from the cache.
    await move_times(session, cid, created_at=utcnow() - timedelta(days=500))
    assert (await public_figures(session, "supplier", world.supplier.id)).count == 1


async def test_grading_read_per_operator(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    await _arrange(client, session, world, people)
    await make_booking(session, world, people.resident, people.beneficiary)  # a second completed booking
    now = utcnow()
    stats = await operator_complaints(session, now - timedelta(days=365), now + timedelta(minutes=1))
    mine = stats[world.operator.id]
    rows = [
        c
        for c in (
            await session.execute(sa.select(Complaint).execution_options(populate_existing=True))
        ).scalars()
        if c.created_at >= now - timedelta(days=365)
    ]
    on_time = [c for c in rows if c.first_answered_at and c.first_answered_at <= c.first_answer_due_at]
    assert (mine.count, mine.answered_on_time, mine.resolved, mine.escalated_to_street) == (
        6,
        len(on_time),
        3,
        1,
    )
    assert mine.completed_bookings == 2 and mine.per_1000_bookings == 3000.0
    assert world.other_operator.id not in stats
    only = await operator_complaints(session, now - timedelta(days=1), now, [uuid.uuid4()])
    assert only == {}


async def test_catalogue_pages_show_the_figures_and_follow_every_change(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    """GET /services/{id}, /facilities/{id} and /suppliers/{id} carry `complaint_figures`
    (Wuhan art. 13, Baotou art. 35), equal to the figures recomputed from the rows, fresh after a change."""
    await _arrange(client, session, world, people)
    rows = list(
        (await session.execute(sa.select(Complaint).execution_options(populate_existing=True))).scalars()
    )
    pages = [
        (f"/services/{world.elder_care.id}", [c for c in rows if c.service_id == world.elder_care.id]),
        (f"/facilities/{world.facility.id}", [c for c in rows if c.facility_id == world.facility.id]),
        (f"/suppliers/{world.supplier.id}", [c for c in rows if c.supplier_id == world.supplier.id]),
    ]
    for path, subset in pages:
        r = await client.get(path)
        assert r.status_code == 200, r.text
        shown = r.json()["complaint_figures"]
        assert (shown["count"], shown["resolved_rate"], shown["median_response_hours"]) == recompute(
            subset
        ), path
    # A new complaint: every page that shows it changes at once (the cached pages are invalidated).
    before = (await client.get(f"/suppliers/{world.supplier.id}")).json()["complaint_figures"]["count"]
    await file(client, people.resident, {"supplier_id": world.supplier.id, "facility_id": world.facility.id})
    assert (await client.get(f"/facilities/{world.facility.id}")).json()["complaint_figures"]["count"] == 6
    after = (await client.get(f"/suppliers/{world.supplier.id}")).json()["complaint_figures"]["count"]
    assert after == before + 1


async def test_the_public_window_is_twelve_calendar_months_not_365_days(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    """Wuhan art. 13 (公布监督): "the last 12 months" are calendar months. Across a 29 February they are 366
    days: a complaint filed a minute after the same moment a year before counts, one a minute before does
    not (365 days would have missed the first)."""
    now = datetime(2028, 6, 15, 12, 0, tzinfo=SHANGHAI)  # 2028 is a leap year
    start = window_start(now)
    assert start == datetime(2027, 6, 15, 12, 0, tzinfo=SHANGHAI)
    assert now - start == timedelta(days=366)
    assert window_start(datetime(2026, 3, 31, 9, 0, tzinfo=SHANGHAI)) == datetime(
        2025, 3, 31, 9, 0, tzinfo=SHANGHAI
    )
    assert window_start(datetime(2028, 2, 29, 0, 30, tzinfo=SHANGHAI)) == datetime(
        2027, 2, 28, 0, 30, tzinfo=SHANGHAI
    )

    ids = [
        (await file(client, people.resident, {"facility_id": world.facility.id})).json()["id"]
        for _ in range(3)
    ]
    for cid, at in zip(
        ids,
        (start + timedelta(minutes=1), start - timedelta(minutes=1), now - timedelta(days=365, minutes=-1)),
        strict=True,
    ):
        await session.execute(
            sa.update(Complaint).where(Complaint.id == uuid.UUID(cid)).values(created_at=at)
        )  # type: ignore[arg-type]
    await session.commit()
    figures = (await compute_many(session, "facility", [world.facility.id], now=now))[world.facility.id]
    assert figures.count == 2  # the first and the third; the second is a minute too old
