"""Grading runs and their results. A result is never changed: a new run makes new results; publishing marks
one result per operator and run as the public grade (`published_at`)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field

from backend.core.database import TableBase, utc_field

_CODE = sa.String(20)


class RunKind(StrEnum):
    on_demand = "on_demand"  # POST /rating-runs
    nightly = "nightly"  # satisfaction recomputed, not published
    monthly = "monthly"  # published
    veto = "veto"  # a veto incident: published at once
    rectification = "rectification"  # the re-evaluation at the end of a yearly evaluation's rectification


class RatingRun(TableBase, table=True):
    __tablename__ = "rating_run"

    kind: str = Field(sa_type=_CODE)
    requested_by: uuid.UUID | None = None
    publish: bool = False
    operator_ids: list[str] | None = Field(default=None, sa_column=Column(JSON))
    results: int = 0
    finished_at: datetime | None = utc_field(default=None)


class RatingResult(TableBase, table=True):
    __tablename__ = "rating_result"
    __table_args__ = (sa.Index("ix_rating_result_operator_published", "operator_id", "published_at"),)

    run_id: uuid.UUID = Field(foreign_key="rating_run.id", index=True)
    operator_id: uuid.UUID = Field(foreign_key="operator.id", index=True)
    city_id: uuid.UUID = Field(index=True)
    ruleset_id: uuid.UUID | None = None  # None: the built-in default
    ruleset_version: int
    ruleset_document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # what it was graded by
    window_from: date
    window_to: date
    status: str = Field(sa_type=_CODE)  # graded | insufficient_sample | not_graded
    level: str | None = Field(default=None, max_length=16)  # 5A..1A | 不合格
    grade: str | None = Field(default=None, max_length=16)  # as the ruleset's scale names it
    total: float
    qualified: bool = False  # on the public list (Xi'an; Baotou art. 29)
    inputs: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # the canonical result
    digest: str = Field(max_length=64)  # sha256 of the canonical JSON
    computed_at: datetime = utc_field()
    published_at: datetime | None = utc_field(default=None)


# ---------------------------------------------------------------- yearly evaluation


class EvaluationStatus(StrEnum):
    open = "open"  # proposed; the regulator records scores, the operator may respond in writing
    passed = "passed"  # confirmed 合格 or better (or re-evaluated so at the end of the rectification)
    rectifying = "rectifying"  # confirmed 不合格: the rectification period runs (Chongqing art. 15: 3 months)
    terminate_contract = "terminate_contract"  # 整改仍不合格: marked for contract termination (Chongqing)
    remove_from_list = "remove_from_list"  # removed from the operator list (Baotou art. 44)
    failed = "failed"  # 不合格 where the ruleset names no further consequence


class Evaluation(TableBase, table=True):
    """An operator's yearly evaluation (Chongqing arts. 12, 15; Baotou art. 44): the grade the system proposes
    from the year's published results, the scores the regulator records, the operator's written response,
    the confirmed grade and what 不合格 leads to. One per operator and year."""

    __tablename__ = "evaluation"
    __table_args__ = (
        sa.UniqueConstraint("operator_id", "year"),
        sa.Index("ix_evaluation_status_due", "status", "rectification_due"),
    )

    operator_id: uuid.UUID = Field(foreign_key="operator.id", index=True)
    city_id: uuid.UUID
    year: int
    status: str = Field(default=EvaluationStatus.open, sa_type=_CODE)
    ruleset_id: uuid.UUID | None = None
    ruleset_version: int
    ruleset_document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    basis: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))  # the year's results used
    proposed_level: str = Field(max_length=16)
    proposed_total: float
    scores: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    response: str | None = Field(default=None, max_length=4000)
    response_due_on: date
    responded_at: datetime | None = utc_field(default=None)
    level: str | None = Field(default=None, max_length=16)  # confirmed
    grade: str | None = Field(default=None, max_length=16)
    total: float | None = None
    confirmed_at: datetime | None = utc_field(default=None)
    confirmed_by: uuid.UUID | None = None
    rectification_due: date | None = None
    rectification_scores: dict[str, float] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    reevaluation: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    reevaluated_at: datetime | None = utc_field(default=None)
    opened_by: uuid.UUID


class EvaluationEvent(TableBase, table=True):
    """One change of an evaluation: what happened, who (None: the system's job) and when."""

    __tablename__ = "evaluation_event"

    evaluation_id: uuid.UUID = Field(foreign_key="evaluation.id", index=True)
    action: str = Field(sa_type=_CODE)  # opened | scores | response | confirmed | reevaluated
    actor_role: str = Field(max_length=20)
    actor_id: uuid.UUID | None = None
    status: str = Field(sa_type=_CODE)  # the evaluation's status after it
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = utc_field()
