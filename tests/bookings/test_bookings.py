"""Making a booking: the rules it checks, what it records, and the resident's and staff's views."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.models import Booking, BookingEvent, Slot
from backend.notifications.models import OutboxMessage
from tests.bookings.factories import (
    CHILD_BIRTH,
    World,
    make_resident,
    make_slot,
    operator_headers,
    resident_headers,
    supplier_headers,
)


async def test_resident_books_and_sees_the_booking(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    resident, ben = await make_resident(session)
    slot = await make_slot(session, world.elder_care, capacity=2)
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id), "note": "需要轮椅"},
        headers=resident_headers(resident.id),
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "confirmed" and body["source"] == "direct"
    assert body["slot"]["id"] == str(slot.id) and body["slot"]["start_at"].endswith("+08:00")
    assert body["beneficiary"] == {"id": str(ben.id), "name": "王秀英", "relation": "parent"}
    # inclusive price 1000 fen, government pays 300 for 60+
    assert body["price"] == {
        "total_fen": 1000,
        "subsidy_fen": 300,
        "discount_fen": 0,
        "community_fen": 0,
        "payable_fen": 700,
    }
    booked = await session.scalar(sa.select(Slot.booked).where(Slot.id == slot.id))  # type: ignore[arg-type]
    assert booked == 1
    events = (await session.execute(sa.select(BookingEvent))).scalars().all()
    assert [(e.from_status, e.to_status, e.actor_role) for e in events] == [(None, "confirmed", "resident")]
    outbox = (await session.execute(sa.select(OutboxMessage))).scalars().all()
    assert [m.kind for m in outbox] == ["booking_confirmed"] and outbox[0].resident_id == resident.id

    mine = await client.get("/me/bookings", headers=resident_headers(resident.id))
    assert [b["id"] for b in mine.json()["items"]] == [body["id"]]
    one = await client.get(f"/bookings/{body['id']}", headers=resident_headers(resident.id))
    assert one.status_code == 200 and one.json()["history"][0]["to_status"] == "confirmed"
    staff = await client.get(f"/bookings/{body['id']}", headers=supplier_headers(world.supplier.id))
    assert staff.status_code == 200
    other_staff = await client.get(
        f"/bookings/{body['id']}", headers=supplier_headers(world.other_supplier.id)
    )
    assert other_staff.status_code == 404
    stranger, _ = await make_resident(session)
    assert (
        await client.get(f"/bookings/{body['id']}", headers=resident_headers(stranger.id))
    ).status_code == 404


async def test_beneficiary_must_belong_to_the_caller(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    resident, _ = await make_resident(session)
    _, someone_elses = await make_resident(session)
    slot = await make_slot(session, world.elder_care)
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(someone_elses.id)},
        headers=resident_headers(resident.id),
    )
    assert r.status_code == 404 and r.json()["code"] == "beneficiary_not_found"


async def test_unknown_slot_bad_input_and_wrong_role(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    resident, ben = await make_resident(session)
    headers = resident_headers(resident.id)
    r = await client.post(
        "/bookings",
        json={"slot_id": "00000000-0000-0000-0000-000000000000", "beneficiary_id": str(ben.id)},
        headers=headers,
    )
    assert r.status_code == 404 and r.json()["code"] == "slot_not_found"
    r = await client.post(
        "/bookings", json={"slot_id": "nope", "beneficiary_id": str(ben.id)}, headers=headers
    )
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    slot = await make_slot(session, world.elder_care)
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id), "price": 0},
        headers=headers,
    )
    assert r.status_code == 422  # unknown fields are refused
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id)},
        headers=supplier_headers(world.supplier.id),
    )
    assert r.status_code == 403
    r = await client.post("/bookings", json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id)})
    assert r.status_code == 401


async def test_eligibility_by_function_age(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    resident, child = await make_resident(session, birth_date=CHILD_BIRTH)
    slot = await make_slot(session, world.elder_care)
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(child.id)},
        headers={**resident_headers(resident.id), "Accept-Language": "en"},
    )
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "not_eligible" and body["min_age_years"] == 60
    assert body["title"] == "This family member is not eligible for this service"


async def test_duplicate_booking_is_refused_without_taking_a_place(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    resident, ben = await make_resident(session)
    slot = await make_slot(session, world.elder_care, capacity=3)
    payload = {"slot_id": str(slot.id), "beneficiary_id": str(ben.id)}
    assert (
        await client.post("/bookings", json=payload, headers=resident_headers(resident.id))
    ).status_code == 201
    r = await client.post("/bookings", json=payload, headers=resident_headers(resident.id))
    assert r.status_code == 409 and r.json()["code"] == "duplicate_booking"
    assert r.json()["title"] == "该家庭成员已预约此时段"
    assert await session.scalar(sa.select(Slot.booked).where(Slot.id == slot.id)) == 1  # type: ignore[arg-type]


async def test_full_slot_offers_the_waitlist(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    slot = await make_slot(session, world.elder_care, capacity=1)
    first, b1 = await make_resident(session)
    second, b2 = await make_resident(session)
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(b1.id)},
        headers=resident_headers(first.id),
    )
    assert r.status_code == 201
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(b2.id)},
        headers=resident_headers(second.id),
    )
    assert r.status_code == 409
    assert r.json()["code"] == "slot_full" and r.json()["waitlist_available"] is True


async def test_closed_or_started_slot_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    resident, ben = await make_resident(session)
    past = await make_slot(session, world.elder_care, starts_in=timedelta(hours=-1))
    r = await client.post(
        "/bookings",
        json={"slot_id": str(past.id), "beneficiary_id": str(ben.id)},
        headers=resident_headers(resident.id),
    )
    assert r.status_code == 409 and r.json()["code"] == "slot_not_open"
    slot = await make_slot(session, world.elder_care, starts_in=timedelta(days=2))
    r = await client.patch(
        f"/slots/{slot.id}", json={"status": "closed"}, headers=supplier_headers(world.supplier.id)
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id)},
        headers=resident_headers(resident.id),
    )
    assert r.status_code == 409 and r.json()["code"] == "slot_not_open"


async def test_meal_orders_close_at_the_cutoff(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    resident, ben = await make_resident(session)
    soon = await make_slot(session, world.meal, starts_in=timedelta(minutes=90))  # cut-off is 120 minutes
    r = await client.post(
        "/bookings",
        json={"slot_id": str(soon.id), "beneficiary_id": str(ben.id)},
        headers=resident_headers(resident.id),
    )
    assert r.status_code == 409 and r.json()["code"] == "order_cutoff_passed"
    later = await make_slot(session, world.meal, starts_in=timedelta(minutes=180))
    r = await client.post(
        "/bookings",
        json={"slot_id": str(later.id), "beneficiary_id": str(ben.id)},
        headers=resident_headers(resident.id),
    )
    assert r.status_code == 201


async def test_home_visit_needs_an_address(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    resident, ben = await make_resident(session)
    slot = await make_slot(session, world.home_visit)
    payload = {"slot_id": str(slot.id), "beneficiary_id": str(ben.id)}
    r = await client.post("/bookings", json=payload, headers=resident_headers(resident.id))
    assert r.status_code == 422 and r.json()["code"] == "address_required"
    r = await client.post(
        "/bookings",
        json={**payload, "address": "东亭路 8 号 3 单元 502"},
        headers=resident_headers(resident.id),
    )
    assert r.status_code == 201 and r.json()["address"] == "东亭路 8 号 3 单元 502"


async def test_staff_list_is_scoped(client: httpx.AsyncClient, session: AsyncSession, world: World) -> None:
    resident, ben = await make_resident(session)
    slot = await make_slot(session, world.elder_care, starts_in=timedelta(days=1))
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id)},
        headers=resident_headers(resident.id),
    )
    booking_id = r.json()["id"]
    from backend.core.clock import to_shanghai

    day = to_shanghai(slot.start_at).date()
    mine = await client.get(
        f"/bookings?service_id={world.elder_care.id}&date={day}", headers=supplier_headers(world.supplier.id)
    )
    assert mine.status_code == 200 and [b["id"] for b in mine.json()["items"]] == [booking_id]
    other_day = await client.get(
        f"/bookings?service_id={world.elder_care.id}&date={day + timedelta(days=1)}",
        headers=supplier_headers(world.supplier.id),
    )
    assert other_day.json()["items"] == []
    not_theirs = await client.get(
        f"/bookings?service_id={world.elder_care.id}", headers=supplier_headers(world.other_supplier.id)
    )
    assert not_theirs.status_code == 404
    assert (await client.get("/bookings", headers=supplier_headers(world.other_supplier.id))).json()[
        "items"
    ] == []
    operator = await client.get("/bookings", headers=operator_headers(world.operator.id))
    assert [b["id"] for b in operator.json()["items"]] == [booking_id]
    other_op = await client.get("/bookings", headers=operator_headers(world.other_operator.id))
    assert other_op.json()["items"] == []
    assert (await client.get("/bookings", headers=resident_headers(resident.id))).status_code == 403
    bad = await client.get("/bookings?date=2026-13-01", headers=supplier_headers(world.supplier.id))
    assert bad.status_code == 422


async def test_my_bookings_paginate_newest_first(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    resident, ben = await make_resident(session)
    ids = []
    for days in (1, 2, 3):
        slot = await make_slot(session, world.elder_care, starts_in=timedelta(days=days))
        r = await client.post(
            "/bookings",
            json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id)},
            headers=resident_headers(resident.id),
        )
        ids.append(r.json()["id"])
    page1 = (await client.get("/me/bookings?limit=2", headers=resident_headers(resident.id))).json()
    page2 = (
        await client.get(
            f"/me/bookings?limit=2&cursor={page1['next_cursor']}", headers=resident_headers(resident.id)
        )
    ).json()
    assert [b["id"] for b in page1["items"] + page2["items"]] == list(reversed(ids))
    assert page2["next_cursor"] is None
    bad = await client.get("/me/bookings?cursor=!!!", headers=resident_headers(resident.id))
    assert bad.status_code == 422
    count = await session.scalar(sa.select(sa.func.count()).select_from(Booking))
    assert count == 3 and date.today().year > 2000
