"""API shapes of the oversight domain. Write schemas forbid unknown fields; times go out in Shanghai."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from backend.core.clock import InRangeDate, InRangeDateTime, ShanghaiDateTime
from backend.core.schemas import WriteSchema
from backend.oversight.models import (
    RESULTS_BY_KIND,
    CheckResult,
    HazardStatus,
    IncidentKind,
    InspectionKind,
    InspectionResult,
    Severity,
)

Shanghai = ShanghaiDateTime


def _strip(max_length: int, min_length: int = 1) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


Name = Annotated[str, _strip(100)]
Short = Annotated[str, _strip(200)]
Reason = Annotated[str, _strip(1000)]
Body1k = Annotated[str, _strip(1000)]
Body2k = Annotated[str, _strip(2000)]
Optional2k = Annotated[str, _strip(2000, 0)]
Body4k = Annotated[str, _strip(4000)]
Optional4k = Annotated[str, _strip(4000, 0)]
Body20k = Annotated[str, _strip(20000)]


_Write = WriteSchema


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ---------------------------------------------------------------- inspections


class InspectionCreate(_Write):
    facility_id: uuid.UUID
    kind: InspectionKind
    result: InspectionResult = Field(description="fire: `pass`/`fail`; food: `A`/`B`/`C`")
    inspected_on: InRangeDate
    inspector: Name = Field(description="the inspecting body or officer (kept from the public page)")
    findings: Optional4k = ""
    fix_due_on: InRangeDate | None = Field(default=None, description="when a fix is required, by when")

    @model_validator(mode="after")
    def _dates(self) -> InspectionCreate:
        if self.fix_due_on is not None and self.fix_due_on < self.inspected_on:
            raise ValueError("fix_due_on is before inspected_on")
        return self

    def result_fits_kind(self) -> bool:
        return self.result in RESULTS_BY_KIND[self.kind]


class InspectionFix(_Write):
    fixed_on: InRangeDate
    description: Body2k


class InspectionView(_Read):
    id: uuid.UUID
    facility_id: uuid.UUID
    kind: InspectionKind
    result: InspectionResult
    inspected_on: date
    inspector: str
    findings: str
    fix_due_on: date | None
    fixed_on: date | None
    fix_description: str | None
    fix_overdue: bool = False
    recorded_by: uuid.UUID
    created_at: Shanghai


# ---------------------------------------------------------------- the operator's own records


class SafetyCheckCreate(_Write):
    facility_id: uuid.UUID
    checked_on: InRangeDate
    result: CheckResult
    items: list[Short] = Field(default_factory=list, max_length=50, description="what was checked")
    findings: Optional4k = ""


class SafetyCheckView(_Read):
    id: uuid.UUID
    facility_id: uuid.UUID
    checked_on: date
    result: CheckResult
    items: list[str]
    findings: str
    recorded_by: uuid.UUID
    created_at: Shanghai


class EmergencyPlanCreate(_Write):
    facility_id: uuid.UUID
    title: Short
    adopted_on: InRangeDate
    content: Body20k


class EmergencyPlanView(_Read):
    id: uuid.UUID
    facility_id: uuid.UUID
    title: str
    adopted_on: date
    content: str
    recorded_by: uuid.UUID
    created_at: Shanghai


class DrillCreate(_Write):
    facility_id: uuid.UUID
    held_on: InRangeDate
    scenario: Short
    participants: int = Field(ge=1, le=100000, description="how many took part")
    notes: Optional2k = ""


class DrillView(_Read):
    id: uuid.UUID
    facility_id: uuid.UUID
    held_on: date
    scenario: str
    participants: int
    notes: str
    recorded_by: uuid.UUID
    created_at: Shanghai


# ---------------------------------------------------------------- incidents


class IncidentCreate(_Write):
    facility_id: uuid.UUID
    occurred_at: InRangeDateTime
    kind: IncidentKind
    severity: Severity
    description: Body4k


class VetoDecision(_Write):
    veto: bool
    reason: Reason


class IncidentView(_Read):
    id: uuid.UUID
    facility_id: uuid.UUID
    occurred_at: Shanghai
    kind: IncidentKind
    severity: Severity
    description: str
    veto: bool
    veto_reason: str | None
    veto_set_at: Shanghai | None
    recorded_by: uuid.UUID
    created_at: Shanghai


# ---------------------------------------------------------------- hazards


class HazardCreate(_Write):
    facility_id: uuid.UUID
    text: Body1k


class HazardAnswer(_Write):
    answer: Body2k


class HazardModeration(_Write):
    accept: bool
    reason: Reason | None = None


class HazardView(_Read):
    """A hazard report as its resident and staff in scope see it (never on a public page)."""

    id: uuid.UUID
    facility_id: uuid.UUID
    text: str
    status: HazardStatus
    answer_due_at: Shanghai | None
    deadline_provisional: bool
    answer: str | None
    answered_at: Shanghai | None
    escalated_at: Shanghai | None
    created_at: Shanghai


# ---------------------------------------------------------------- the public safety page (Baotou art. 41)


class PublicInspection(BaseModel):
    kind: InspectionKind
    result: InspectionResult
    inspected_on: date
    findings: str
    fix_due_on: date | None
    fixed_on: date | None


class PublicPlan(BaseModel):
    title: str
    adopted_on: date


class PublicDrill(BaseModel):
    held_on: date
    scenario: str
    participants: int


class PublicCheck(BaseModel):
    checked_on: date
    result: CheckResult


class FacilitySafety(BaseModel):
    """What residents see (检查记录和应急预案向社区居民公开): no names, no accounts, no residents' reports."""

    facility_id: uuid.UUID
    fire: PublicInspection | None
    food: PublicInspection | None
    emergency_plan_on_file: bool
    emergency_plan: PublicPlan | None
    last_drill: PublicDrill | None
    last_safety_check: PublicCheck | None
