"""API shapes of rulesets."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field, model_validator

from backend.core.clock import ShanghaiDateTime
from backend.rulesets.document import RulesetDocument
from backend.rulesets.presets import Preset
from backend.rulesets.queries import Ruleset


class RulesetPublic(BaseModel):
    id: uuid.UUID | None = Field(description="null: the built-in default (no version published here yet)")
    city_id: uuid.UUID | None
    district_id: uuid.UUID | None
    version: int
    name: str
    document: RulesetDocument
    note: str | None
    published_at: ShanghaiDateTime | None
    published_by: uuid.UUID | None

    @classmethod
    def of(cls, r: Ruleset) -> RulesetPublic:
        return cls(
            id=r.id,
            city_id=r.city_id,
            district_id=r.district_id,
            version=r.version,
            name=r.name,
            document=r.document,
            note=r.note,
            published_at=r.published_at,
            published_by=r.published_by,
        )


class RulesetCreate(BaseModel):
    """A new version for the city (or, with `district_id`, one of its districts): a whole `document`, or a
    shipped `preset` (default, wuhan, chongqing, baotou)."""

    district_id: uuid.UUID | None = None
    preset: Preset | None = None
    document: RulesetDocument | None = None
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _one_source(self) -> RulesetCreate:
        if (self.preset is None) == (self.document is None):
            raise ValueError("give exactly one of preset or document")
        return self
