"""Tables of the complaints domain: complaints, their replies and their history, and the daily number counter.

A complaint carries its target as ids copied from the catalogue when it is filed (facility, supplier, service,
booking, and the operator answerable for it), so scope filters and public figures are single-table queries.
Nothing is deleted: every move is a `complaint_event` row with its actor and time.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from backend.core.crypto import EncryptedText
from backend.core.database import TableBase, UTCDateTime, utc_field

_CODE = sa.String(length=24)


class ComplaintStatus(StrEnum):
    submitted = "submitted"
    acknowledged = "acknowledged"
    answered = "answered"
    resolved = "resolved"  # the resident accepted the answer (or did not answer within the confirm window)
    escalated = "escalated"  # waiting for the operator or the street office
    mediated = "mediated"  # the street office recorded a mediation (final)
    closed = "closed"  # closed as accepted: no confirmation within the confirm window


OPEN_STATUSES = (
    ComplaintStatus.submitted.value,
    ComplaintStatus.acknowledged.value,
    ComplaintStatus.escalated.value,
)
# Waiting for the handler (an answer is due); `answered` waits for the resident instead.
AWAITING_ANSWER = OPEN_STATUSES
AWAITING_ACKNOWLEDGEMENT = (ComplaintStatus.submitted.value, ComplaintStatus.escalated.value)
FINAL_STATUSES = (
    ComplaintStatus.resolved.value,
    ComplaintStatus.mediated.value,
    ComplaintStatus.closed.value,
)


class ComplaintCategory(StrEnum):
    service_quality = "service_quality"
    price = "price"
    staff_conduct = "staff_conduct"
    safety = "safety"
    food_safety = "food_safety"
    environment = "environment"
    disclosure = "disclosure"
    other = "other"


URGENT_CATEGORIES = frozenset({ComplaintCategory.safety, ComplaintCategory.food_safety})


class Escalation(StrEnum):
    none = "none"
    operator = "operator"
    street = "street"


class Channel(StrEnum):
    app = "app"
    phone = "phone"


class TextCheck(StrEnum):
    passed = "passed"
    held = "held"  # WeChat said "review" or could not check: a human looks at it (never lost)
    staff_recorded = "staff_recorded"  # typed by staff from a phone call
    approved = "approved"  # held, then a regulator found it acceptable
    rejected = "rejected"  # held, then a regulator found it unacceptable: hidden from the handlers, kept


class MediationOutcome(StrEnum):
    agreement = "agreement"  # 达成调解协议
    no_agreement = "no_agreement"  # 调解不成


class ReplyKind(StrEnum):
    acknowledge = "acknowledge"
    answer = "answer"


def _in(values: tuple[str, ...] | list[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class Complaint(TableBase, table=True):
    __tablename__ = "complaint"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {_in([s.value for s in ComplaintStatus])}", name="status"),
        sa.CheckConstraint(f"category IN {_in([c.value for c in ComplaintCategory])}", name="category"),
        sa.CheckConstraint(f"escalation IN {_in([e.value for e in Escalation])}", name="escalation"),
        sa.CheckConstraint(f"channel IN {_in([c.value for c in Channel])}", name="channel"),
        sa.CheckConstraint(
            "facility_id IS NOT NULL OR supplier_id IS NOT NULL OR booking_id IS NOT NULL", name="target"
        ),
        sa.CheckConstraint("resident_id IS NOT NULL OR phone IS NOT NULL", name="complainant"),
        sa.Index("ix_complaint_resident_created", "resident_id", "created_at"),
        sa.Index("ix_complaint_status_answer_due", "status", "answer_due_at"),
        sa.Index("ix_complaint_operator_created", "operator_id", "created_at"),
        sa.Index("ix_complaint_facility_created", "facility_id", "created_at"),
        sa.Index("ix_complaint_supplier_created", "supplier_id", "created_at"),
        sa.Index("ix_complaint_service_created", "service_id", "created_at"),
    )

    number: str = Field(max_length=20, unique=True)  # TSyyyymmddNNNN (Shanghai date)
    channel: str = Field(default=Channel.app.value, sa_type=_CODE)
    resident_id: uuid.UUID | None = Field(default=None, foreign_key="resident.id")
    phone: str | None = Field(default=None, sa_type=EncryptedText)  # a phone complaint's caller
    recorded_by: uuid.UUID | None = None  # the staff account that recorded a phone complaint
    category: str = Field(sa_type=_CODE)
    urgent: bool = False
    text: str = Field(sa_type=sa.Text)
    text_check: str = Field(default=TextCheck.passed.value, sa_type=_CODE)
    text_label: int | None = None
    # The target, and what it hangs off (copied from the catalogue and bookings when filed).
    facility_id: uuid.UUID | None = Field(default=None, foreign_key="facility.id")
    supplier_id: uuid.UUID | None = Field(default=None, foreign_key="supplier.id")
    service_id: uuid.UUID | None = Field(default=None, foreign_key="service.id")
    booking_id: uuid.UUID | None = Field(default=None, foreign_key="booking.id", index=True)
    operator_id: uuid.UUID = Field(foreign_key="operator.id")
    status: str = Field(default=ComplaintStatus.submitted.value, sa_type=_CODE)
    escalation: str = Field(default=Escalation.none.value, sa_type=_CODE)
    deadlines_provisional: bool = False  # a year the working-day calendar does not know yet
    acknowledge_due_at: datetime = Field(sa_type=UTCDateTime)
    answer_due_at: datetime = Field(sa_type=UTCDateTime)  # of the current level
    first_answer_due_at: datetime = Field(
        sa_type=UTCDateTime
    )  # the supplier's (or operator's) first deadline
    acknowledged_at: datetime | None = utc_field(default=None)
    first_answered_at: datetime | None = utc_field(default=None)  # the response time of the public figures
    answered_at: datetime | None = utc_field(default=None)
    confirm_due_at: datetime | None = utc_field(default=None)
    escalated_at: datetime | None = utc_field(default=None)
    overdue_at: datetime | None = utc_field(default=None)  # the job found the current level's answer late
    acknowledge_overdue_at: datetime | None = utc_field(default=None)  # ... or its acknowledgement late
    resolved_at: datetime | None = utc_field(default=None)  # resolved, mediated or closed
    mediation_outcome: str | None = Field(default=None, sa_type=_CODE)
    mediation_agreement: str | None = Field(default=None, sa_type=sa.Text)
    mediated_on: date | None = None
    mediated_by: uuid.UUID | None = None


class ComplaintReply(TableBase, table=True):
    __tablename__ = "complaint_reply"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('acknowledge', 'answer')", name="kind"),
        sa.Index("ix_complaint_reply_complaint_at", "complaint_id", "at"),
    )

    complaint_id: uuid.UUID = Field(foreign_key="complaint.id")
    kind: str = Field(sa_type=_CODE)
    level: str = Field(sa_type=_CODE)  # the escalation level it answered at
    by_role: str = Field(sa_type=_CODE)
    by_id: uuid.UUID
    text: str = Field(sa_type=sa.Text)
    at: datetime = Field(sa_type=UTCDateTime)


class ComplaintEvent(TableBase, table=True):
    """One move of a complaint: who (role and id; `system` for the job), when, from what to what, why."""

    __tablename__ = "complaint_event"
    __table_args__ = (sa.Index("ix_complaint_event_complaint_at", "complaint_id", "at"),)

    complaint_id: uuid.UUID = Field(foreign_key="complaint.id")
    action: str = Field(sa_type=_CODE)
    from_status: str | None = Field(default=None, sa_type=_CODE)
    to_status: str = Field(sa_type=_CODE)
    escalation: str = Field(sa_type=_CODE)
    actor_role: str = Field(sa_type=_CODE)
    actor_id: uuid.UUID | None = None
    note: str | None = Field(default=None, sa_type=sa.Text)
    at: datetime = Field(sa_type=UTCDateTime)


class ComplaintNumberDay(SQLModel, table=True):
    """The last number handed out on a Shanghai calendar day (TSyyyymmddNNNN); raised atomically."""

    __tablename__ = "complaint_number_day"

    day: date = Field(primary_key=True)
    last: int = 0
