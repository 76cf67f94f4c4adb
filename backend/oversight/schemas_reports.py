"""API shapes of operator reports and terminations."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backend.core.schemas import WriteSchema
from backend.oversight.models import ReportKind, ReportStatus, TerminationGround
from backend.oversight.schemas import Body4k, Optional4k, Reason, Shanghai

MAX_FEN = 10**13  # one hundred billion yuan: far above any facility's figures


_Write = WriteSchema


class ReportSubmit(_Write):
    """Typed figures only; what the system knows (served counts) is filled in at submission."""

    kind: ReportKind
    year: int = Field(ge=2000, le=2099)
    quarter: int | None = Field(
        default=None, ge=1, le=4, description="1–4 for quarterly reports; none for yearly"
    )
    revenue_fen: int = Field(ge=0, le=MAX_FEN)
    costs_fen: int = Field(ge=0, le=MAX_FEN)
    staff_count: int = Field(ge=0, le=100000)
    notes: Optional4k = ""

    @model_validator(mode="after")
    def _period(self) -> ReportSubmit:
        if (self.kind == ReportKind.quarterly) != (self.quarter is not None):
            raise ValueError("a quarterly report names its quarter; a yearly one does not")
        return self


class ReportReturn(_Write):
    reason: Reason


class ServedFigures(BaseModel):
    """Exact counts from booking rows for one facility, supplier, function and month (Shanghai)."""

    facility_id: uuid.UUID
    supplier_id: uuid.UUID
    function: str
    month: str
    person_times: int = Field(description="completed bookings (服务人次): the per person-time subsidy basis")
    bookings: int
    cancelled: int
    no_show: int


class ReportView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    operator_id: uuid.UUID
    kind: ReportKind
    year: int
    quarter: int | None
    due_on: date
    status: ReportStatus
    revenue_fen: int
    costs_fen: int
    staff_count: int
    notes: str
    figures: list[ServedFigures]
    first_submitted_at: Shanghai
    submitted_at: Shanghai
    late: bool
    return_reason: str | None
    created_at: Shanghai


class FilingState(StrEnum):
    on_time = "on_time"
    late = "late"
    missing = "missing"  # due and not filed: a finding
    not_yet_due = "not_yet_due"


class ReportFinding(BaseModel):
    operator_id: uuid.UUID
    kind: ReportKind
    year: int
    quarter: int | None
    due_on: date
    state: FilingState
    report_id: uuid.UUID | None


class TerminationCreate(_Write):
    grounds: list[TerminationGround] = Field(min_length=1, max_length=8)
    evidence: Body4k
    effective_on: date

    @model_validator(mode="after")
    def _unique(self) -> TerminationCreate:
        if len(set(self.grounds)) != len(self.grounds):
            raise ValueError("duplicate grounds")
        return self


class TerminationPublic(BaseModel):
    """Public on the operator's page: the grounds (Wuhan art. 16), the evidence and the date; no names."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    operator_id: uuid.UUID
    grounds: list[TerminationGround]
    evidence: str
    effective_on: date
    created_at: Shanghai


__all__ = ["Reason"]
