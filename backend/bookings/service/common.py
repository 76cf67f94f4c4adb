"""Shared by the booking services: the bookability checks, the quote, scope checks and views."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.errors import BeneficiaryNotFound
from backend.accounts.service import age_on
from backend.bookings import repository_booking_write as write
from backend.bookings import rules
from backend.bookings.errors import (
    AddressRequired,
    BookingNotFound,
    DuplicateBooking,
    NotEligible,
    OrderCutoffPassed,
    ServiceNotBookable,
    ServiceSuspended,
    SlotNotFound,
    SlotNotOpen,
)
from backend.bookings.models import SlotStatus
from backend.bookings.schemas import (
    BeneficiaryBrief,
    BookingPublic,
    PricePublic,
    SlotBrief,
    SlotPublic,
)
from backend.bookings.views import BookingContext, BookingView, SlotLike
from backend.catalogue.queries import FacilityStatus, ServiceStatus, resolve_scope
from backend.catalogue.service import BeneficiaryProfile, Quote, quote_from_table
from backend.core.access import Principal
from backend.core.idempotency import Keyed


def check_bookable(ctx: BookingContext, now: datetime, *, address: str | None) -> None:
    """Every rule a new booking (or waitlist entry) must pass, on the row `booking_context` returns."""
    if ctx.service_status != ServiceStatus.active or ctx.facility_status != FacilityStatus.active:
        raise ServiceNotBookable()
    if ctx.slot_status != SlotStatus.open or ctx.start_at <= now:
        raise SlotNotOpen()
    slot_day = rules.local_date(ctx.start_at)
    if ctx.suspended_from is not None and ctx.suspended_from <= slot_day:
        raise ServiceSuspended(extra={"suspended_from": ctx.suspended_from.isoformat()})
    if now > rules.order_cutoff(ctx.start_at, ctx.function, ctx.booking_mode, ctx.order_cutoff_minutes):
        raise OrderCutoffPassed()
    if ctx.birth_date is None:  # not the caller's beneficiary (or deleted)
        raise BeneficiaryNotFound()
    age = age_on(ctx.birth_date, slot_day)
    band = rules.age_band(ctx.function, ctx.min_age_years, ctx.max_age_years)
    if not rules.is_eligible(age, band):
        raise NotEligible(extra={"age_years": age, "min_age_years": band[0], "max_age_years": band[1]})
    if rules.needs_address(ctx.booking_mode, ctx.requires_address) and not address:
        raise AddressRequired()


async def bookable_context(
    session: AsyncSession,
    principal: Principal,
    slot_id: uuid.UUID,
    beneficiary_id: uuid.UUID,
    now: datetime,
    *,
    address: str | None,
    lock_slot: bool = False,
    keyed: Keyed | None = None,
) -> BookingContext:
    """Read what a new booking or waitlist entry decides on (one query) and apply every rule to it: the
    slot exists, the beneficiary is the caller's, the slot and beneficiary pass `check_bookable`, and the
    beneficiary holds no active booking for the slot yet. With a deferred Idempotency-Key (`keyed`), a key
    the same query finds already known is claimed before any rule answers (a retry is replayed, not
    refused as a duplicate)."""
    key = keyed.lookup if keyed is not None else None
    ctx = await write.booking_context(
        session, slot_id, principal.id, beneficiary_id, lock_slot=lock_slot, key=key
    )
    if keyed is not None and key is not None and (ctx is None or ctx.key_known):
        await keyed.claim()  # no row to tell whether the key is known: claim, as SQLite's path has
    if ctx is None:
        raise SlotNotFound()
    if ctx.beneficiary_id is None:
        raise BeneficiaryNotFound()
    check_bookable(ctx, now, address=address)
    if ctx.already_booked:
        raise DuplicateBooking()
    return ctx


async def quote_for(session: AsyncSession, ctx: BookingContext) -> Quote:
    if ctx.birth_date is None:
        raise BeneficiaryNotFound()
    profile = BeneficiaryProfile(
        age_years=age_on(ctx.birth_date, rules.local_date(ctx.start_at)),
        dibao=bool(ctx.dibao),
        disability=bool(ctx.disability),
    )
    return await quote_from_table(
        session, ctx.service_id, ctx.service_class, ctx.price_stamp, profile, ctx.start_at
    )


def booking_row(
    ctx: BookingContext,
    resident_id: uuid.UUID,
    price: Quote,
    now: datetime,
    *,
    address: str | None,
    note: str | None,
    source: str,
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "slot_id": ctx.slot_id,
        "service_id": ctx.service_id,
        "resident_id": resident_id,
        "beneficiary_id": ctx.beneficiary_id,
        "start_at": ctx.start_at,
        "status": "confirmed",
        "source": source,
        "address": address,
        "note": note,
        **price.model_dump(),
        "status_changed_at": now,
        "created_at": now,
        "updated_at": now,
    }


def public_from_row(row: dict[str, Any], ctx: BookingContext) -> BookingPublic:
    """The reply to a booking just made, from what we wrote and read (no second query)."""
    return _public(
        row,
        service_name=ctx.service_name,
        end_at=ctx.end_at,
        beneficiary_name=ctx.beneficiary_name or "",
        relation=ctx.relation or "",
        cancel_reason=None,
    )


def public_from_view(v: BookingView) -> BookingPublic:
    """From a `BookingView`."""
    return _public(
        {
            "id": v.id,
            "status": v.status,
            "source": v.source,
            "slot_id": v.slot_id,
            "service_id": v.service_id,
            "start_at": v.start_at,
            "beneficiary_id": v.beneficiary_id,
            "address": v.address,
            "note": v.note,
            "created_at": v.created_at,
            "status_changed_at": v.status_changed_at,
            **{k: getattr(v, k) for k in PRICE_FIELDS},
        },
        service_name=v.service_name,
        end_at=v.end_at,
        beneficiary_name=v.beneficiary_name,
        relation=v.relation,
        cancel_reason=v.cancel_reason,
    )


PRICE_FIELDS = tuple(PricePublic.model_fields)


def _public(
    b: Mapping[str, Any],
    *,
    service_name: str,
    end_at: datetime,
    beneficiary_name: str,
    relation: str,
    cancel_reason: str | None,
) -> BookingPublic:
    return BookingPublic(
        id=b["id"],
        status=b["status"],
        source=b["source"],
        slot=SlotBrief(
            id=b["slot_id"],
            service_id=b["service_id"],
            service_name=service_name,
            start_at=b["start_at"],
            end_at=end_at,
        ),
        beneficiary=BeneficiaryBrief(id=b["beneficiary_id"], name=beneficiary_name, relation=relation),
        price=PricePublic(**{k: b[k] for k in PRICE_FIELDS}),
        address=b["address"],
        note=b["note"],
        cancel_reason=cancel_reason,
        created_at=b["created_at"],
        status_changed_at=b["status_changed_at"],
    )


def slot_public(row: SlotLike, now: datetime, book_by: datetime) -> SlotPublic:
    """`book_by` is when orders close (the meal cut-off, else the start): past it the slot shows closed."""
    remaining = max(row.capacity - row.booked, 0)
    if row.status != SlotStatus.open or book_by <= now:
        status = "closed"
    elif remaining == 0:
        status = "full"
    else:
        status = "open"
    return SlotPublic(
        id=row.id,
        service_id=row.service_id,
        start_at=row.start_at,
        end_at=row.end_at,
        capacity=row.capacity,
        remaining=remaining,
        status=status,
        book_by=book_by,
    )


async def require_visible(
    session: AsyncSession, principal: Principal, view: BookingView | None
) -> BookingView:
    """A booking is visible to its resident and to the staff who see its service (`Scope`); to anyone else
    it does not exist."""
    if view is None:
        raise BookingNotFound()
    scope = await resolve_scope(session, principal)
    scope.require(
        scope.sees_service_object(view.resident_id, view.facility_id, view.supplier_id), BookingNotFound()
    )
    return view
