"""Claims of a request that died are taken over within seconds, so an honest retry succeeds (issue 15,
finding 4: a retry after a killed worker or a database drop got 409 `idempotency_key_in_flight` for up to
60 s although no booking existed)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.models import Booking
from backend.core.clock import utcnow
from backend.core.idempotency import leased
from backend.core.idempotency_records import Claim, IdempotencyRecord, claim_key, fingerprint
from tests.bookings.factories import World, make_resident, make_slot, resident_headers


async def test_a_dead_requests_claim_is_taken_over_after_a_lease_of_seconds(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    resident, ben = await make_resident(session)
    slot = await make_slot(session, world.elder_care)
    raw = f'{{"slot_id":"{slot.id}","beneficiary_id":"{ben.id}"}}'.encode()
    # The first request claimed the key, then its worker was killed: no renewal, no release.
    await claim_key(f"resident:{resident.id}", "dead-1", fingerprint("POST", "/api/v1/bookings", raw))
    headers = {
        **resident_headers(resident.id),
        "Idempotency-Key": "dead-1",
        "Content-Type": "application/json",
    }

    r = await client.post("/bookings", content=raw, headers=headers)
    assert r.status_code == 409 and r.json()["code"] == "idempotency_key_in_flight"
    assert 1 <= int(r.headers["Retry-After"]) <= 10  # when to come back: within the lease

    # 11 seconds later (the claim was last renewed then) the retry takes the claim over and books.
    await session.execute(sa.update(IdempotencyRecord).values(locked_at=utcnow() - timedelta(seconds=11)))
    await session.commit()
    r = await client.post("/bookings", content=raw, headers=headers)
    assert r.status_code == 201, r.text
    assert await session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1


async def test_a_running_request_keeps_renewing_its_claim(
    session: AsyncSession, world: World, app: object
) -> None:
    resident, _ = await make_resident(session)
    claim = await claim_key(f"resident:{resident.id}", "slow-1", "f" * 64)
    assert isinstance(claim, Claim)
    await session.execute(sa.update(IdempotencyRecord).values(locked_at=utcnow() - timedelta(seconds=30)))
    await session.commit()
    async with leased(claim, every_seconds=0.05):
        await asyncio.sleep(0.3)  # a slow request: its lease is renewed meanwhile
    locked_at = await session.scalar(sa.select(IdempotencyRecord.locked_at))
    await session.commit()
    assert locked_at is not None and locked_at > utcnow() - timedelta(seconds=5)
