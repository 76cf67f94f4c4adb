"""API shapes of the bookings domain. Write schemas forbid unknown fields; times go out in Asia/Shanghai."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    StringConstraints,
    model_validator,
)

from backend.core.clock import InRangeDate, InRangeDateTime, ShanghaiDateTime
from backend.core.schemas import WriteSchema

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
MAX_SLOT_LENGTH = timedelta(days=31)
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


# ---------------------------------------------------------------- slots and schedules


class SlotCreate(WriteSchema):
    start_at: InRangeDateTime
    end_at: InRangeDateTime
    capacity: int = Field(ge=1, le=10000)

    @model_validator(mode="after")
    def _order(self) -> SlotCreate:
        if self.end_at <= self.start_at:
            raise ValueError("end_at must be after start_at")
        if self.end_at - self.start_at > MAX_SLOT_LENGTH:
            raise ValueError("a slot lasts at most 31 days")
        return self


class SlotUpdate(WriteSchema):
    capacity: int | None = Field(default=None, ge=1, le=10000)
    status: Literal["closed"] | None = Field(default=None, description="`closed` stops new bookings")


class SlotPublic(BaseModel):
    id: uuid.UUID
    service_id: uuid.UUID
    start_at: ShanghaiDateTime
    end_at: ShanghaiDateTime
    capacity: int
    remaining: int
    status: Literal["open", "full", "closed"]
    book_by: ShanghaiDateTime = Field(
        description="When bookings close: the meal order cut-off, else the start"
    )


class SlotList(BaseModel):
    items: list[SlotPublic]


def _weekdays(v: list[int]) -> list[int]:
    return sorted(set(v))


class ScheduleCreate(WriteSchema):
    weekdays: Annotated[
        list[Annotated[int, Field(ge=1, le=7)]], Field(min_length=1, max_length=7), AfterValidator(_weekdays)
    ] = Field(description="ISO weekdays, 1 = Monday … 7 = Sunday")
    start_time: time = Field(description="Wall-clock time in Asia/Shanghai, e.g. 08:00")
    end_time: time
    capacity: int = Field(ge=1, le=10000)
    valid_from: InRangeDate
    valid_to: InRangeDate | None = None

    @model_validator(mode="after")
    def _check(self) -> ScheduleCreate:
        if self.start_time.tzinfo is not None or self.end_time.tzinfo is not None:
            raise ValueError("times are wall-clock times in Asia/Shanghai, without an offset")
        if self.end_time <= self.start_time:
            raise ValueError("end_time must be after start_time")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to must not be before valid_from")
        return self


class SchedulePublic(BaseModel):
    id: uuid.UUID
    service_id: uuid.UUID
    weekdays: list[int]
    start_time: time
    end_time: time
    capacity: int
    valid_from: date
    valid_to: date | None
    status: str
    slots_opened: int = Field(description="Slots opened now, up to the scheduling horizon")


# ---------------------------------------------------------------- bookings


class BookingCreate(WriteSchema):
    slot_id: uuid.UUID
    beneficiary_id: uuid.UUID
    address: Text200 | None = None
    note: Note | None = None


class CancelRequest(WriteSchema):
    reason: Text200 | None = Field(default=None, description="Required when the supplier cancels")


class PricePublic(BaseModel):
    total_fen: int
    subsidy_fen: int
    discount_fen: int
    community_fen: int
    payable_fen: int


class SlotBrief(BaseModel):
    id: uuid.UUID
    service_id: uuid.UUID
    service_name: str
    start_at: ShanghaiDateTime
    end_at: ShanghaiDateTime


class BeneficiaryBrief(BaseModel):
    id: uuid.UUID
    name: str
    relation: str


class BookingPublic(BaseModel):
    id: uuid.UUID
    status: Literal["confirmed", "checked_in", "completed", "cancelled", "no_show"]
    source: Literal["direct", "waitlist"]
    slot: SlotBrief
    beneficiary: BeneficiaryBrief
    price: PricePublic
    address: str | None
    note: str | None
    cancel_reason: str | None
    created_at: ShanghaiDateTime
    status_changed_at: ShanghaiDateTime


class BookingEventPublic(BaseModel):
    from_status: str | None
    to_status: str
    actor_role: str
    reason: str | None
    at: ShanghaiDateTime


class BookingDetail(BookingPublic):
    history: list[BookingEventPublic]


BookingStatusFilter = Literal["confirmed", "checked_in", "completed", "cancelled", "no_show"]


# ---------------------------------------------------------------- waitlist


class WaitlistJoin(WriteSchema):
    beneficiary_id: uuid.UUID
    address: Text200 | None = None
    note: Note | None = None


class WaitlistPublic(BaseModel):
    id: uuid.UUID
    slot_id: uuid.UUID
    beneficiary_id: uuid.UUID
    status: Literal["waiting", "promoted", "lapsed", "withdrawn"]
    position: int | None = Field(description="1 = next in line; null once no longer waiting")
    booking_id: uuid.UUID | None
    created_at: ShanghaiDateTime


# ---------------------------------------------------------------- suspensions


class SuspensionCreate(WriteSchema):
    service_id: uuid.UUID | None = None
    facility_id: uuid.UUID | None = None
    starts_on: InRangeDate
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    report: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)] = Field(
        description="The written report to the street office (Wuhan art. 14: 书面报告街道办事处)"
    )

    @model_validator(mode="after")
    def _one_target(self) -> SuspensionCreate:
        if (self.service_id is None) == (self.facility_id is None):
            raise ValueError("give exactly one of service_id and facility_id")
        return self


ConsentStatusName = Literal["not_required", "pending", "granted", "refused"]


class SuspensionPublic(BaseModel):
    id: uuid.UUID
    service_id: uuid.UUID | None
    facility_id: uuid.UUID | None
    starts_on: date
    reason: str
    report: str | None
    subsidised: bool = Field(
        description="A government-paid subsidy covers the service (or one of the facility's)"
    )
    consent_status: ConsentStatusName
    consent_due_on: date | None = Field(description="The street office answers by this day (Wuhan art. 14)")
    consent_decided_at: ShanghaiDateTime | None
    consent_reason: str | None
    consent_overdue_at: ShanghaiDateTime | None = Field(
        description="When the pending consent passed its due day (a finding for the district)"
    )
    in_force: bool = Field(
        description="Bookings from `starts_on` are refused (no consent needed, or granted)"
    )
    notified_count: int
    created_at: ShanghaiDateTime


class ConsentDecision(WriteSchema):
    """The street office's answer to a subsidised service's suspension (Wuhan art. 14)."""

    decision: Literal["consent", "refuse"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None

    @model_validator(mode="after")
    def _reason_for_refusal(self) -> ConsentDecision:
        if self.decision == "refuse" and not self.reason:
            raise ValueError("a refusal gives its reason")
        return self
