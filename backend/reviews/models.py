"""Tables of the reviews domain. Nothing is deleted: texts are hidden by status, reviews excluded by flag.

One review per booking is the unique constraint `uq_review_booking_id`; one appeal per review and one
rectification per review likewise. A review copies the facts of its booking's service (facility, supplier,
operator, function) so that scope filters and the public aggregates are one indexed query.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field

from backend.core.database import TableBase, UTCDateTime, utc_field

_CODE = sa.String(length=24)


class TextStatus(StrEnum):
    published = "published"
    pending_moderation = "pending_moderation"
    rejected = "rejected"


class TextCheckState(StrEnum):
    """What the WeChat check said: `error` (no verdict: timeout, error) is re-checked by a job."""

    none = "none"  # no text
    passed = "pass"
    review = "review"
    error = "error"
    risky = "risky"  # rejected by a later re-check


class Flag(StrEnum):
    """Why a review may not be genuine (刷评 / 自评)."""

    same_phone_staff = "same_phone_staff"  # the author's phone is a staff account's of this operator/supplier
    burst = "burst"  # many reviews from one resident or device in a short time


class FlagStatus(StrEnum):
    none = "none"
    pending = "pending"  # not counted until a regulator decides
    confirmed = "confirmed"  # not genuine: stays out of every figure
    cleared = "cleared"  # genuine after all: counted


class Review(TableBase, table=True):
    __tablename__ = "review"
    __table_args__ = (
        sa.UniqueConstraint("booking_id"),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="level"),
        sa.CheckConstraint("status IN ('published', 'pending_moderation', 'rejected')", name="status"),
        sa.Index("ix_review_service_created", "service_id", "created_at"),
        sa.Index("ix_review_facility_created", "facility_id", "created_at"),
        sa.Index("ix_review_supplier_created", "supplier_id", "created_at"),
        sa.Index("ix_review_operator_created", "operator_id", "created_at"),
        sa.Index("ix_review_resident_created", "resident_id", "created_at"),
    )

    booking_id: uuid.UUID = Field(foreign_key="booking.id")
    resident_id: uuid.UUID = Field(foreign_key="resident.id")
    service_id: uuid.UUID = Field(foreign_key="service.id")
    facility_id: uuid.UUID = Field(foreign_key="facility.id")
    supplier_id: uuid.UUID = Field(foreign_key="supplier.id")
    operator_id: uuid.UUID = Field(foreign_key="operator.id")
    function: str = Field(sa_type=_CODE)
    level: int
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    text: str | None = Field(default=None, max_length=500)
    status: str = Field(default=TextStatus.published.value, sa_type=_CODE, index=True)
    text_check: str = Field(default=TextCheckState.none.value, sa_type=_CODE)
    device_id: str | None = Field(default=None, max_length=64, index=True)
    # Counted in scores and public figures unless excluded (upheld appeal, not-genuine flag).
    counted: bool = Field(default=True)
    excluded_reason: str | None = Field(default=None, max_length=200)
    flag: str | None = Field(default=None, sa_type=_CODE)
    flag_status: str = Field(default=FlagStatus.none.value, sa_type=_CODE, index=True)
    moderated_by: uuid.UUID | None = None
    moderated_at: datetime | None = utc_field(default=None)
    moderation_reason: str | None = Field(default=None, max_length=200)
    reply_text: str | None = Field(default=None, max_length=500)
    reply_status: str | None = Field(default=None, sa_type=_CODE)
    reply_check: str | None = Field(default=None, sa_type=_CODE)
    reply_at: datetime | None = utc_field(default=None)
    reply_by: uuid.UUID | None = None
    follow_up_text: str | None = Field(default=None, max_length=500)
    follow_up_status: str | None = Field(default=None, sa_type=_CODE)
    follow_up_check: str | None = Field(default=None, sa_type=_CODE)
    follow_up_at: datetime | None = utc_field(default=None)


class AppealReason(StrEnum):
    not_our_service = "not_our_service"  # the review is about another service or provider
    factually_wrong = "factually_wrong"  # what it says did not happen (records show otherwise)
    malicious = "malicious"  # insult, threat, extortion (差评要挟)
    not_genuine = "not_genuine"  # written by a competitor or paid
    other = "other"


class AppealStatus(StrEnum):
    pending = "pending"
    upheld = "upheld"
    rejected = "rejected"


class Appeal(TableBase, table=True):
    __tablename__ = "review_appeal"
    __table_args__ = (
        sa.UniqueConstraint("review_id"),
        sa.CheckConstraint("status IN ('pending', 'upheld', 'rejected')", name="status"),
    )

    review_id: uuid.UUID = Field(foreign_key="review.id")
    facility_id: uuid.UUID = Field(foreign_key="facility.id", index=True)
    supplier_id: uuid.UUID = Field(foreign_key="supplier.id", index=True)
    reason: str = Field(sa_type=_CODE)
    text: str = Field(max_length=1000)
    status: str = Field(default=AppealStatus.pending.value, sa_type=_CODE, index=True)
    created_by: uuid.UUID
    decided_by: uuid.UUID | None = None
    decided_role: str | None = Field(default=None, max_length=20)
    decided_at: datetime | None = utc_field(default=None)
    decision_reason: str | None = Field(default=None, max_length=500)


class RectificationStatus(StrEnum):
    awaiting_call_back = "awaiting_call_back"
    fixing = "fixing"
    awaiting_verdict = "awaiting_verdict"
    closed = "closed"
    escalated = "escalated"  # a second 不满意: in the street office's hands


class Verdict(StrEnum):
    satisfied = "satisfied"  # 满意
    basically_satisfied = "basically_satisfied"  # 基本满意
    unsatisfied = "unsatisfied"  # 不满意


class EscalatedTo(StrEnum):
    operator = "operator"
    street = "street"


class Rectification(TableBase, table=True):
    """整改 of a bad review. Deadlines are working-day deadlines (`backend.workdays`); `*_provisional`
    when they crossed a year the calendar did not know yet."""

    __tablename__ = "rectification"
    __table_args__ = (
        sa.UniqueConstraint("review_id"),
        sa.CheckConstraint(
            "status IN ('awaiting_call_back', 'fixing', 'awaiting_verdict', 'closed', 'escalated')",
            name="status",
        ),
        sa.Index("ix_rectification_status_call_back_due", "status", "call_back_due_at"),
        sa.Index("ix_rectification_status_fix_due", "status", "fix_due_at"),
    )

    review_id: uuid.UUID = Field(foreign_key="review.id")
    resident_id: uuid.UUID = Field(foreign_key="resident.id", index=True)
    service_id: uuid.UUID = Field(foreign_key="service.id")
    facility_id: uuid.UUID = Field(foreign_key="facility.id", index=True)
    supplier_id: uuid.UUID = Field(foreign_key="supplier.id", index=True)
    operator_id: uuid.UUID = Field(foreign_key="operator.id", index=True)
    status: str = Field(default=RectificationStatus.awaiting_call_back.value, sa_type=_CODE)
    call_back_due_at: datetime = Field(sa_type=UTCDateTime)
    call_back_provisional: bool = False
    fix_due_at: datetime = Field(sa_type=UTCDateTime)
    fix_provisional: bool = False
    called_back_at: datetime | None = utc_field(default=None)
    call_back_note: str | None = Field(default=None, max_length=500)
    fixed_at: datetime | None = utc_field(default=None)
    fix_description: str | None = Field(default=None, max_length=1000)
    verdict: str | None = Field(default=None, sa_type=_CODE)
    verdict_comment: str | None = Field(default=None, max_length=500)
    verdict_at: datetime | None = utc_field(default=None)
    unsatisfied_count: int = 0
    escalated_to: str | None = Field(default=None, sa_type=_CODE)
    escalated_at: datetime | None = utc_field(default=None)
    overdue_step: str | None = Field(default=None, sa_type=_CODE)  # call_back | fix, set by the job
    overdue_at: datetime | None = utc_field(default=None)
    # Closed by the street office once in its hands (escalated, or a step overdue): who, when, its conclusion.
    closed_by: uuid.UUID | None = None
    closed_at: datetime | None = utc_field(default=None)
    close_note: str | None = Field(default=None, max_length=1000)
