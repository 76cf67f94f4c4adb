"""A booking's life: each move by the right actor only, illegal ones a 409, every change recorded."""

from __future__ import annotations

from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.models import BookingEvent, Slot
from backend.core.clock import utcnow
from backend.notifications.models import OutboxMessage
from tests.bookings.factories import (
    World,
    make_resident,
    make_slot,
    move_slot_start,
    operator_headers,
    resident_headers,
    supplier_headers,
)


async def _book(client: httpx.AsyncClient, session: AsyncSession, slot: Slot) -> tuple[str, dict[str, str]]:
    resident, ben = await make_resident(session)
    headers = resident_headers(resident.id)
    r = await client.post(
        "/bookings", json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id)}, headers=headers
    )
    assert r.status_code == 201, r.text
    return r.json()["id"], headers


async def test_check_in_then_complete_and_history(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    slot = await make_slot(session, world.elder_care)
    booking_id, resident = await _book(client, session, slot)
    staff = supplier_headers(world.supplier.id)
    r = await client.post(f"/bookings/{booking_id}/complete", headers=staff)
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    r = await client.post(f"/bookings/{booking_id}/check-in", headers=staff)
    assert r.status_code == 409 and r.json()["code"] == "check_in_too_early"  # the slot is tomorrow
    await move_slot_start(session, slot.id, utcnow() - timedelta(minutes=1))
    r = await client.post(f"/bookings/{booking_id}/check-in", headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "checked_in"
    r = await client.post(f"/bookings/{booking_id}/check-in", headers=staff)
    assert r.status_code == 409
    r = await client.post(f"/bookings/{booking_id}/cancel", json={"reason": "不去了"}, headers=resident)
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    r = await client.post(f"/bookings/{booking_id}/complete", headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "completed"
    r = await client.post(f"/bookings/{booking_id}/no-show", headers=staff)
    assert r.status_code == 409
    detail = (await client.get(f"/bookings/{booking_id}", headers=resident)).json()
    assert [(h["from_status"], h["to_status"], h["actor_role"]) for h in detail["history"]] == [
        (None, "confirmed", "resident"),
        ("confirmed", "checked_in", "supplier_staff"),
        ("checked_in", "completed", "supplier_staff"),
    ]
    actors = (await session.execute(sa.select(BookingEvent.actor_id))).scalars().all()
    assert all(a is not None for a in actors)


async def test_only_the_services_supplier_moves_bookings(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    slot = await make_slot(session, world.elder_care)
    booking_id, resident = await _book(client, session, slot)
    assert (await client.post(f"/bookings/{booking_id}/check-in", headers=resident)).status_code == 403
    assert (
        await client.post(f"/bookings/{booking_id}/check-in", headers=operator_headers(world.operator.id))
    ).status_code == 403
    r = await client.post(
        f"/bookings/{booking_id}/check-in", headers=supplier_headers(world.other_supplier.id)
    )
    assert r.status_code == 404 and r.json()["code"] == "booking_not_found"


async def test_no_show_only_after_the_start(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    slot = await make_slot(session, world.elder_care)
    booking_id, _ = await _book(client, session, slot)
    staff = supplier_headers(world.supplier.id)
    r = await client.post(f"/bookings/{booking_id}/no-show", headers=staff)
    assert r.status_code == 409 and r.json()["code"] == "slot_not_started"
    await move_slot_start(session, slot.id, utcnow() - timedelta(minutes=30))
    r = await client.post(f"/bookings/{booking_id}/no-show", headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "no_show"


async def test_resident_cancels_before_the_cutoff_and_frees_the_place(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    slot = await make_slot(session, world.elder_care, capacity=1)
    booking_id, resident = await _book(client, session, slot)
    r = await client.post(f"/bookings/{booking_id}/cancel", json={"reason": "临时有事"}, headers=resident)
    assert (
        r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["cancel_reason"] == "临时有事"
    )
    await session.refresh(slot)
    assert slot.booked == 0
    r = await client.post(f"/bookings/{booking_id}/cancel", headers=resident)
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    # the record stays
    mine = await client.get("/me/bookings?status=cancelled", headers=resident)
    assert [b["id"] for b in mine.json()["items"]] == [booking_id]


async def test_resident_cannot_cancel_after_the_cutoff(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    slot = await make_slot(session, world.elder_care, starts_in=timedelta(hours=3))  # cut-off 120 minutes
    booking_id, resident = await _book(client, session, slot)
    await move_slot_start(session, slot.id, utcnow() + timedelta(minutes=60))
    r = await client.post(f"/bookings/{booking_id}/cancel", json={}, headers=resident)
    assert r.status_code == 409 and r.json()["code"] == "cancel_window_closed"
    assert r.json()["deadline"].endswith("+08:00")
    assert r.json()["title"] == "已过可取消时间"


async def test_supplier_cancels_any_time_with_a_reason_and_the_resident_is_told(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    slot = await make_slot(session, world.elder_care, starts_in=timedelta(hours=3))
    booking_id, _ = await _book(client, session, slot)
    await move_slot_start(session, slot.id, utcnow() + timedelta(minutes=30))
    staff = supplier_headers(world.supplier.id)
    r = await client.post(f"/bookings/{booking_id}/cancel", json={}, headers=staff)
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    r = await client.post(f"/bookings/{booking_id}/cancel", json={"reason": "护理员生病"}, headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    kinds = (
        (await session.execute(sa.select(OutboxMessage.kind).order_by(OutboxMessage.created_at)))
        .scalars()
        .all()
    )
    assert kinds == ["booking_confirmed", "booking_cancelled"]
    message = (
        await session.execute(sa.select(OutboxMessage).where(OutboxMessage.kind == "booking_cancelled"))
    ).scalar_one()
    assert message.data["thing3"] == "护理员生病"
