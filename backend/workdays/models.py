"""One row per calendar day of every year the calendar knows."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from backend.core.database import TableBase


class CalendarSource(StrEnum):
    chinese_calendar = "chinese_calendar"  # the `chinese-calendar` package
    official_file = "official_file"  # a file transcribed from the State Council's notice (国务院办公厅通知)


class CalendarDay(TableBase, table=True):
    """`is_working_day` is the official answer: weekdays work unless a holiday; weekend days rest unless
    they are adjusted working days (调休). `name` names the holiday or the adjustment, when there is one."""

    __tablename__ = "calendar_day"
    __table_args__ = (
        sa.UniqueConstraint("day"),
        sa.CheckConstraint("source IN ('chinese_calendar', 'official_file')", name="source"),
    )

    day: date
    year: int = Field(index=True)
    is_working_day: bool
    source: str = Field(sa_type=sa.String(length=20))
    name: str | None = Field(default=None, max_length=50)
