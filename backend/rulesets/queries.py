"""The rulesets' public reads: what other domains call to learn a city's (or district's) rules.

A place without a published version answers the built-in default (`version` 0, `id` None), so every city
has rules from its first day; a published version replaces it from its `published_at` on. A district's own
version, where one exists, wins over its city's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.rulesets import repository as repo
from backend.rulesets.document import DEFAULT_DOCUMENT, RulesetDocument
from backend.rulesets.models import RulesetVersion

_PARSED: dict[uuid.UUID, RulesetDocument] = {}  # published versions never change


@dataclass(frozen=True, slots=True)
class Ruleset:
    id: uuid.UUID | None  # None: the built-in default
    city_id: uuid.UUID | None
    district_id: uuid.UUID | None
    version: int  # 0: the built-in default
    name: str
    document: RulesetDocument
    published_at: datetime | None
    published_by: uuid.UUID | None = None
    note: str | None = None

    def ref(self) -> dict[str, Any]:
        """How a result or a finding cites the ruleset it used."""
        return {
            "id": str(self.id) if self.id else None,
            "city_id": str(self.city_id) if self.city_id else None,
            "district_id": str(self.district_id) if self.district_id else None,
            "version": self.version,
            "name": self.name,
        }


def builtin_ruleset(city_id: uuid.UUID | None = None, district_id: uuid.UUID | None = None) -> Ruleset:
    return Ruleset(None, city_id, district_id, 0, DEFAULT_DOCUMENT.name, DEFAULT_DOCUMENT, None)


def document_of(row: RulesetVersion) -> RulesetDocument:
    if row.id not in _PARSED:
        _PARSED[row.id] = RulesetDocument.model_validate(row.document)
    return _PARSED[row.id]


def to_ruleset(row: RulesetVersion) -> Ruleset:
    return Ruleset(
        id=row.id,
        city_id=row.city_id,
        district_id=row.district_id,
        version=row.version,
        name=row.name,
        document=document_of(row),
        published_at=row.published_at,
        published_by=row.published_by,
        note=row.note,
    )


async def ruleset_for_city(
    session: AsyncSession,
    city_id: uuid.UUID,
    at: datetime | None = None,
    *,
    district_id: uuid.UUID | None = None,
) -> Ruleset:
    """The rules in force in a city (or, given `district_id`, in that district of it) at `at` (or now)."""
    if district_id is not None:
        row = await repo.latest(session, district_id, at)
        if row is not None:
            return to_ruleset(row)
    row = await repo.latest(session, city_id, at)
    return to_ruleset(row) if row is not None else builtin_ruleset(city_id, None)


async def ruleset_by_id(session: AsyncSession, ruleset_id: uuid.UUID) -> Ruleset | None:
    row = await repo.get(session, ruleset_id)
    return to_ruleset(row) if row is not None else None


async def ruleset_versions(
    session: AsyncSession, place_id: uuid.UUID, before_version: int | None, limit: int
) -> list[Ruleset]:
    """Published versions of a city or district, newest first."""
    return [to_ruleset(r) for r in await repo.versions(session, place_id, before_version, limit)]
