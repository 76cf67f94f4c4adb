"""Typed rows of the booking hot path: what a booking decision reads and what a booking looks like.

Repositories return these (never bare rows), built from a row's mapping by name; services read attributes
that exist and have types. Frozen and slotted: cheap to build, impossible to change by accident.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, ClassVar, Protocol, Self


def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


class _FromRow:
    __slots__ = ()
    _FIELDS: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_row(cls, row: Any) -> Self:
        """From a SQLAlchemy row (by column label) or a mapping; extra columns are ignored."""
        m: Mapping[str, Any] = getattr(row, "_mapping", row)
        return cls(**{name: m[name] for name in cls._FIELDS})


@dataclass(frozen=True, slots=True)
class BookingContext(_FromRow):
    """Everything a new booking (or a waitlist promotion) decides on, read in one query
    (`repository_booking_write.booking_context`). The beneficiary columns are None unless the beneficiary is
    the caller's and not deleted."""

    slot_id: uuid.UUID
    start_at: datetime
    end_at: datetime
    slot_status: str
    capacity: int
    booked: int
    service_id: uuid.UUID
    service_name: str
    function: str
    service_class: str
    booking_mode: str
    min_age_years: int | None
    max_age_years: int | None
    order_cutoff_minutes: int | None
    requires_address: bool
    service_status: str
    facility_id: uuid.UUID
    facility_status: str
    suspended_from: date | None
    beneficiary_id: uuid.UUID | None
    beneficiary_name: str | None
    relation: str | None
    birth_date: date | None
    dibao: bool | None
    disability: bool | None
    already_booked: bool
    price_stamp: str  # the service's price table fingerprint (`catalogue.queries.price_stamp_sql`)
    key_known: bool = False  # the request's Idempotency-Key already has a record (a deferred claim's check)


@dataclass(frozen=True, slots=True)
class BookingView(_FromRow):
    """A booking with what is shown and checked about it: its slot's end, its service and beneficiary names,
    and the ids that decide who sees it (`repository_bookings._view`)."""

    id: uuid.UUID
    slot_id: uuid.UUID
    service_id: uuid.UUID
    resident_id: uuid.UUID
    beneficiary_id: uuid.UUID
    start_at: datetime
    end_at: datetime
    status: str
    source: str
    address: str | None
    note: str | None
    total_fen: int
    subsidy_fen: int
    discount_fen: int
    community_fen: int
    payable_fen: int
    cancel_reason: str | None
    created_at: datetime
    status_changed_at: datetime
    service_name: str
    supplier_id: uuid.UUID
    facility_id: uuid.UUID
    operator_id: uuid.UUID
    cancel_cutoff_minutes: int
    beneficiary_name: str
    relation: str


class SlotLike(Protocol):
    """What the public slot view reads: a slot row, a `Slot`, or a `NewSlot`."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def service_id(self) -> uuid.UUID: ...
    @property
    def start_at(self) -> datetime: ...
    @property
    def end_at(self) -> datetime: ...
    @property
    def capacity(self) -> int: ...
    @property
    def booked(self) -> int: ...
    @property
    def status(self) -> str: ...


@dataclass(frozen=True, slots=True)
class NewSlot(_FromRow):
    """A slot just inserted, from the values written (no second query)."""

    id: uuid.UUID
    service_id: uuid.UUID
    start_at: datetime
    end_at: datetime
    capacity: int
    booked: int
    status: str


BookingContext._FIELDS = _names(BookingContext)
BookingView._FIELDS = _names(BookingView)
NewSlot._FIELDS = _names(NewSlot)
