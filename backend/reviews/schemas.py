"""API shapes of the reviews domain (CONTRACT.md: Review, Rectification); times are ShanghaiDateTime."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from backend.core.clock import ShanghaiDateTime
from backend.core.schemas import WriteSchema
from backend.reviews.models import (
    AppealReason,
    AppealStatus,
    EscalatedTo,
    FlagStatus,
    RectificationStatus,
    TextStatus,
    Verdict,
)

ReviewText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


class ReviewCreate(WriteSchema):
    level: int = Field(ge=1, le=5, description="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意")
    tags: list[Tag] = Field(default_factory=list, max_length=10)
    text: ReviewText | None = None


class TextBody(WriteSchema):
    text: ReviewText


class AppealCreate(WriteSchema):
    reason: AppealReason
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class AppealDecision(WriteSchema):
    upheld: bool
    reason: Reason


class ModerationDecision(WriteSchema):
    target: str = Field(
        default="text", pattern="^(text|reply|follow_up)$", description="Which text of the review"
    )
    publish: bool
    reason: Reason | None = None


class GenuinenessDecision(WriteSchema):
    genuine: bool
    reason: Reason


class CallBack(WriteSchema):
    note: Reason


class Fix(WriteSchema):
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class RectificationClose(WriteSchema):
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)] = Field(
        description="The street office's conclusion (督办结论), shown to the resident"
    )


class VerdictBody(WriteSchema):
    verdict: Verdict
    comment: Reason | None = None


class Dated(BaseModel):
    text: str
    at: ShanghaiDateTime


class RectificationPublic(BaseModel):
    id: uuid.UUID
    review_id: uuid.UUID
    status: RectificationStatus
    call_back_due_at: ShanghaiDateTime
    call_back_due_provisional: bool
    fix_due_at: ShanghaiDateTime
    fix_due_provisional: bool
    called_back_at: ShanghaiDateTime | None
    call_back_note: str | None
    fixed_at: ShanghaiDateTime | None
    fix_description: str | None
    verdict: Verdict | None
    verdict_comment: str | None
    escalated_to: EscalatedTo | None
    overdue_step: str | None
    closed_at: ShanghaiDateTime | None = None
    close_note: str | None = Field(
        default=None, description="The street office's conclusion, if it closed it"
    )
    service_id: uuid.UUID
    facility_id: uuid.UUID
    supplier_id: uuid.UUID
    created_at: ShanghaiDateTime


class ReviewPublic(BaseModel):
    id: uuid.UUID
    booking_id: uuid.UUID
    service_id: uuid.UUID
    level: int
    tags: list[str]
    text: str | None
    status: TextStatus
    counted: bool
    excluded_reason: str | None
    created_at: ShanghaiDateTime
    reply: Dated | None = None
    follow_up: Dated | None = None
    rectification: RectificationPublic | None = None


class PublicReview(BaseModel):
    """A review as anyone may read it: published texts only, the author masked (王**)."""

    id: uuid.UUID
    service_id: uuid.UUID
    author: str
    level: int
    tags: list[str]
    text: str | None
    counted: bool
    excluded_reason: str | None
    created_at: ShanghaiDateTime
    reply: Dated | None = None
    follow_up: Dated | None = None


class StaffReview(ReviewPublic):
    """Staff see every text with its status, and the not-genuine flag."""

    facility_id: uuid.UUID
    supplier_id: uuid.UUID
    reply_status: TextStatus | None = None
    reply_text: str | None = None
    follow_up_status: TextStatus | None = None
    follow_up_text: str | None = None
    flag: str | None = None
    flag_status: FlagStatus
    moderation_reason: str | None = None


class AppealPublic(BaseModel):
    id: uuid.UUID
    review_id: uuid.UUID
    reason: AppealReason
    text: str
    status: AppealStatus
    created_at: ShanghaiDateTime
    decided_at: ShanghaiDateTime | None
    decision_reason: str | None


class TagVocabulary(BaseModel):
    function: str | None
    tags: list[str]
