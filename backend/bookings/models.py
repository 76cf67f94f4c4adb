"""Tables of the bookings domain: weekly schedules, slots, bookings and their history, waitlists and
suspension notices.

A slot counts its places in `booked`; `CHECK (booked <= capacity)` is the last line of defence against
overbooking, behind the conditional update that takes a place. A beneficiary holds at most one active
booking per slot (a partial unique index). Nothing here is hard-deleted.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field

from backend.core.database import TableBase, UTCDateTime, utc_field

_CODE = sa.String(length=16)


class SlotStatus(StrEnum):
    open = "open"
    closed = "closed"


class BookingStatus(StrEnum):
    confirmed = "confirmed"
    checked_in = "checked_in"
    completed = "completed"
    cancelled = "cancelled"
    no_show = "no_show"


ACTIVE_STATUSES = (BookingStatus.confirmed.value, BookingStatus.checked_in.value)
_ACTIVE_SQL = "status IN ('confirmed', 'checked_in')"
ACTIVE_BOOKING_INDEX = "uq_booking_active_slot_beneficiary"  # one active booking per beneficiary and slot


class WaitlistStatus(StrEnum):
    waiting = "waiting"
    promoted = "promoted"
    lapsed = "lapsed"
    withdrawn = "withdrawn"


class SlotSchedule(TableBase, table=True):
    """Every `weekdays` (ISO 1=Monday..7) from `start_time` to `end_time` (Asia/Shanghai wall clock)."""

    __tablename__ = "slot_schedule"
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity"),
        sa.CheckConstraint("end_time > start_time", name="times"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity"),
        sa.CheckConstraint("status IN ('active', 'ended')", name="status"),
    )

    service_id: uuid.UUID = Field(foreign_key="service.id", index=True)
    weekdays: list[int] = Field(sa_column=Column(JSON, nullable=False))
    start_time: time
    end_time: time
    capacity: int
    valid_from: date
    valid_to: date | None = None
    status: str = Field(default="active", sa_type=_CODE)
    created_by: uuid.UUID


class Slot(TableBase, table=True):
    __tablename__ = "slot"
    __table_args__ = (
        sa.CheckConstraint("booked >= 0 AND booked <= capacity", name="booked"),
        sa.CheckConstraint("capacity > 0", name="capacity"),
        sa.CheckConstraint("end_at > start_at", name="times"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="status"),
        sa.UniqueConstraint("service_id", "start_at", "end_at"),
    )

    service_id: uuid.UUID = Field(foreign_key="service.id")
    schedule_id: uuid.UUID | None = Field(default=None, foreign_key="slot_schedule.id", index=True)
    start_at: datetime = Field(sa_type=UTCDateTime, index=True)
    end_at: datetime = Field(sa_type=UTCDateTime)
    capacity: int
    booked: int = 0
    status: str = Field(default=SlotStatus.open.value, sa_type=_CODE)
    closed_at: datetime | None = utc_field(default=None)
    created_by: uuid.UUID | None = None


class Booking(TableBase, table=True):
    """A place in a slot for one beneficiary, with the price quote as it was at booking time."""

    __tablename__ = "booking"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('confirmed', 'checked_in', 'completed', 'cancelled', 'no_show')", name="status"
        ),
        sa.CheckConstraint(
            "payable_fen >= 0 AND total_fen = subsidy_fen + discount_fen + community_fen + payable_fen",
            name="price_split",
        ),
        sa.Index(
            ACTIVE_BOOKING_INDEX,
            "slot_id",
            "beneficiary_id",
            unique=True,
            postgresql_where=sa.text(_ACTIVE_SQL),
            sqlite_where=sa.text(_ACTIVE_SQL),
        ),
        sa.Index("ix_booking_resident_created", "resident_id", "created_at"),
        sa.Index("ix_booking_service_start", "service_id", "start_at"),
        sa.Index("ix_booking_status_start", "status", "start_at"),  # the reminder job's window
    )

    slot_id: uuid.UUID = Field(foreign_key="slot.id", index=True)
    service_id: uuid.UUID = Field(foreign_key="service.id")
    resident_id: uuid.UUID = Field(foreign_key="resident.id")
    beneficiary_id: uuid.UUID = Field(foreign_key="beneficiary.id", index=True)
    start_at: datetime = Field(sa_type=UTCDateTime)  # the slot's start, copied for staff lists
    status: str = Field(default=BookingStatus.confirmed.value, sa_type=_CODE)
    source: str = Field(default="direct", sa_type=_CODE)  # direct | waitlist
    address: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=500)
    total_fen: int
    subsidy_fen: int
    discount_fen: int
    community_fen: int
    payable_fen: int
    cancel_reason: str | None = Field(default=None, max_length=200)
    status_changed_at: datetime = Field(sa_type=UTCDateTime)


class BookingEvent(TableBase, table=True):
    """One change of a booking's status: who (role and id), when, from what, to what, and why."""

    __tablename__ = "booking_event"

    booking_id: uuid.UUID = Field(foreign_key="booking.id", index=True)
    from_status: str | None = Field(default=None, sa_type=_CODE)
    to_status: str = Field(sa_type=_CODE)
    actor_role: str = Field(max_length=20)
    actor_id: uuid.UUID | None = None
    reason: str | None = Field(default=None, max_length=200)


class WaitlistEntry(TableBase, table=True):
    __tablename__ = "waitlist_entry"
    __table_args__ = (
        sa.CheckConstraint("status IN ('waiting', 'promoted', 'lapsed', 'withdrawn')", name="status"),
        sa.Index(
            "uq_waitlist_entry_waiting_slot_beneficiary",
            "slot_id",
            "beneficiary_id",
            unique=True,
            postgresql_where=sa.text("status = 'waiting'"),
            sqlite_where=sa.text("status = 'waiting'"),
        ),
        sa.Index("ix_waitlist_entry_slot_status_created", "slot_id", "status", "created_at"),
    )

    slot_id: uuid.UUID = Field(foreign_key="slot.id")
    resident_id: uuid.UUID = Field(foreign_key="resident.id", index=True)
    beneficiary_id: uuid.UUID = Field(foreign_key="beneficiary.id")
    status: str = Field(default=WaitlistStatus.waiting.value, sa_type=_CODE)
    booking_id: uuid.UUID | None = Field(default=None, foreign_key="booking.id")
    address: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=500)
    status_changed_at: datetime | None = utc_field(default=None)


class ConsentStatus(StrEnum):
    """The street office's consent to suspending a subsidised service (Wuhan art. 14)."""

    not_required = "not_required"
    pending = "pending"
    granted = "granted"
    refused = "refused"


class Suspension(TableBase, table=True):
    """An operator's notice that a service, or a whole facility, stops from `starts_on`.

    It carries the written report to the street office (`report`); a subsidised service needs the street
    office's consent, answered within 30 days (`consent_*`, Wuhan art. 14); until it is granted the notice is
    not in force (bookings are taken, nobody is told), and a refused one never is. A consent still pending
    after its due day is a finding (`consent_overdue_at`).
    """

    __tablename__ = "suspension"
    __table_args__ = (sa.CheckConstraint("(service_id IS NULL) <> (facility_id IS NULL)", name="target"),)

    service_id: uuid.UUID | None = Field(default=None, foreign_key="service.id", index=True)
    facility_id: uuid.UUID | None = Field(default=None, foreign_key="facility.id", index=True)
    starts_on: date
    reason: str = Field(max_length=500)
    announced_by: uuid.UUID
    notified_count: int = 0
    report: str | None = Field(default=None, max_length=4000)
    subsidised: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    consent_status: str = Field(
        default=ConsentStatus.not_required.value,
        sa_type=_CODE,
        sa_column_kwargs={"server_default": ConsentStatus.not_required.value},
    )
    consent_due_on: date | None = None
    consent_decided_at: datetime | None = utc_field(default=None)
    consent_decided_by: uuid.UUID | None = None
    consent_reason: str | None = Field(default=None, max_length=1000)
    # Set by the `bookings.flag_overdue_consents` job when a pending consent passes `consent_due_on`.
    consent_overdue_at: datetime | None = utc_field(default=None)
