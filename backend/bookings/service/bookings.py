"""Making a booking (the hot path) and reading bookings.

The hot path: one query reads the slot, service, facility, announced stops, the caller's beneficiary and
any active booking of theirs for the slot; the catalogue quotes the price from its cached table; one
statement takes the place (`booked < capacity AND status = 'open' AND start_at > now`) and writes the
booking, its history row, the outbox message and the Idempotency-Key's response (on PostgreSQL, on the
driver: `repository_booking_write.write_booking`). No Redis on the way; the slot list's cache is bumped after.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings import cache
from backend.bookings import repository as repo
from backend.bookings import repository_booking_write as write
from backend.bookings import repository_bookings as brepo
from backend.bookings.errors import DuplicateBooking, SlotFull
from backend.bookings.repository_booking_write import Written
from backend.bookings.schemas import (
    BookingCreate,
    BookingDetail,
    BookingEventPublic,
    BookingPublic,
)
from backend.bookings.service.common import (
    bookable_context,
    booking_row,
    public_from_row,
    public_from_view,
    quote_for,
    require_visible,
)
from backend.catalogue.errors import ServiceNotFound
from backend.catalogue.queries import resolve_scope
from backend.core.access import Principal
from backend.core.clock import utcnow
from backend.core.daterange import day_window
from backend.core.idempotency import Keyed
from backend.core.idempotency_records import IdempotencyKeyInFlight
from backend.core.pagination import Page, keyset_after, keyset_page
from backend.core.rawsql import is_postgresql
from backend.notifications import messages
from backend.notifications.service import MessageKind, enqueue_many, message


async def create_booking(
    session: AsyncSession, principal: Principal, body: BookingCreate, keyed: Keyed | None = None
) -> BookingPublic:
    now = utcnow()
    ctx = await bookable_context(
        session, principal, body.slot_id, body.beneficiary_id, now, address=body.address, keyed=keyed
    )
    if ctx.booked >= ctx.capacity:
        # Full when our context was read: refusing now is what the conditional UPDATE would answer, minus
        # the quote and the write (a place freed since is as if freed after this request). With a
        # deferred key nothing was written for this request: no claim to release.
        raise SlotFull(waitlist_available=True)
    completion = keyed.for_write() if keyed is not None else None  # the key's record, stored by the write
    price = await quote_for(session, ctx)
    row = booking_row(ctx, principal.id, price, now, address=body.address, note=body.note, source="direct")
    public = public_from_row(row, ctx)
    confirmation = message(
        principal.id,
        MessageKind.booking_confirmed,
        messages.booking_data(ctx.service_name, ctx.start_at, ctx.beneficiary_name or ""),
        page=messages.booking_page(row["id"]),
        now=now,
    )
    if is_postgresql(session):
        # One statement: place, booking, history, message and the Idempotency-Key's stored response.
        response = public.model_dump(mode="json") if completion is not None else {}
        written = await write.write_booking(
            session, row, principal.role.value, principal.id, now, confirmation, completion, response
        )
    else:  # SQLite (a first run): the same steps one by one in the request's transaction
        written = await write.place_booking(session, row, principal.role.value, principal.id, now)
        if written is Written.made:
            await enqueue_many(session, [confirmation])
    if written is Written.claim_lost:
        raise IdempotencyKeyInFlight(headers={"Retry-After": "1"})
    if written is Written.full:
        raise SlotFull(waitlist_available=True)
    if written is Written.duplicate:
        raise DuplicateBooking()  # raced with another booking of the same beneficiary
    cache.invalidate_after_commit(session, ctx.service_id)
    return public


async def get_booking(session: AsyncSession, principal: Principal, booking_id: uuid.UUID) -> BookingDetail:
    view = await require_visible(session, principal, await brepo.get_view(session, booking_id))
    history = [
        BookingEventPublic(
            from_status=e.from_status,
            to_status=e.to_status,
            actor_role=e.actor_role,
            reason=e.reason,
            at=e.created_at,
        )
        for e in await brepo.events(session, booking_id)
    ]
    return BookingDetail(**public_from_view(view).model_dump(), history=history)


async def list_mine(
    session: AsyncSession, principal: Principal, status: str | None, limit: int, cursor: str | None
) -> Page[BookingPublic]:
    rows = await brepo.list_for_resident(session, principal.id, status, keyset_after(cursor), limit)
    page, next_cursor = keyset_page(rows, limit)
    return Page(items=[public_from_view(r) for r in page], next_cursor=next_cursor)


async def list_for_staff(
    session: AsyncSession,
    principal: Principal,
    service_id: uuid.UUID | None,
    day: date | None,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> Page[BookingPublic]:
    """The bookings of the services the caller sees (`Scope.sees_service`: supplier staff their supplier's,
    operator staff their facilities'); a service outside the caller's scope is a 404."""
    scope = await resolve_scope(session, principal)
    if service_id is not None:
        service = await repo.service_scope(session, service_id)
        visible = service is not None and scope.sees_service(service.facility_id, service.supplier_id)
        scope.require(visible, ServiceNotFound())
    window = None if day is None else day_window(day)
    rows = await brepo.list_for_staff(
        session,
        scope=scope,
        service_id=service_id,
        window=window,
        status=status,
        after=keyset_after(cursor),
        limit=limit,
    )
    page, next_cursor = keyset_page(rows, limit, "start_at")
    return Page(items=[public_from_view(r) for r in page], next_cursor=next_cursor)
