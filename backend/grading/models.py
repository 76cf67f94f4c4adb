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
