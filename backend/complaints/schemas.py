"""API shapes of the complaints domain (CONTRACT.md: the Complaint shape). Times go out in Asia/Shanghai."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from backend.complaints.models import (
    Channel,
    ComplaintCategory,
    ComplaintStatus,
    Escalation,
    MediationOutcome,
    ReplyKind,
)
from backend.core.clock import InRangeDate, ShanghaiDateTime
from backend.core.schemas import WriteSchema

Shanghai = ShanghaiDateTime
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 \-]{5,19}$")]


_Write = WriteSchema


class ComplaintTarget(_Write):
    facility_id: uuid.UUID | None = None
    supplier_id: uuid.UUID | None = None
    booking_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one(self) -> ComplaintTarget:
        if self.facility_id is None and self.supplier_id is None and self.booking_id is None:
            raise ValueError("name at least one of facility_id, supplier_id, booking_id")
        return self


class ComplaintCreate(_Write):
    target: ComplaintTarget
    category: ComplaintCategory
    text: Text


class PhoneComplaintCreate(_Write):
    """A complaint taken on the phone by staff; bound to the resident who bound this phone, if any."""

    phone: Phone
    target: ComplaintTarget
    category: ComplaintCategory
    text: Text


class ReplyCreate(_Write):
    kind: ReplyKind = Field(description="`acknowledge` (受理) or `answer` (答复: marks it answered)")
    text: Text


class ConfirmRequest(_Write):
    accepted: bool
    comment: Comment | None = None


class EscalateRequest(_Write):
    reason: Reason


class MediationCreate(_Write):
    outcome: MediationOutcome
    agreement: Text = Field(description="The mediation agreement (调解协议) or the record of why none")
    mediated_on: InRangeDate


class TextModeration(_Write):
    show: bool = Field(description="true: the text is acceptable; false: withheld from the handlers (kept)")
    reason: Comment | None = Field(default=None, description="Required when withholding")


class ReplyPublic(BaseModel):
    kind: ReplyKind
    by_role: str
    level: Escalation
    text: str
    at: Shanghai


class EventPublic(BaseModel):
    action: str
    from_status: ComplaintStatus | None
    to_status: ComplaintStatus
    escalation: Escalation
    actor_role: str
    actor_id: uuid.UUID | None = Field(default=None, description="Staff see who; residents see the role")
    note: str | None
    at: Shanghai


class TargetPublic(BaseModel):
    facility_id: uuid.UUID | None
    supplier_id: uuid.UUID | None
    booking_id: uuid.UUID | None
    service_id: uuid.UUID | None
    operator_id: uuid.UUID


class MediationPublic(BaseModel):
    outcome: MediationOutcome
    agreement: str
    mediated_on: date


class ComplaintPublic(BaseModel):
    id: uuid.UUID
    number: str = Field(description="TSyyyymmddNNNN")
    status: ComplaintStatus
    category: ComplaintCategory
    urgent: bool
    channel: Channel
    target: TargetPublic
    text: str
    text_held: bool = Field(description="Held for a human: WeChat asked for review or could not check it")
    text_withheld: bool = Field(
        default=False,
        description="A regulator withheld the text: staff see a placeholder, the resident their own text",
    )
    phone_masked: str | None
    phone: str | None = Field(default=None, description="Only in one complaint's detail, for staff in scope")
    acknowledge_due_at: Shanghai
    answer_due_at: Shanghai
    deadlines_provisional: bool
    confirm_due_at: Shanghai | None
    overdue: bool = Field(description="The current level's answer is late")
    acknowledge_overdue: bool = Field(description="The job found the acknowledgement late (not acknowledged)")
    escalation: Escalation
    replies: list[ReplyPublic]
    mediation: MediationPublic | None
    created_at: Shanghai
    resolved_at: Shanghai | None


class ComplaintDetail(ComplaintPublic):
    history: list[EventPublic]


class ComplaintFigures(BaseModel):
    """Complaints of the last 12 months (Wuhan art. 13, Baotou art. 35: published)."""

    count: int
    resolved_rate: float | None = Field(description="resolved / count, 4 decimals; null without complaints")
    median_response_hours: float | None = Field(
        description="Median hours from filing to the first answer, 2 decimals; null without answers"
    )


StatusFilter = Literal["submitted", "acknowledged", "answered", "resolved", "escalated", "mediated", "closed"]
