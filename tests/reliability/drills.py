"""Shared pieces of the drills: load generators, tallies, and the database truth they are checked against."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.models import ACTIVE_STATUSES, Booking, Slot
from tests.bookings.factories import resident_headers


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    no_reply: int = 0  # transport errors: no HTTP answer at all
    created: list[str] = field(default_factory=list)  # ids of bookings answered 201
    missing_retry_after: int = 0
    waited_in_flight: int = 0  # 409 in flight answered, waited Retry-After, came back

    def record(self, r: httpx.Response) -> None:
        self.statuses[r.status_code] += 1
        if r.status_code >= 400 and "json" in r.headers.get("content-type", ""):
            self.codes[str(r.json().get("code"))] += 1
        if r.status_code == 503 and "retry-after" not in r.headers:
            self.missing_retry_after += 1
        if r.status_code == 201:
            self.created.append(r.json()["id"])

    @property
    def total(self) -> int:
        return sum(self.statuses.values()) + self.no_reply

    def summary(self) -> str:
        return (
            f"requests={self.total} statuses={dict(sorted(self.statuses.items()))} "
            f"codes={dict(self.codes)} no_reply={self.no_reply} waited_in_flight={self.waited_in_flight}"
        )


async def book(
    client: httpx.AsyncClient,
    tally: Tally,
    slot_id: uuid.UUID,
    resident: uuid.UUID,
    beneficiary: uuid.UUID,
    *,
    honour_in_flight: bool = False,
) -> None:
    """One booking; an honest client (`honour_in_flight`) comes back after a 409 in flight's Retry-After."""
    for _ in range(4):
        try:
            r = await client.post(
                "/api/v1/bookings",
                json={"slot_id": str(slot_id), "beneficiary_id": str(beneficiary)},
                headers={**resident_headers(resident), "Idempotency-Key": f"rel-{resident}-{slot_id}"},
            )
        except httpx.HTTPError:
            tally.no_reply += 1
            return
        in_flight = r.status_code == 409 and r.json().get("code") == "idempotency_key_in_flight"
        if not (honour_in_flight and in_flight):
            break
        tally.waited_in_flight += 1
        await asyncio.sleep(float(r.headers.get("Retry-After", "1")))
    tally.record(r)


async def run_bounded(coros: Sequence[object], concurrency: int) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(c: object) -> None:
        async with gate:
            await c  # type: ignore[misc]

    await asyncio.gather(*(one(c) for c in coros))


async def active_bookings(session: AsyncSession, slot_id: uuid.UUID) -> int:
    stmt = sa.select(sa.func.count()).where(Booking.slot_id == slot_id, Booking.status.in_(ACTIVE_STATUSES))  # type: ignore[attr-defined]
    return int(await session.scalar(stmt) or 0)


async def booked(session: AsyncSession, slot_id: uuid.UUID) -> int:
    return int(await session.scalar(sa.select(Slot.booked).where(Slot.id == slot_id)) or 0)  # type: ignore[arg-type]


async def existing_ids(session: AsyncSession, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    rows = await session.scalars(sa.select(Booking.id).where(Booking.id.in_([uuid.UUID(i) for i in ids])))  # type: ignore[attr-defined]
    return {str(r) for r in rows}
