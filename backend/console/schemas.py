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


class OperatorDashboard(Figures):
    operator: NamedRef
    window: WindowOut
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
    usage: RegionUsage
    served: list[ServedRow]
