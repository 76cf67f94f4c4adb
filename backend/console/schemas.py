"""Shapes of the dashboards (figures only: no resident's personal data appears in any of them)."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from backend.core.clock import ShanghaiDateTime


class Figures(BaseModel):
    model_config = ConfigDict(frozen=True)


class NamedRef(Figures):
    id: uuid.UUID
    name: str


class WindowOut(Figures):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    from_: date = Field(alias="from", serialization_alias="from")
    to: date


class UsageRow(Figures):
    """Slots, bookings and their outcomes for one group (a month, a facility, a function, or in all)."""

    key: str = Field(description="The group: YYYY-MM, a facility or supplier id, a function code, or `all`")
    label: str
    slots: int
    capacity: int
    bookings: int
    completed: int
    cancelled: int
    no_show: int
    fill_rate: float | None = Field(description="Bookings not cancelled ÷ capacity (null without capacity)")


class ServedRow(Figures):
    """Person-times served (服务人次): completed bookings per facility, function and month."""

    facility_id: uuid.UUID
    facility: str
    function: str
    month: str
    person_times: int


class Usage(Figures):
    total: UsageRow
    by_month: list[UsageRow]
    by_facility: list[UsageRow]
    by_supplier: list[UsageRow]
    by_function: list[UsageRow]


class SatisfactionRow(Figures):
    """Counted reviews of one group (excluded by an upheld appeal or a not-genuine flag do not count)."""

    key: str
    label: str
    count: int
    good_rate: float | None = Field(description="Share of levels 4-5 (null without reviews)")
    mean_level: float | None


class Satisfaction(Figures):
    total: SatisfactionRow
    levels: dict[str, int] = Field(description="Counted reviews by level, 1-5")
    by_month: list[SatisfactionRow]
    by_facility: list[SatisfactionRow]
    by_supplier: list[SatisfactionRow]
    by_function: list[SatisfactionRow]


class Rectifications(Figures):
    """Rectifications of bad reviews opened in the window, and how they went."""

    opened: int
    closed: int
    call_back_on_time: int
    fix_on_time: int
    overdue: int
    escalated_to_operator: int
    escalated_to_street: int
    verdicts: dict[str, int]


class CategoryRow(Figures):
    category: str
    count: int
    answered_on_time: int
    resolved: int
    escalated_to_street: int


class Complaints(Figures):
    """Complaints filed in the window: by category, answered on time (the first answer by its deadline),
    resolved (accepted, closed as accepted, or mediated with an agreement), median hours to a first answer."""

    count: int
    answered_on_time: int
    resolved: int
    escalated_to_street: int
    median_response_hours: float | None
    by_category: list[CategoryRow]


class OperatorDashboard(Figures):
    operator: NamedRef
    window: WindowOut
    satisfaction: Satisfaction
    rectifications: Rectifications
    complaints: Complaints
    usage: Usage
    served: list[ServedRow]


class RegionRef(Figures):
    level: str
    id: uuid.UUID


class RegionUsage(Figures):
    total: UsageRow
    by_month: list[UsageRow]
    by_operator: list[UsageRow]
    by_facility: list[UsageRow]
    by_function: list[UsageRow]


class GradeOut(Figures):
    """The operator's latest published grade (`GET /operators/{id}/rating` explains it)."""

    grade: str | None = Field(description="5A…1A | 不合格 (or the ruleset's names); null when not graded")
    level: str | None
    status: str = Field(description="graded | insufficient_sample | not_graded")
    total: float
    qualified: bool
    published_at: ShanghaiDateTime


class OpenFindings(Figures):
    """What a regulator should follow up, as of now: configuration findings failed (by the facility's
    ruleset), inspection fixes past their deadline, hazard reports open and of those overdue, quarterly and
    yearly reports due in the window and filed late or still missing, rectifications past a deadline."""

    configuration: int
    configuration_required: int = Field(description="Of `configuration`, the failed required rules")
    overdue_fixes: int
    open_hazards: int
    overdue_hazards: int
    late_reports: int
    missing_reports: int
    overdue_rectifications: int
    total: int = Field(description="configuration + overdue_fixes + open_hazards + late_reports + "
                       "missing_reports + overdue_rectifications")  # fmt: skip


class OperatorStanding(Figures):
    """One operator of the region: its grade and its open findings (over its facilities in the region)."""

    operator_id: uuid.UUID
    operator: str
    grade: GradeOut | None = Field(description="null: never published")
    findings: OpenFindings


class FacilityStanding(Figures):
    facility_id: uuid.UUID
    facility: str
    operator_id: uuid.UUID
    operator: str
    failed_rules: list[str] = Field(description="Configuration rules the facility fails")
    findings: OpenFindings = Field(description="Reports are the operator's: 0 here")


class RegionDashboard(Figures):
    region: RegionRef
    window: WindowOut
    operators: list[NamedRef]
    findings: OpenFindings
    by_operator: list[OperatorStanding]
    by_facility: list[FacilityStanding]
    satisfaction: Satisfaction
    satisfaction_by_operator: list[SatisfactionRow]
    rectifications: Rectifications
    complaints: Complaints
    usage: RegionUsage
    served: list[ServedRow]
