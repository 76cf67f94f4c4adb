"""Ruleset reads and publishing over HTTP. Lives above the catalogue (it checks places and resolves the
caller's scope there), while the rulesets themselves stay below it."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.service import record
from backend.catalogue import queries as catalogue
from backend.core.access import Principal
from backend.core.pagination import Page, decode_cursor, encode_cursor
from backend.rulesets import queries, service
from backend.rulesets.errors import CityNotFound, DistrictNotInCity, RulesetNotFound
from backend.rulesets.presets import PRESETS
from backend.rulesets.schemas import RulesetCreate, RulesetPublic


async def _city(session: AsyncSession, city_id: uuid.UUID, district_id: uuid.UUID | None) -> None:
    if not await catalogue.city_exists(session, city_id):
        raise CityNotFound()
    if district_id is not None and await catalogue.district_city(session, district_id) != city_id:
        raise DistrictNotInCity()


async def current(session: AsyncSession, city_id: uuid.UUID, district_id: uuid.UUID | None) -> RulesetPublic:
    await _city(session, city_id, district_id)
    return RulesetPublic.of(await queries.ruleset_for_city(session, city_id, district_id=district_id))


async def history(
    session: AsyncSession, city_id: uuid.UUID, district_id: uuid.UUID | None, cursor: str | None, limit: int
) -> Page[RulesetPublic]:
    await _city(session, city_id, district_id)
    before = (decode_cursor(cursor) or {}).get("v")
    rows = await queries.ruleset_versions(
        session, district_id or city_id, int(before) if isinstance(before, int) else None, limit + 1
    )
    items = [RulesetPublic.of(r) for r in rows[:limit]]
    return Page(
        items=items, next_cursor=encode_cursor({"v": items[-1].version}) if len(rows) > limit else None
    )


async def one(session: AsyncSession, ruleset_id: uuid.UUID) -> RulesetPublic:
    found = await queries.ruleset_by_id(session, ruleset_id)
    if found is None:
        raise RulesetNotFound()
    return RulesetPublic.of(found)


async def publish(
    session: AsyncSession, principal: Principal, city_id: uuid.UUID, body: RulesetCreate
) -> RulesetPublic:
    await _city(session, city_id, body.district_id)
    document = body.document if body.document is not None else PRESETS[body.preset]  # type: ignore[index]
    scope = await catalogue.resolve_scope(session, principal)
    published = await service.publish(
        session, principal, scope, city_id=city_id, district_id=body.district_id, document=document,
        note=body.note,
    )  # fmt: skip
    changes = {"city_id": city_id, "district_id": body.district_id, "version": published.version,
               "name": published.name, "preset": body.preset}  # fmt: skip
    await record(session, principal, "publish", "ruleset", published.id, changes)  # type: ignore[arg-type]
    return RulesetPublic.of(published)
