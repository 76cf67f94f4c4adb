"""API shapes of the yearly evaluation (Chongqing arts. 12, 15; Baotou art. 44)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from backend.core.clock import ShanghaiDateTime
from backend.core.schemas import WriteSchema
from backend.grading.models import EvaluationStatus

Score = Annotated[float, Field(ge=0, le=100)]
ScoreName = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class EvaluationCreate(WriteSchema):
    year: int = Field(ge=2000, le=2100, description="the calendar year evaluated")


class ScoresRecord(WriteSchema):
    scores: dict[ScoreName, Score] = Field(
        min_length=1,
        max_length=20,
        description="0–100 per score the ruleset asks for (`grading.yearly.extra_scores`, e.g. site_visit); "
        "while the evaluation is open they count in the year's grade, during the rectification in its "
        "re-evaluation",
    )


class ResponseRecord(WriteSchema):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class EvaluationEventPublic(BaseModel):
    action: str
    actor_role: str
    actor_id: uuid.UUID | None
    status: str
    detail: dict[str, Any]
    at: ShanghaiDateTime


class EvaluationPublic(BaseModel):
    id: uuid.UUID
    operator_id: uuid.UUID
    year: int
    status: EvaluationStatus
    ruleset: dict[str, Any] = Field(
        description="id, version, name, evaluator level, scores asked for, failure action"
    )
    basis: list[dict[str, Any]] = Field(description="the year's published results the proposal is made from")
    proposed_level: str
    proposed_grade: str
    proposed_total: float
    scores: dict[str, float]
    scores_missing: list[str]
    response: str | None
    response_due_on: date
    responded_at: ShanghaiDateTime | None
    level: str | None
    grade: str | None = Field(description="优秀 | 良好 | 合格 | 不合格 once confirmed")
    total: float | None
    confirmed_at: ShanghaiDateTime | None
    rectification_due: date | None
    rectification_scores: dict[str, float]
    reevaluation: dict[str, Any] | None
    reevaluated_at: ShanghaiDateTime | None
    created_at: ShanghaiDateTime
    events: list[EvaluationEventPublic] = []
