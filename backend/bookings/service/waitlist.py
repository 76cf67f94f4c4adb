"""The waitlist: a full slot queues beneficiaries; a freed place goes to the first in line, in the same
transaction that freed it; entries lapse when the slot starts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings import repository as repo
from backend.bookings import repository_booking_write as write
from backend.bookings import repository_bookings as brepo
from backend.bookings.errors import (
    AddressRequired,
    AlreadyWaitlisted,
    NotEligible,
    SlotNotFull,
    WaitlistEntryNotFound,
)
from backend.bookings.models import WaitlistStatus
from backend.bookings.schemas import WaitlistJoin, WaitlistPublic
from backend.bookings.service.common import (
    bookable_context,
    booking_row,
    check_bookable,
    quote_for,
)
from backend.core.access import Principal
from backend.core.clock import utcnow
from backend.core.errors import AppError
from backend.core.pagination import Page, keyset_after, keyset_page
from backend.notifications import messages
from backend.notifications.service import MessageKind, enqueue

MAX_PROMOTIONS_PER_CHANGE = 50


async def _public(session: AsyncSession, entry_id: uuid.UUID) -> WaitlistPublic:
    entry = await repo.get_waitlist_entry(session, entry_id)
    assert entry is not None
    position = None
    if entry.status == WaitlistStatus.waiting:
        position = await repo.waitlist_position(session, entry.slot_id, entry.created_at, entry.id)
    return _from_row(entry, position)


def _from_row(entry: Any, position: int | None) -> WaitlistPublic:
    return WaitlistPublic(
        id=entry.id,
        slot_id=entry.slot_id,
        beneficiary_id=entry.beneficiary_id,
        status=entry.status,
        position=position,
        booking_id=entry.booking_id,
        created_at=entry.created_at,
    )


async def join(
    session: AsyncSession, principal: Principal, slot_id: uuid.UUID, body: WaitlistJoin
) -> WaitlistPublic:
    now = utcnow()
    # The slot row stays locked until commit: a cancellation freeing a place either commits first (and
    # this sees the free place) or waits, then promotes this entry.
    ctx = await bookable_context(
        session, principal, slot_id, body.beneficiary_id, now, address=body.address, lock_slot=True
    )
    if ctx.booked < ctx.capacity:
        raise SlotNotFull(extra={"remaining": ctx.capacity - ctx.booked})
    # The queue is ordered by created_at: stamp it now that the slot is locked, so the order of the
    # queue is the order in which joins got the lock (not the order in which they arrived).
    entered_at = utcnow()
    entry_id = uuid.uuid4()
    inserted = await repo.insert_waitlist_entry(
        session,
        {
            "id": entry_id,
            "slot_id": slot_id,
            "resident_id": principal.id,
            "beneficiary_id": ctx.beneficiary_id,
            "status": WaitlistStatus.waiting.value,
            "address": body.address,
            "note": body.note,
            "created_at": entered_at,
            "updated_at": entered_at,
        },
    )
    if not inserted:
        raise AlreadyWaitlisted()
    return await _public(session, entry_id)


async def list_mine(
    session: AsyncSession, principal: Principal, limit: int, cursor: str | None
) -> Page[WaitlistPublic]:
    """The resident's waitlist entries, newest first, with their current positions."""
    rows = await repo.list_waitlist_for_resident(session, principal.id, keyset_after(cursor), limit)
    page, next_cursor = keyset_page(rows, limit)
    return Page(items=[_from_row(r, r.position) for r in page], next_cursor=next_cursor)


async def withdraw(session: AsyncSession, principal: Principal, entry_id: uuid.UUID) -> WaitlistPublic:
    entry = await repo.get_waitlist_entry(session, entry_id)
    if entry is None or entry.resident_id != principal.id:
        raise WaitlistEntryNotFound()
    if entry.status == WaitlistStatus.waiting:
        await repo.leave_waitlist(session, entry_id, WaitlistStatus.withdrawn, utcnow())
    return await _public(session, entry_id)


async def promote(session: AsyncSession, slot_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
    """Give free places of `slot_id` to the first in line, in the caller's transaction; returns the new
    bookings. An entry that can no longer be served (beneficiary removed, now ineligible, already booked)
    is withdrawn and the next one is tried; nothing is promoted once the slot cannot take bookings."""
    promoted: list[uuid.UUID] = []
    for _ in range(MAX_PROMOTIONS_PER_CHANGE):
        entry = await repo.first_waiting(session, slot_id)
        if entry is None:
            break
        ctx = await write.booking_context(session, slot_id, entry.resident_id, entry.beneficiary_id)
        if ctx is None or ctx.booked >= ctx.capacity:
            break
        if ctx.beneficiary_id is None or ctx.already_booked:
            await repo.leave_waitlist(session, entry.id, WaitlistStatus.withdrawn, now)
            continue
        try:
            check_bookable(ctx, now, address=entry.address)
            price = await quote_for(session, ctx)
        except (NotEligible, AddressRequired):  # this entry can no longer be served
            await repo.leave_waitlist(session, entry.id, WaitlistStatus.withdrawn, now)
            continue
        except AppError:
            break  # the slot itself cannot take bookings now: everyone keeps waiting until it lapses
        if not await repo.take_place(session, slot_id, now):
            break
        row = booking_row(
            ctx, entry.resident_id, price, now, address=entry.address, note=entry.note, source="waitlist"
        )
        if not await brepo.insert_booking(session, row):
            await repo.free_place(session, slot_id, now)
            await repo.leave_waitlist(session, entry.id, WaitlistStatus.withdrawn, now)
            continue
        await repo.leave_waitlist(session, entry.id, WaitlistStatus.promoted, now, booking_id=row["id"])
        await brepo.insert_event(
            session, row["id"], None, "confirmed", "system", None, now, reason="waitlist"
        )
        await enqueue(
            session,
            entry.resident_id,
            MessageKind.waitlist_promoted,
            messages.booking_data(ctx.service_name, ctx.start_at, ctx.beneficiary_name or ""),
            page=messages.booking_page(row["id"]),
        )
        promoted.append(row["id"])
    return promoted


async def lapse(session: AsyncSession, now: datetime) -> dict[str, int]:
    """The scheduled job: entries whose slot has started lapse."""
    return {"lapsed": await repo.lapse_started(session, now)}
