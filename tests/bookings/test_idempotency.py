"""Idempotency-Key on POST /bookings: replay, reuse with another body, in flight, released on failure."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.models import Booking
from backend.core.clock import utcnow
from backend.core.database import db
from backend.core.idempotency_records import IdempotencyRecord, claim_key, complete, fingerprint, release
from tests.bookings.factories import World, make_resident, make_slot, resident_headers, supplier_headers


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(sa.select(sa.func.count()).select_from(Booking)) or 0)


async def test_replay_returns_the_first_response(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    resident, ben = await make_resident(session)
    slot = await make_slot(session, world.elder_care)
    headers = {**resident_headers(resident.id), "Idempotency-Key": "k-1"}
    payload = {"slot_id": str(slot.id), "beneficiary_id": str(ben.id)}
    first = await client.post("/bookings", json=payload, headers=headers)
    again = await client.post(
        "/bookings",
        content=f'{{"beneficiary_id": "{ben.id}", "slot_id": "{slot.id}"}}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("idempotent-replayed") == "true"
    assert await _count(session) == 1
    other = await client.post("/bookings", json={**payload, "note": "另一个请求"}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    # keys are per caller: another resident may use the same key
    someone, their_ben = await make_resident(session)
    r = await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(their_ben.id)},
        headers={**resident_headers(someone.id), "Idempotency-Key": "k-1"},
    )
    assert r.status_code == 201 and r.json()["id"] != first.json()["id"]


async def test_in_flight_duplicate_gets_409_and_a_stale_claim_is_taken_over(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    resident, ben = await make_resident(session)
    slot = await make_slot(session, world.elder_care)
    raw = f'{{"slot_id":"{slot.id}","beneficiary_id":"{ben.id}"}}'.encode()
    claim = await claim_key(f"resident:{resident.id}", "k-2", fingerprint("POST", "/api/v1/bookings", raw))
    headers = {**resident_headers(resident.id), "Idempotency-Key": "k-2", "Content-Type": "application/json"}
    r = await client.post("/bookings", content=raw, headers=headers)
    assert r.status_code == 409 and r.json()["code"] == "idempotency_key_in_flight"
    # the first request died: after the lease the key is taken over, and the old claim can no longer complete
    await session.execute(sa.update(IdempotencyRecord).values(locked_at=utcnow() - timedelta(minutes=5)))
    await session.commit()
    r = await client.post("/bookings", content=raw, headers=headers)
    assert r.status_code == 201
    token = await session.scalar(sa.select(IdempotencyRecord.token))
    assert not isinstance(claim, httpx.Response) and token != claim.token  # type: ignore[union-attr]


async def test_a_failed_request_releases_the_key(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    holder, b0 = await make_resident(session)
    resident, ben = await make_resident(session)
    slot = await make_slot(session, world.elder_care, capacity=1)
    await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(b0.id)},
        headers=resident_headers(holder.id),
    )
    headers = {**resident_headers(resident.id), "Idempotency-Key": "k-3"}
    payload = {"slot_id": str(slot.id), "beneficiary_id": str(ben.id)}
    r = await client.post("/bookings", json=payload, headers=headers)
    assert r.status_code == 409 and r.json()["code"] == "slot_full"
    assert await session.scalar(sa.select(sa.func.count()).select_from(IdempotencyRecord)) == 0
    await client.patch(f"/slots/{slot.id}", json={"capacity": 2}, headers=supplier_headers(world.supplier.id))
    r = await client.post("/bookings", json=payload, headers=headers)
    assert r.status_code == 201


async def test_concurrent_duplicates_make_one_booking(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    resident, ben = await make_resident(session)
    slot = await make_slot(session, world.elder_care, capacity=5)
    headers = {**resident_headers(resident.id), "Idempotency-Key": "k-4"}
    payload = {"slot_id": str(slot.id), "beneficiary_id": str(ben.id)}
    replies = await asyncio.gather(
        *(client.post("/bookings", json=payload, headers=headers) for _ in range(20))
    )
    statuses = [r.status_code for r in replies]
    assert set(statuses) <= {201, 409}, statuses
    created = {r.json()["id"] for r in replies if r.status_code == 201}
    assert len(created) == 1
    assert all(r.json()["code"] == "idempotency_key_in_flight" for r in replies if r.status_code == 409)
    assert await _count(session) == 1


async def test_bad_keys_are_refused(client: httpx.AsyncClient, session: AsyncSession, world: World) -> None:
    resident, ben = await make_resident(session)
    slot = await make_slot(session, world.elder_care)
    payload = {"slot_id": str(slot.id), "beneficiary_id": str(ben.id)}
    for key in ("", "x" * 256, "has space", "有空格的键"):
        r = await client.post(
            "/bookings",
            json=payload,
            headers={**resident_headers(resident.id), "Idempotency-Key": key.encode()},
        )
        assert r.status_code == 422, key
    assert await _count(session) == 0


async def test_expired_keys_are_purged_once_per_tick(app: object, session: AsyncSession) -> None:
    from backend.bookings.jobs import PURGE_IDEMPOTENCY
    from backend.core.jobs import run_tick

    old = await claim_key("resident:x", "old", "h1")
    fresh = await claim_key("resident:x", "fresh", "h2")
    assert not isinstance(old, httpx.Response) and not isinstance(fresh, httpx.Response)
    await session.execute(
        sa.update(IdempotencyRecord)
        .where(IdempotencyRecord.key == "old")  # type: ignore[arg-type]
        .values(expires_at=utcnow() - timedelta(hours=2))  # before the (hourly) tick
    )
    await session.commit()
    tick = PURGE_IDEMPOTENCY.tick_for(utcnow())
    assert await run_tick(PURGE_IDEMPOTENCY, tick)
    assert not await run_tick(PURGE_IDEMPOTENCY, tick)
    keys = (await session.execute(sa.select(IdempotencyRecord.key))).scalars().all()
    assert keys == ["fresh"]


async def test_a_stale_claim_is_not_taken_over_by_another_body(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """The key stays bound to its first request: after the lease, the same body takes the claim over,
    another body is a 422 `idempotency_key_reused` (and books nothing)."""
    resident, ben = await make_resident(session)
    slot = await make_slot(session, world.elder_care)
    raw = f'{{"slot_id":"{slot.id}","beneficiary_id":"{ben.id}"}}'.encode()
    await claim_key(f"resident:{resident.id}", "k-5", fingerprint("POST", "/api/v1/bookings", raw))
    await session.execute(sa.update(IdempotencyRecord).values(locked_at=utcnow() - timedelta(minutes=5)))
    await session.commit()
    headers = {**resident_headers(resident.id), "Idempotency-Key": "k-5"}
    other = {"slot_id": str(slot.id), "beneficiary_id": str(ben.id), "note": "另一个请求"}
    r = await client.post("/bookings", json=other, headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert await _count(session) == 0
    r = await client.post("/bookings", content=raw, headers={**headers, "Content-Type": "application/json"})
    assert r.status_code == 201


async def test_a_known_key_answers_first_even_for_an_unknown_slot(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """The key is checked before the slot: another body under a used key is a 422 whatever it names, on
    PostgreSQL (where the key is claimed late, after the first read) as on SQLite."""
    resident, ben = await make_resident(session)
    slot = await make_slot(session, world.elder_care)
    headers = {**resident_headers(resident.id), "Idempotency-Key": "k-unknown"}
    r = await client.post(
        "/bookings", json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id)}, headers=headers
    )
    assert r.status_code == 201, r.text
    gone = {"slot_id": "00000000-0000-4000-8000-000000000000", "beneficiary_id": str(ben.id)}
    r = await client.post("/bookings", json=gone, headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"


async def test_releasing_a_claim_never_removes_a_completed_response(
    session: AsyncSession, world: World
) -> None:
    """A booking's write stores its response in the same statement that books; if the request then fails on
    its way out (a lost connection, a cancelled task), the release it runs must leave that response for the
    retry to replay, not make the key look unused."""
    claim = await claim_key("resident:release-test", "k-done", "0" * 64)
    assert not isinstance(claim, httpx.Response)
    async with db.sessionmaker() as other, other.begin():
        await complete(other, claim, 201, {"id": "x"})  # type: ignore[arg-type]
    await release(claim)  # type: ignore[arg-type]
    record = (
        await session.execute(sa.select(IdempotencyRecord).where(IdempotencyRecord.key == "k-done"))
    ).scalar_one()
    assert (record.status, record.response_body) == ("completed", {"id": "x"})
    replay = await claim_key("resident:release-test", "k-done", "0" * 64)
    assert getattr(replay, "status_code", None) == 201
