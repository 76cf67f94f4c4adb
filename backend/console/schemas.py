"""Shapes of the dashboards (figures only: no resident's personal data appears in any of them)."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field


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


class RegionDashboard(Figures):
    region: RegionRef
    window: WindowOut
    operators: list[NamedRef]
    satisfaction: Satisfaction
    satisfaction_by_operator: list[SatisfactionRow]
    rectifications: Rectifications
    complaints: Complaints
    usage: RegionUsage
    served: list[ServedRow]
