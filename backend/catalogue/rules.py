"""The rules in force for catalogue objects: a facility's ruleset is its district's, else its city's."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import repository_places as places
from backend.rulesets.queries import Ruleset, builtin_ruleset, ruleset_for_city


async def rulesets_for_facilities(
    session: AsyncSession, facility_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Ruleset]:
    """Each facility's ruleset now (one lookup per distinct district)."""
    found = await places.facility_places(session, facility_ids)
    by_place: dict[tuple[uuid.UUID, uuid.UUID], Ruleset] = {}
    out: dict[uuid.UUID, Ruleset] = {}
    for fid in facility_ids:
        place = found.get(fid)
        if place is None:
            out[fid] = builtin_ruleset()
            continue
        if place not in by_place:
            by_place[place] = await ruleset_for_city(session, place[0], district_id=place[1])
        out[fid] = by_place[place]
    return out
