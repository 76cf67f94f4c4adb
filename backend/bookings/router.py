"""HTTP routes of the bookings domain: slots, schedules, bookings, waitlist, suspension notices.

Create routes accept `Idempotency-Key` (`backend.core.idempotency`); its dependency is declared before
`SessionDep` so that a failed commit still releases the key.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from backend.bookings.cache import namespace
from backend.bookings.models import ConsentStatus
from backend.bookings.rules import Action
from backend.bookings.schemas import (
    BookingCreate,
    BookingDetail,
    BookingPublic,
    BookingStatusFilter,
    CancelRequest,
    ConsentDecision,
    ScheduleCreate,
    SchedulePublic,
    SlotCreate,
    SlotList,
    SlotPublic,
    SlotUpdate,
    SuspensionCreate,
    SuspensionPublic,
    WaitlistJoin,
    WaitlistPublic,
)
from backend.bookings.service import bookings, lifecycle, slots, suspensions, waitlist
from backend.core.access import (
    OPERATORS,
    PUBLIC,
    RESIDENTS,
    SUPPLIERS,
    OperatorOrOversight,
    OperatorStaff,
    Oversight,
    Resident,
    ResidentOrServiceStaff,
    ResidentOrSupplier,
    ServiceStaff,
    SupplierStaff,
)
from backend.core.clock import InRangeDate
from backend.core.database import SessionDep, db, request_transaction
from backend.core.daterange import DateRange, date_range
from backend.core.http_cache import cached_json
from backend.core.idempotency import Idempotency, KeyHeader, idempotent, keyed_transaction
from backend.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page
from backend.core.planned import PlannedRoute
from backend.core.settings import get_settings

router = APIRouter(tags=["bookings"])

ResidentCreate = Annotated[Idempotency, Depends(idempotent(RESIDENTS), scope="function")]
SupplierCreate = Annotated[Idempotency, Depends(idempotent(SUPPLIERS), scope="function")]
OperatorCreate = Annotated[Idempotency, Depends(idempotent(OPERATORS), scope="function")]
SLOT_DAYS = date_range(default_days=7, max_days=slots.MAX_LIST_DAYS)


# ---------------------------------------------------------------- the morning rush: the write, the list
# First among the routes, with the resident's list: FastAPI tries a router's routes in order, twice per
# request (once to pick the router, once to pick the route), so the morning rush's are matched first.


async def create_booking(
    request: Request, body: BookingCreate, resident: Resident, key: KeyHeader = None
) -> Any:
    """Book a place for a beneficiary. 409 `slot_full` (with `waitlist_available`), 422 `not_eligible`,
    409 `duplicate_booking`."""
    # The morning rush: the key and the transaction are opened here rather than as `idempotent(...)` and
    # `SessionDep` dependencies (the same handling, `keyed_transaction`), and the key is claimed after the
    # read-only refusals, so a full slot writes nothing. Its parameters are resolved by a plan made once
    # (`PlannedRoute`), not by FastAPI's per-request dependency resolution.
    async with keyed_transaction(request, resident, key) as (idem, session):
        return await idem.run_keyed(
            session, lambda keyed: bookings.create_booking(session, resident, body, keyed)
        )


router.add_api_route(
    "/bookings",
    create_booking,
    methods=["POST"],
    response_model=BookingPublic,
    status_code=201,
    route_class_override=PlannedRoute,
)


async def list_my_bookings(
    resident: Resident,
    status: BookingStatusFilter | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[BookingPublic]:
    """The resident's bookings, newest first."""
    # Read after every booking in the morning rush: planned as the write is (its transaction opened here,
    # not by a `SessionDep` dependency, which FastAPI resolves anew on every request).
    async with request_transaction() as session:
        return await bookings.list_mine(session, resident, status, limit, cursor)


router.add_api_route(
    "/me/bookings",
    list_my_bookings,
    methods=["GET"],
    response_model=Page[BookingPublic],
    route_class_override=PlannedRoute,
)


# ---------------------------------------------------------------- slots and schedules


@router.get("/services/{service_id}/slots", response_model=SlotList, dependencies=[Depends(PUBLIC)])
async def list_slots(
    service_id: uuid.UUID,
    request: Request,
    days: Annotated[DateRange, Depends(SLOT_DAYS)],
) -> Response:
    """Slots with capacity, remaining places and status (open | full | closed) from `from` to `to`, both
    days included (one day is `from = to`); cached per service."""

    async def build() -> SlotList:
        # Only a cache miss opens a session (a read: nothing to commit); a hit never touches the database.
        async with db.sessionmaker() as session:
            return await slots.list_slots(session, service_id, days)

    return await cached_json(
        request, (namespace(service_id),), build, ttl_seconds=get_settings().slots_cache_seconds
    )


@router.post("/services/{service_id}/slots", response_model=SlotPublic, status_code=201)
async def open_slot(
    service_id: uuid.UUID, body: SlotCreate, idem: SupplierCreate, staff: SupplierStaff, session: SessionDep
) -> Any:
    return await idem.run(session, lambda: slots.open_slot(session, staff, service_id, body))


@router.patch("/slots/{slot_id}", response_model=SlotPublic)
async def update_slot(
    slot_id: uuid.UUID, body: SlotUpdate, staff: SupplierStaff, session: SessionDep
) -> SlotPublic:
    """Raise or lower the capacity (never below what is booked; a raise promotes the waitlist) or close."""
    return await slots.update_slot(session, staff, slot_id, body)


@router.post("/services/{service_id}/schedules", response_model=SchedulePublic, status_code=201)
async def create_schedule(
    service_id: uuid.UUID,
    body: ScheduleCreate,
    idem: SupplierCreate,
    staff: SupplierStaff,
    session: SessionDep,
) -> Any:
    """A weekly schedule; its slots open now and every day up to the scheduling horizon."""
    return await idem.run(session, lambda: slots.create_schedule(session, staff, service_id, body))


# ---------------------------------------------------------------- bookings


@router.get("/bookings", response_model=Page[BookingPublic])
async def list_bookings(
    staff: ServiceStaff,
    session: SessionDep,
    service_id: uuid.UUID | None = None,
    date_: Annotated[
        InRangeDate | None, Query(alias="date", description="Day of the slot (Asia/Shanghai)")
    ] = None,
    status: BookingStatusFilter | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[BookingPublic]:
    """Bookings of the caller's supplier or operator, by slot start."""
    return await bookings.list_for_staff(session, staff, service_id, date_, status, limit, cursor)


@router.get("/bookings/{booking_id}", response_model=BookingDetail)
async def get_booking(
    booking_id: uuid.UUID, caller: ResidentOrServiceStaff, session: SessionDep
) -> BookingDetail:
    """One booking with its history (its resident, or the service's staff)."""
    return await bookings.get_booking(session, caller, booking_id)


@router.post("/bookings/{booking_id}/cancel", response_model=BookingPublic)
async def cancel_booking(
    booking_id: uuid.UUID, caller: ResidentOrSupplier, session: SessionDep, body: CancelRequest | None = None
) -> BookingPublic:
    """The resident until the service's cut-off (409 `cancel_window_closed` after); the supplier at any
    time with a reason (the resident is told). The place goes to the first on the waitlist."""
    reason = body.reason if body is not None else None
    return await lifecycle.transition(session, caller, booking_id, Action.cancel, reason)


@router.post("/bookings/{booking_id}/check-in", response_model=BookingPublic)
async def check_in(booking_id: uuid.UUID, staff: SupplierStaff, session: SessionDep) -> BookingPublic:
    return await lifecycle.transition(session, staff, booking_id, Action.check_in)


@router.post("/bookings/{booking_id}/complete", response_model=BookingPublic)
async def complete(booking_id: uuid.UUID, staff: SupplierStaff, session: SessionDep) -> BookingPublic:
    return await lifecycle.transition(session, staff, booking_id, Action.complete)


@router.post("/bookings/{booking_id}/no-show", response_model=BookingPublic)
async def no_show(booking_id: uuid.UUID, staff: SupplierStaff, session: SessionDep) -> BookingPublic:
    return await lifecycle.transition(session, staff, booking_id, Action.no_show)


# ---------------------------------------------------------------- waitlist and suspensions


@router.post("/slots/{slot_id}/waitlist", response_model=WaitlistPublic, status_code=201)
async def join_waitlist(
    slot_id: uuid.UUID, body: WaitlistJoin, idem: ResidentCreate, resident: Resident, session: SessionDep
) -> Any:
    """Queue a beneficiary for a full slot; a freed place goes to the first in line."""
    return await idem.run(session, lambda: waitlist.join(session, resident, slot_id, body))


@router.get("/me/waitlist", response_model=Page[WaitlistPublic])
async def list_my_waitlist(
    resident: Resident, session: SessionDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[WaitlistPublic]:
    """The resident's waitlist entries, newest first, with their current place in line."""
    return await waitlist.list_mine(session, resident, limit, cursor)


@router.post("/waitlist/{entry_id}/withdraw", response_model=WaitlistPublic)
async def withdraw_from_waitlist(
    entry_id: uuid.UUID, resident: Resident, session: SessionDep
) -> WaitlistPublic:
    return await waitlist.withdraw(session, resident, entry_id)


@router.post("/suspensions", response_model=SuspensionPublic, status_code=201)
async def announce_suspension(
    body: SuspensionCreate,
    idem: OperatorCreate,
    operator: OperatorStaff,
    session: SessionDep,
) -> Any:
    """Announce that a service or facility stops from a date at least 60 days ahead, with the written report
    to the street office; a subsidised service's notice waits for its consent (Wuhan art. 14)."""
    return await idem.run(session, lambda: suspensions.announce(session, operator, body))


@router.get("/suspensions", response_model=Page[SuspensionPublic])
async def list_suspensions(
    caller: OperatorOrOversight,
    session: SessionDep,
    facility_id: uuid.UUID | None = None,
    consent_status: ConsentStatus | None = None,
    consent_overdue: bool | None = Query(
        None, description="true: consents the street office left unanswered past their due day"
    ),
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[SuspensionPublic]:
    """Suspension notices on the facilities in the caller's scope, newest first."""
    return await suspensions.list_suspensions(
        session,
        caller,
        facility_id=facility_id,
        consent_status=consent_status,
        consent_overdue=consent_overdue,
        cursor=cursor,
        limit=limit,
    )


@router.post("/suspensions/{suspension_id}/consent", response_model=SuspensionPublic)
async def decide_suspension_consent(
    suspension_id: uuid.UUID, body: ConsentDecision, caller: Oversight, session: SessionDep
) -> SuspensionPublic:
    """The street office consents to (or refuses, with a reason) suspending a subsidised service; the notice
    is in force only once consented (Wuhan art. 14)."""
    return await suspensions.decide_consent(session, caller, suspension_id, body)
