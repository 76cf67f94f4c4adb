"""The waitlist: positions, promotion in the cancelling transaction, lapse when the slot starts."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.jobs import LAPSE_WAITLIST
from backend.bookings.models import Booking, WaitlistEntry
from backend.core.clock import utcnow
from backend.core.jobs import run_tick
from backend.notifications.models import OutboxMessage
from tests.bookings.factories import (
    World,
    make_many_residents,
    make_resident,
    make_slot,
    move_slot_start,
    resident_headers,
    supplier_headers,
)


async def test_join_promote_on_cancel(client: httpx.AsyncClient, session: AsyncSession, world: World) -> None:
    slot = await make_slot(session, world.elder_care, capacity=1)
    holder, b0 = await make_resident(session)
    first, b1 = await make_resident(session)
    second, b2 = await make_resident(session)
    r = await client.post(
        f"/slots/{slot.id}/waitlist", json={"beneficiary_id": str(b1.id)}, headers=resident_headers(first.id)
    )
    assert r.status_code == 409 and r.json()["code"] == "slot_not_full"
    booked = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(b0.id)},
        headers=resident_headers(holder.id),
    )
    r1 = await client.post(
        f"/slots/{slot.id}/waitlist", json={"beneficiary_id": str(b1.id)}, headers=resident_headers(first.id)
    )
    assert r1.status_code == 201 and r1.json()["position"] == 1 and r1.json()["status"] == "waiting"
    r2 = await client.post(
        f"/slots/{slot.id}/waitlist", json={"beneficiary_id": str(b2.id)}, headers=resident_headers(second.id)
    )
    assert r2.json()["position"] == 2
    again = await client.post(
        f"/slots/{slot.id}/waitlist", json={"beneficiary_id": str(b2.id)}, headers=resident_headers(second.id)
    )
    assert again.status_code == 409 and again.json()["code"] == "already_waitlisted"
    holder_again = await client.post(
        f"/slots/{slot.id}/waitlist", json={"beneficiary_id": str(b0.id)}, headers=resident_headers(holder.id)
    )
    assert holder_again.status_code == 409 and holder_again.json()["code"] == "duplicate_booking"

    r = await client.post(
        f"/bookings/{booked.json()['id']}/cancel",
        json={"reason": "不去了"},
        headers=resident_headers(holder.id),
    )
    assert r.status_code == 200
    promoted = (await session.execute(sa.select(Booking).where(Booking.beneficiary_id == b1.id))).scalar_one()
    assert promoted.status == "confirmed" and promoted.source == "waitlist" and promoted.payable_fen == 700
    entry = (
        await session.execute(sa.select(WaitlistEntry).where(WaitlistEntry.id == uuid.UUID(r1.json()["id"])))
    ).scalar_one()
    assert entry.status == "promoted" and entry.booking_id == promoted.id
    told = (
        (await session.execute(sa.select(OutboxMessage).where(OutboxMessage.kind == "waitlist_promoted")))
        .scalars()
        .all()
    )
    assert [m.resident_id for m in told] == [first.id]
    mine = await client.get("/me/bookings", headers=resident_headers(first.id))
    assert mine.json()["items"][0]["id"] == str(promoted.id)
    # the second is now first in line; the slot is full again
    slots = await client.get(f"/services/{world.elder_care.id}/slots")
    assert slots.json()["items"][0]["remaining"] == 0 and slots.json()["items"][0]["status"] == "full"


async def test_raising_capacity_promotes_and_withdraw(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    slot = await make_slot(session, world.elder_care, capacity=1)
    holder, b0 = await make_resident(session)
    waiting, b1 = await make_resident(session)
    leaving, b2 = await make_resident(session)
    await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(b0.id)},
        headers=resident_headers(holder.id),
    )
    await client.post(
        f"/slots/{slot.id}/waitlist",
        json={"beneficiary_id": str(b1.id)},
        headers=resident_headers(waiting.id),
    )
    entry = await client.post(
        f"/slots/{slot.id}/waitlist",
        json={"beneficiary_id": str(b2.id)},
        headers=resident_headers(leaving.id),
    )
    r = await client.post(f"/waitlist/{entry.json()['id']}/withdraw", headers=resident_headers(waiting.id))
    assert r.status_code == 404  # not theirs
    r = await client.post(f"/waitlist/{entry.json()['id']}/withdraw", headers=resident_headers(leaving.id))
    assert r.status_code == 200 and r.json()["status"] == "withdrawn" and r.json()["position"] is None
    r = await client.patch(
        f"/slots/{slot.id}", json={"capacity": 3}, headers=supplier_headers(world.supplier.id)
    )
    assert r.status_code == 200 and r.json()["capacity"] == 3 and r.json()["remaining"] == 1
    holders = (await session.execute(sa.select(Booking.beneficiary_id))).scalars().all()
    assert set(holders) == {b0.id, b1.id}


async def test_entries_lapse_when_the_slot_starts(
    session: AsyncSession, client: httpx.AsyncClient, world: World
) -> None:
    slot = await make_slot(session, world.elder_care, capacity=1)
    holder, b0 = await make_resident(session)
    waiting, b1 = await make_resident(session)
    await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(b0.id)},
        headers=resident_headers(holder.id),
    )
    await client.post(
        f"/slots/{slot.id}/waitlist",
        json={"beneficiary_id": str(b1.id)},
        headers=resident_headers(waiting.id),
    )
    tick = LAPSE_WAITLIST.tick_for(utcnow())
    assert await run_tick(LAPSE_WAITLIST, tick)
    status = await session.scalar(sa.select(WaitlistEntry.status))
    assert status == "waiting"  # not started yet
    await move_slot_start(session, slot.id, utcnow() - timedelta(minutes=1))
    next_tick = tick + timedelta(seconds=LAPSE_WAITLIST.every_seconds)
    assert await run_tick(LAPSE_WAITLIST, next_tick)
    assert not await run_tick(LAPSE_WAITLIST, next_tick)  # the same tick runs once
    session.expire_all()
    assert await session.scalar(sa.select(WaitlistEntry.status)) == "lapsed"


async def test_simultaneous_joins_get_distinct_positions_in_queue_order(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    slot = await make_slot(session, world.elder_care, capacity=1)
    holder, *joiners = await make_many_residents(session, 8)
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(holder[1])},
        headers=resident_headers(holder[0]),
    )
    assert r.status_code == 201
    replies = await asyncio.gather(
        *(
            client.post(
                f"/slots/{slot.id}/waitlist",
                json={"beneficiary_id": str(beneficiary)},
                headers=resident_headers(resident),
            )
            for resident, beneficiary in joiners
        )
    )
    assert all(r.status_code == 201 for r in replies), [r.text for r in replies]
    positions = {r.json()["id"]: r.json()["position"] for r in replies}
    assert sorted(positions.values()) == list(range(1, 8))
    queue = (
        await session.exec(
            sa.select(WaitlistEntry.id)  # type: ignore[call-overload]
            .where(WaitlistEntry.slot_id == slot.id)
            .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        )
    ).all()
    assert [positions[str(row[0])] for row in queue] == list(range(1, 8))


async def test_residents_see_their_place_in_line(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    slot = await make_slot(session, world.elder_care, capacity=1)
    (holder, b0), (first, b1), (second, b2) = await make_many_residents(session, 3)
    await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(b0)},
        headers=resident_headers(holder),
    )
    for resident, beneficiary in ((first, b1), (second, b2)):
        r = await client.post(
            f"/slots/{slot.id}/waitlist",
            json={"beneficiary_id": str(beneficiary)},
            headers=resident_headers(resident),
        )
        assert r.status_code == 201
    mine = (await client.get("/me/waitlist", headers=resident_headers(second))).json()
    assert [(e["slot_id"], e["position"]) for e in mine["items"]] == [(str(slot.id), 2)]
    # the one ahead withdraws: the second moves up
    ahead = (await client.get("/me/waitlist", headers=resident_headers(first))).json()["items"][0]
    r = await client.post(f"/waitlist/{ahead['id']}/withdraw", headers=resident_headers(first))
    assert r.json()["status"] == "withdrawn" and r.json()["position"] is None
    assert (await client.get("/me/waitlist", headers=resident_headers(second))).json()["items"][0][
        "position"
    ] == 1
    first_view = (await client.get("/me/waitlist?limit=1", headers=resident_headers(first))).json()
    assert first_view["items"][0]["position"] is None and first_view["next_cursor"] is None
    assert (await client.get("/me/waitlist", headers=resident_headers(holder))).json()["items"] == []
    assert (await client.get("/me/waitlist?cursor=%%%")).status_code == 401


async def test_the_waitlist_listing_pages_newest_first(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    (holder, b0), (waiter, b1) = await make_many_residents(session, 2)
    slots = [
        await make_slot(session, world.elder_care, capacity=1, starts_in=timedelta(days=d)) for d in (1, 2, 3)
    ]
    for slot in slots:
        await client.post(
            "/bookings",
            json={"slot_id": str(slot.id), "beneficiary_id": str(b0)},
            headers=resident_headers(holder),
        )
        r = await client.post(
            f"/slots/{slot.id}/waitlist", json={"beneficiary_id": str(b1)}, headers=resident_headers(waiter)
        )
        assert r.status_code == 201
    seen: list[str] = []
    url = "/me/waitlist?limit=2"
    while url:
        page = (await client.get(url, headers=resident_headers(waiter))).json()
        seen += [e["slot_id"] for e in page["items"]]
        url = f"/me/waitlist?limit=2&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert seen == [str(s.id) for s in reversed(slots)]
