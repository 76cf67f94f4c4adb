"""Tables of the oversight domain: safety records (inspections, the operator's own checks, emergency plans,
drills), incidents, residents' hazard reports, operator reports and operator terminations.

Nothing here is deleted: a fix, an answer, a return or a resubmission changes the row's state and leaves an
`oversight_event` (who, when, what, why). Enumerations are short strings, validated by the API schemas and
by check constraints where a wrong pair would mislead a reader (an inspection's kind and result).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field

from backend.core.database import TableBase, UTCDateTime, utc_field

_CODE = sa.String(length=32)


class InspectionKind(StrEnum):
    fire = "fire"  # 消防检查: pass / fail
    food = "food"  # 食品安全量化分级: A / B / C


class InspectionResult(StrEnum):
    passed = "pass"
    failed = "fail"
    grade_a = "A"
    grade_b = "B"
    grade_c = "C"


RESULTS_BY_KIND: dict[InspectionKind, frozenset[InspectionResult]] = {
    InspectionKind.fire: frozenset({InspectionResult.passed, InspectionResult.failed}),
    InspectionKind.food: frozenset(
        {InspectionResult.grade_a, InspectionResult.grade_b, InspectionResult.grade_c}
    ),
}


class CheckResult(StrEnum):
    ok = "ok"  # nothing found
    issues_found = "issues_found"


class IncidentKind(StrEnum):
    fire = "fire"
    food_poisoning = "food_poisoning"
    injury = "injury"
    abuse = "abuse"  # abuse of an elder or a child
    other = "other"


class Severity(StrEnum):
    minor = "minor"
    serious = "serious"
    major = "major"


SEVERITY_ORDER = {Severity.minor: 0, Severity.serious: 1, Severity.major: 2}


class HazardStatus(StrEnum):
    pending_moderation = "pending_moderation"  # the text check was doubtful: a regulator looks first
    open = "open"  # waiting for the operator's answer
    answered = "answered"
    escalated = "escalated"  # not answered in time: the street office has it
    rejected = "rejected"  # a moderator found the text unacceptable


class ReportKind(StrEnum):
    quarterly = "quarterly"
    yearly = "yearly"


class ReportStatus(StrEnum):
    submitted = "submitted"
    returned = "returned"  # the regulator sent it back with a reason; the operator resubmits
    accepted = "accepted"


class TerminationGround(StrEnum):
    """Wuhan art. 16: why an operator's contract ends."""

    major_accident = "major_accident"  # 发生重大安全责任事故
    credit_blacklist = "credit_blacklist"  # 列入严重失信名单
    many_complaints = "many_complaints"  # 群众投诉较多
    negative_public_opinion = "negative_public_opinion"  # 造成恶劣社会影响
    subsidy_fraud = "subsidy_fraud"  # 骗取补贴
    unauthorised_change = "unauthorised_change"  # 擅自改变设施用途
    failed_evaluation = "failed_evaluation"  # 考核不合格，整改仍不合格
    other = "other"


# ---------------------------------------------------------------- safety records


class Inspection(TableBase, table=True):
    """A government inspection of a facility (Baotou art. 40, Wuhan art. 17: fire and food safety)."""

    __tablename__ = "inspection"
    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'fire' AND result IN ('pass', 'fail')) OR (kind = 'food' AND result IN ('A', 'B', 'C'))",
            name="kind_result",
        ),
        sa.Index("ix_inspection_facility_kind_on", "facility_id", "kind", "inspected_on"),
    )

    facility_id: uuid.UUID = Field(foreign_key="facility.id")
    kind: str = Field(sa_type=_CODE)
    result: str = Field(sa_type=_CODE)
    inspected_on: date
    inspector: str = Field(max_length=100)  # the inspecting body or officer; not shown publicly
    findings: str = Field(default="", max_length=4000)
    fix_due_on: date | None = None
    fixed_on: date | None = None
    fix_description: str | None = Field(default=None, max_length=2000)
    recorded_by: uuid.UUID


class SafetyCheck(TableBase, table=True):
    """The operator's own regular safety check (定期安全检查, Baotou art. 39)."""

    __tablename__ = "safety_check"

    facility_id: uuid.UUID = Field(foreign_key="facility.id", index=True)
    checked_on: date
    result: str = Field(sa_type=_CODE)
    items: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    findings: str = Field(default="", max_length=4000)
    recorded_by: uuid.UUID


class EmergencyPlan(TableBase, table=True):
    """An emergency plan on file (应急预案), a dated document per facility; the newest is in force."""

    __tablename__ = "emergency_plan"

    facility_id: uuid.UUID = Field(foreign_key="facility.id", index=True)
    title: str = Field(max_length=200)
    adopted_on: date
    content: str = Field(max_length=20000)
    recorded_by: uuid.UUID


class Drill(TableBase, table=True):
    """An emergency drill (应急演练): when, what, how many took part."""

    __tablename__ = "drill"

    facility_id: uuid.UUID = Field(foreign_key="facility.id", index=True)
    held_on: date
    scenario: str = Field(max_length=200)
    participants: int
    notes: str = Field(default="", max_length=2000)
    recorded_by: uuid.UUID


class Incident(TableBase, table=True):
    """A safety incident at a facility; `veto` (一票否决) is set by a regulator and ends a grade at once."""

    __tablename__ = "incident"
    __table_args__ = (sa.Index("ix_incident_facility_occurred", "facility_id", "occurred_at"),)

    facility_id: uuid.UUID = Field(foreign_key="facility.id")
    occurred_at: datetime = Field(sa_type=UTCDateTime, index=True)
    kind: str = Field(sa_type=_CODE)
    severity: str = Field(sa_type=_CODE)
    description: str = Field(max_length=4000)
    veto: bool = False
    veto_reason: str | None = Field(default=None, max_length=500)
    veto_set_by: uuid.UUID | None = None
    veto_set_at: datetime | None = utc_field(default=None)
    recorded_by: uuid.UUID


class Hazard(TableBase, table=True):
    """A resident's hazard report (安全隐患): the operator answers by `answer_due_at`, else the street."""

    __tablename__ = "hazard"
    __table_args__ = (sa.Index("ix_hazard_status_due", "status", "answer_due_at"),)

    facility_id: uuid.UUID = Field(foreign_key="facility.id", index=True)
    resident_id: uuid.UUID = Field(foreign_key="resident.id", index=True)
    text: str = Field(max_length=1000)
    status: str = Field(default=HazardStatus.open, sa_type=_CODE)
    check_suggest: str = Field(sa_type=_CODE)  # pass | review | risky (WeChat's verdict)
    check_label: int
    answer_due_at: datetime | None = utc_field(default=None)
    deadline_provisional: bool = False
    answer: str | None = Field(default=None, max_length=2000)
    answered_at: datetime | None = utc_field(default=None)
    answered_by: uuid.UUID | None = None
    escalated_at: datetime | None = utc_field(default=None)


# ---------------------------------------------------------------- operator reports and terminations


class OperatorReport(TableBase, table=True):
    """A quarterly or yearly report (Baotou art. 32, Wuhan art. 10, Chongqing art. 15).

    `figures` are filled in by the system from completed bookings at each (re)submission, never typed.
    """

    __tablename__ = "operator_report"
    __table_args__ = (
        sa.UniqueConstraint("operator_id", "kind", "year", "quarter"),
        sa.CheckConstraint(
            "(kind = 'quarterly' AND quarter BETWEEN 1 AND 4) OR (kind = 'yearly' AND quarter = 0)",
            name="period",
        ),
        sa.CheckConstraint("revenue_fen >= 0 AND costs_fen >= 0 AND staff_count >= 0", name="figures"),
    )

    operator_id: uuid.UUID = Field(foreign_key="operator.id", index=True)
    kind: str = Field(sa_type=_CODE)
    year: int
    quarter: int = 0  # 1..4 for quarterly reports, 0 for the yearly one
    due_on: date
    status: str = Field(default=ReportStatus.submitted, sa_type=_CODE)
    revenue_fen: int
    costs_fen: int
    staff_count: int
    notes: str = Field(default="", max_length=4000)
    figures: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    first_submitted_at: datetime = Field(sa_type=UTCDateTime)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    late: bool = False  # first submitted after the end of `due_on` (Shanghai)
    return_reason: str | None = Field(default=None, max_length=1000)
    submitted_by: uuid.UUID


class OperatorTermination(TableBase, table=True):
    """The end of an operator's contract with its Wuhan art. 16 grounds and the evidence; public."""

    __tablename__ = "operator_termination"

    operator_id: uuid.UUID = Field(foreign_key="operator.id", index=True)
    grounds: list[str] = Field(sa_column=Column(JSON, nullable=False))
    evidence: str = Field(max_length=4000)
    effective_on: date
    decided_by: uuid.UUID


class OversightEvent(TableBase, table=True):
    """One change of an oversight record: which record, what happened, who did it, and why."""

    __tablename__ = "oversight_event"
    __table_args__ = (sa.Index("ix_oversight_event_record", "record_kind", "record_id"),)

    record_kind: str = Field(sa_type=_CODE)  # inspection | incident | hazard | operator_report
    record_id: uuid.UUID
    action: str = Field(sa_type=_CODE)
    actor_role: str = Field(max_length=20)
    actor_id: uuid.UUID | None = None
    reason: str | None = Field(default=None, max_length=1000)
    at: datetime = Field(sa_type=UTCDateTime)
