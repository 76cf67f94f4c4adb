"""One row per published ruleset version of a city (district_id null) or of one of its districts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field

from backend.core.database import TableBase, utc_field


class RulesetVersion(TableBase, table=True):
    """Published versions are never changed: a new document is a new version (numbered per place)."""

    __tablename__ = "ruleset"
    __table_args__ = (
        sa.UniqueConstraint("place_id", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    city_id: uuid.UUID = Field(foreign_key="city.id", index=True)
    district_id: uuid.UUID | None = Field(default=None, foreign_key="district.id", index=True)
    place_id: uuid.UUID  # district_id or city_id: versions are numbered per place
    version: int
    name: str = Field(max_length=200)
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    note: str | None = Field(default=None, max_length=500)
    published_at: datetime = utc_field(index=True)
    published_by: uuid.UUID | None = None
