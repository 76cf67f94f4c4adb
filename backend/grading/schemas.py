"""API shapes of grading (CONTRACT.md "Rating")."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from backend.core.clock import ShanghaiDateTime
from backend.core.schemas import WriteSchema


class RunCreate(WriteSchema):
    operator_ids: list[uuid.UUID] | None = Field(default=None, max_length=1000)
    publish: bool = False


class Explanation(BaseModel):
    summary: str
    held_back_by: list[str]
    to_raise: list[str]


class RatingPublic(BaseModel):
    id: uuid.UUID
    operator: dict[str, Any]
    grade: str | None = Field(
        description="5A…1A | 不合格 | null; 优秀/良好/合格/不合格 under a four-grade ruleset"
    )
    level: str | None
    status: str  # graded | insufficient_sample | not_graded
    total: float
    parts: list[dict[str, Any]]
    caps: list[dict[str, Any]]
    vetoes: list[dict[str, Any]]
    thresholds: list[dict[str, Any]]
    wilson_lower_bound: float
    excluded_reviews: int
    excluded: list[dict[str, Any]]
    window: dict[str, date]
    ruleset: dict[str, Any]
    qualified: bool
    explanation: Explanation
    digest: str
    computed_at: ShanghaiDateTime
    published_at: ShanghaiDateTime | None


class RunPublic(BaseModel):
    id: uuid.UUID
    kind: str
    publish: bool
    created_at: ShanghaiDateTime
    results: list[RatingPublic]


class QualifiedOperator(BaseModel):
    operator_id: uuid.UUID
    name: str
    grade: str | None
    level: str | None
    total: float
    published_at: ShanghaiDateTime


class QualifiedList(BaseModel):
    city_id: uuid.UUID
    updated_at: ShanghaiDateTime | None
    items: list[QualifiedOperator]
