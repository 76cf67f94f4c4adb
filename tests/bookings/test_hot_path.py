"""Review fixes: the statements of the hot booking write, the waitlist/cancellation race, queue order."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.models import Booking, Slot, WaitlistEntry
from backend.bookings.rules import Action
from backend.bookings.service import lifecycle
from backend.bookings.service.waitlist import _public
from backend.catalogue.models import ServicePrice, SubsidyRule
from backend.core import rawsql
from backend.core.access import Principal, Role
from backend.core.clock import utcnow
from backend.core.database import db
from tests.bookings.factories import World, make_resident, make_slot, resident_headers
from tests.conftest import requires_postgres


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement the app runs while the test records: through the engine, or straight on the
    driver (`backend.core.rawsql`)."""
    seen: list[str] = []

    def record_sql(statement: str) -> None:
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        record_sql(statement)

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    rawsql.statement_observers.append(record_sql)
    yield seen
    rawsql.statement_observers.remove(record_sql)
    event.remove(engine, "before_cursor_execute", record)


@requires_postgres  # the one-statement write is PostgreSQL's (SQLite runs take_place + two INSERTs)
async def test_the_hot_write_runs_two_statements_once_the_price_table_is_cached(
    client: httpx.AsyncClient, session: AsyncSession, world: World, statements: list[str]
) -> None:
    """Context with the price table's fingerprint (1); the place, booking, history, message and (with a
    key) the stored response in one statement (1, `WITH`). The first booking of a service also loads its
    price table (2). A new key is recorded by the write itself: no claim of its own. No BEGIN/COMMIT: the
    one write is atomic. The service row is read by the context query, never again by
    the quote."""
    resident, ben = await make_resident(session)
    slot = await make_slot(session, world.elder_care)
    payload = {"slot_id": str(slot.id), "beneficiary_id": str(ben.id)}
    statements.clear()
    r = await client.post("/bookings", json=payload, headers=resident_headers(resident.id))
    assert r.status_code == 201, r.text
    work = [s for s in statements if s in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")]
    if statements.count("SELECT") == 3:  # this process had not cached the price table yet
        assert work == ["SELECT", "SELECT", "SELECT", "WITH"], work
    else:
        assert work == ["SELECT", "WITH"], work

    other, their_ben = await make_resident(session)
    statements.clear()
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(their_ben.id)},
        headers={**resident_headers(other.id), "Idempotency-Key": "hot-1"},
    )
    assert r.status_code == 201, r.text
    work = [s for s in statements if s in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")]
    assert work == ["SELECT", "WITH"], work  # context (and key check), write (and the key's record)
    assert "BEGIN" not in statements and "COMMIT" not in statements, statements


async def test_a_full_slot_is_refused_after_the_context_read_alone(
    client: httpx.AsyncClient, session: AsyncSession, world: World, statements: list[str]
) -> None:
    """The morning rush's refusals are cheap: a slot full when the context is read answers 409 slot_full
    without a quote or a write."""
    slot = await make_slot(session, world.elder_care, capacity=1)
    first, b1 = await make_resident(session)
    second, b2 = await make_resident(session)
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(b1.id)},
        headers=resident_headers(first.id),
    )
    assert r.status_code == 201, r.text
    statements.clear()
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(b2.id)},
        headers=resident_headers(second.id),
    )
    assert r.status_code == 409 and r.json()["code"] == "slot_full"
    assert [s for s in statements if s in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")] == ["SELECT"]


@requires_postgres  # the deferred claim is PostgreSQL's (SQLite claims in the dependency)
async def test_a_keyed_request_for_a_full_slot_writes_nothing_and_a_retry_still_replays(
    client: httpx.AsyncClient, session: AsyncSession, world: World, statements: list[str]
) -> None:
    """The morning rush's keyed refusals are read-only: no claim, no release. A retry of a booking that
    succeeded is replayed even once the slot is full (the key is checked in the same first read)."""
    slot = await make_slot(session, world.elder_care, capacity=1)
    first, b1 = await make_resident(session)
    second, b2 = await make_resident(session)
    booked = {"json": {"slot_id": str(slot.id), "beneficiary_id": str(b1.id)},
              "headers": {**resident_headers(first.id), "Idempotency-Key": "rush-1"}}  # fmt: skip
    r = await client.post("/bookings", **booked)
    assert r.status_code == 201, r.text
    statements.clear()
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(b2.id)},
        headers={**resident_headers(second.id), "Idempotency-Key": "rush-2"},
    )
    assert r.status_code == 409 and r.json()["code"] == "slot_full"
    assert [s for s in statements if s in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")] == ["SELECT"]
    replay = await client.post("/bookings", **booked)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    mine = (await client.get("/me/bookings", headers=resident_headers(first.id))).json()["items"]
    assert [b["id"] for b in mine] == [replay.json()["id"]]
    count = await session.scalar(
        sa.select(sa.func.count()).select_from(Booking).where(Booking.slot_id == slot.id)  # type: ignore[arg-type]
    )
    assert count == 1


async def test_a_new_price_version_reaches_the_next_booking_through_the_cached_price_table(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """A booking snapshots the price and subsidy rules in force (catalogue/pricing.py): the cached price
    table is reloaded as soon as a version or a subsidy rule is added, with no wait and no hook."""
    slot = await make_slot(session, world.elder_care, capacity=10)
    first, b1 = await make_resident(session)
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(b1.id)},
        headers=resident_headers(first.id),
    )
    assert r.status_code == 201 and r.json()["price"]["total_fen"] == 1000, r.text
    now = utcnow()
    session.add(
        ServicePrice(
            service_id=world.elder_care.id, version=2, market_price_fen=2400, assessed_price_fen=1800,
            inclusive_price_fen=1200, effective_from=now - timedelta(seconds=1),
        )
    )  # fmt: skip
    session.add(
        SubsidyRule(
            service_id=world.elder_care.id, name="社区帮扶", payer="community", min_age_years=60,
            amount_fen=100, valid_from=now - timedelta(seconds=1),
        )
    )  # fmt: skip
    await session.commit()
    second, b2 = await make_resident(session)
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(b2.id)},
        headers=resident_headers(second.id),
    )
    assert r.status_code == 201, r.text
    price = r.json()["price"]
    assert (price["total_fen"], price["subsidy_fen"], price["community_fen"], price["payable_fen"]) == (
        1200, 300, 100, 800,
    )  # fmt: skip


@requires_postgres
async def test_joining_the_waitlist_while_a_place_is_freed_never_strands_the_entry(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """A cancellation frees the place and finds nobody waiting, but has not committed yet; meanwhile a
    resident joins the waitlist of the (still full, as committed) slot. The join must wait for the slot
    row: after the cancellation commits it sees the free place (409 slot_not_full). Without the lock it
    committed a waiting entry next to a free place that nobody would ever give it."""
    slot = await make_slot(session, world.elder_care, capacity=1)
    holder, b0 = await make_resident(session)
    joiner, b1 = await make_resident(session)
    booked = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(b0.id)},
        headers=resident_headers(holder.id),
    )
    assert booked.status_code == 201
    booking_id = uuid.UUID(booked.json()["id"])
    slot_id, joiner_id, b1_id = slot.id, joiner.id, b1.id

    async with db.sessionmaker() as cancelling:
        await lifecycle.transition(
            cancelling, Principal(id=holder.id, role=Role.resident), booking_id, Action.cancel, None
        )  # frees the place, promotes nobody, keeps the slot row locked until commit
        join = asyncio.create_task(
            client.post(
                f"/slots/{slot.id}/waitlist",
                json={"beneficiary_id": str(b1.id)},
                headers=resident_headers(joiner.id),
            )
        )
        await asyncio.sleep(0.5)
        await cancelling.commit()
    r = await asyncio.wait_for(join, 30)

    session.expire_all()
    free = await session.scalar(sa.select(Slot.capacity - Slot.booked).where(Slot.id == slot_id))  # type: ignore[arg-type]
    waiting = await session.scalar(
        sa.select(sa.func.count())
        .select_from(WaitlistEntry)
        .where(WaitlistEntry.slot_id == slot_id, WaitlistEntry.status == "waiting")  # type: ignore[arg-type]
    )
    assert not (free and waiting), (free, waiting, r.status_code, r.text)
    assert r.status_code == 409 and r.json()["code"] == "slot_not_full"
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot_id), "beneficiary_id": str(b1_id)},
        headers=resident_headers(joiner_id),
    )
    assert r.status_code == 201


async def test_entries_made_at_the_same_instant_have_distinct_positions(
    session: AsyncSession, world: World
) -> None:
    """Positions follow the order the queue is served in, (created_at, id): no two share a place."""
    slot = await make_slot(session, world.elder_care, capacity=1)
    now = utcnow()
    ids = sorted(uuid.uuid4() for _ in range(3))
    for entry_id in ids:
        resident, ben = await make_resident(session)
        session.add(
            WaitlistEntry(
                id=entry_id,
                slot_id=slot.id,
                resident_id=resident.id,
                beneficiary_id=ben.id,
                created_at=now,
                updated_at=now,
            )
        )
    await session.commit()
    positions = [(await _public(session, entry_id)).position for entry_id in ids]
    assert positions == [1, 2, 3]
    assert await session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


@requires_postgres  # a new key recorded by the write is PostgreSQL's (SQLite claims in the dependency)
async def test_a_new_key_sent_twice_at_once_books_once(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """Two requests with the same new key at the same moment: both read the key as unknown, and both
    write; the key's unique index lets one statement through and fails the other whole (409 in flight, no
    booking, no place taken). The retry is replayed."""
    slot = await make_slot(session, world.elder_care, capacity=5)
    resident, ben = await make_resident(session)
    request = {"json": {"slot_id": str(slot.id), "beneficiary_id": str(ben.id)},
               "headers": {**resident_headers(resident.id), "Idempotency-Key": "twice-at-once"}}  # fmt: skip
    answers = await asyncio.gather(*(client.post("/bookings", **request) for _ in range(6)))
    made = [r for r in answers if r.status_code == 201 and "Idempotent-Replayed" not in r.headers]
    assert len(made) == 1, [(r.status_code, r.text) for r in answers]
    for r in answers:
        if r is not made[0]:
            assert (r.status_code == 409 and r.json()["code"] == "idempotency_key_in_flight") or (
                r.status_code == 201 and r.json() == made[0].json()
            ), r.text
    retry = await client.post("/bookings", **request)
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == made[0].json()
    await session.refresh(slot)
    assert slot.booked == 1
    count = await session.scalar(
        sa.select(sa.func.count()).select_from(Booking).where(Booking.slot_id == slot.id)  # type: ignore[arg-type]
    )
    assert count == 1
