"""No overbooking, by construction: hundreds of concurrent bookings against a small slot.

Runs on PostgreSQL (row lock + conditional UPDATE) and on SQLite (serialised writers); either way exactly
`capacity` succeed, every other request is a 409 `slot_full`, and nothing is a 5xx.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.models import Booking, Slot
from tests.bookings.factories import World, make_many_residents, make_resident, make_slot, resident_headers
from tests.conftest import is_postgres

CAPACITY = 5


async def test_hundreds_of_concurrent_bookings_never_overbook(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    n = 300 if is_postgres() else 120
    pairs = await make_many_residents(session, n)
    slot = await make_slot(session, world.elder_care, capacity=CAPACITY)

    async def book(resident_id: object, beneficiary_id: object) -> httpx.Response:
        return await client.post(
            "/bookings",
            json={"slot_id": str(slot.id), "beneficiary_id": str(beneficiary_id)},
            headers=resident_headers(resident_id),  # type: ignore[arg-type]
        )

    replies = await asyncio.gather(*(book(r, b) for r, b in pairs))
    statuses = Counter(r.status_code for r in replies)
    assert statuses == {201: CAPACITY, 409: n - CAPACITY}, statuses
    assert {r.json()["code"] for r in replies if r.status_code == 409} == {"slot_full"}
    assert all(r.json()["waitlist_available"] is True for r in replies if r.status_code == 409)
    slot_id = slot.id
    session.expire_all()
    assert await session.scalar(sa.select(Slot.booked).where(Slot.id == slot_id)) == CAPACITY  # type: ignore[arg-type]
    active = sa.select(sa.func.count()).select_from(Booking).where(Booking.slot_id == slot_id)  # type: ignore[arg-type]
    assert await session.scalar(active) == CAPACITY


async def test_concurrent_bookings_of_one_beneficiary_make_one(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    resident, ben = await make_resident(session)
    slot = await make_slot(session, world.elder_care, capacity=CAPACITY)
    payload = {"slot_id": str(slot.id), "beneficiary_id": str(ben.id)}
    replies = await asyncio.gather(
        *(client.post("/bookings", json=payload, headers=resident_headers(resident.id)) for _ in range(30))
    )
    statuses = Counter(r.status_code for r in replies)
    assert statuses == {201: 1, 409: 29}, statuses
    assert {r.json()["code"] for r in replies if r.status_code == 409} == {"duplicate_booking"}
    slot_id = slot.id
    session.expire_all()
    assert await session.scalar(sa.select(Slot.booked).where(Slot.id == slot_id)) == 1  # type: ignore[arg-type]


async def test_the_database_refuses_overbooking_itself(session: AsyncSession, world: World) -> None:
    """The last line of defence: even a careless UPDATE cannot push booked above capacity."""
    slot = await make_slot(session, world.elder_care, capacity=1)
    await session.execute(sa.update(Slot).where(Slot.id == slot.id).values(booked=1))  # type: ignore[arg-type]
    await session.commit()
    try:
        await session.execute(sa.update(Slot).where(Slot.id == slot.id).values(booked=2))  # type: ignore[arg-type]
        await session.commit()
    except sa.exc.IntegrityError:
        await session.rollback()
    else:
        raise AssertionError("CHECK (booked <= capacity) did not hold")
