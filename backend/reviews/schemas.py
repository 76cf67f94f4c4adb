"""API shapes of the reviews domain (CONTRACT.md: Review, Rectification). Times go out in Asia/Shanghai."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints

from backend.core.clock import to_shanghai
from backend.reviews.models import (
    AppealReason,
    AppealStatus,
    EscalatedTo,
    FlagStatus,
    RectificationStatus,
    TextStatus,
    Verdict,
)

Shanghai = Annotated[datetime, PlainSerializer(lambda v: to_shanghai(v).isoformat(), return_type=str)]
ReviewText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


class _Write(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReviewCreate(_Write):
    level: int = Field(ge=1, le=5, description="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意")
    tags: list[Tag] = Field(default_factory=list, max_length=10)
    text: ReviewText | None = None


class TextBody(_Write):
    text: ReviewText


class AppealCreate(_Write):
    reason: AppealReason
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class AppealDecision(_Write):
    upheld: bool
    reason: Reason


class ModerationDecision(_Write):
    target: str = Field(
        default="text", pattern="^(text|reply|follow_up)$", description="Which text of the review"
    )
    publish: bool
    reason: Reason | None = None


class GenuinenessDecision(_Write):
    genuine: bool
    reason: Reason


class CallBack(_Write):
    note: Reason


class Fix(_Write):
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class VerdictBody(_Write):
    verdict: Verdict
    comment: Reason | None = None


class Dated(BaseModel):
    text: str
    at: Shanghai


class RectificationPublic(BaseModel):
    id: uuid.UUID
    review_id: uuid.UUID
    status: RectificationStatus
    call_back_due_at: Shanghai
    call_back_due_provisional: bool
    fix_due_at: Shanghai
    fix_due_provisional: bool
    called_back_at: Shanghai | None
    call_back_note: str | None
    fixed_at: Shanghai | None
    fix_description: str | None
    verdict: Verdict | None
    verdict_comment: str | None
    escalated_to: EscalatedTo | None
    overdue_step: str | None
    service_id: uuid.UUID
    facility_id: uuid.UUID
    supplier_id: uuid.UUID
    created_at: Shanghai


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
    created_at: Shanghai
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
    created_at: Shanghai
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
    created_at: Shanghai
    decided_at: Shanghai | None
    decision_reason: str | None


class TagVocabulary(BaseModel):
    function: str | None
    tags: list[str]
