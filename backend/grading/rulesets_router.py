"""Rulesets over HTTP: the rules in force (public), their versions, and publishing a new one (regulators)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status

from backend.core.access import OVERSIGHT, PUBLIC, OptionalCaller
from backend.core.database import SessionDep
from backend.core.idempotency import Idempotency, idempotent
from backend.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page
from backend.grading import rulesets_api
from backend.rulesets.document import RulesetDocument
from backend.rulesets.presets import PRESETS, Preset
from backend.rulesets.schemas import RulesetCreate, RulesetPublic

router = APIRouter(tags=["rulesets"])

OversightCreate = Annotated[Idempotency, Depends(idempotent(OVERSIGHT), scope="function")]


@router.get("/cities/{city_id}/ruleset", response_model=RulesetPublic)
async def get_city_ruleset(
    city_id: uuid.UUID, _: OptionalCaller, session: SessionDep, district_id: uuid.UUID | None = None
) -> RulesetPublic:
    """The rules in force in a city (or one of its districts): grading, review and complaint deadlines,
    oversight deadlines and the facility configuration rules, each with its source."""
    return await rulesets_api.current(session, city_id, district_id)


@router.get("/cities/{city_id}/rulesets", response_model=Page[RulesetPublic])
async def list_city_rulesets(
    city_id: uuid.UUID,
    _: OptionalCaller,
    session: SessionDep,
    district_id: uuid.UUID | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[RulesetPublic]:
    """Published versions, newest first (old grading results keep the version they used)."""
    return await rulesets_api.history(session, city_id, district_id, cursor, limit)


@router.get("/rulesets/{ruleset_id}", response_model=RulesetPublic)
async def get_ruleset(ruleset_id: uuid.UUID, _: OptionalCaller, session: SessionDep) -> RulesetPublic:
    return await rulesets_api.one(session, ruleset_id)


@router.get("/ruleset-presets", response_model=dict[Preset, RulesetDocument], dependencies=[Depends(PUBLIC)])
async def list_presets() -> dict[Preset, RulesetDocument]:
    """The shipped documents (default = RATING.md on the Wuhan scale; Chongqing; Baotou)."""
    return PRESETS


@router.post("/cities/{city_id}/rulesets", response_model=RulesetPublic, status_code=status.HTTP_201_CREATED)
async def publish_ruleset(
    city_id: uuid.UUID, body: RulesetCreate, idem: OversightCreate, session: SessionDep
) -> Any:
    """Publish the next version (the city's regulator, for the city or a district; a district regulator for
    its district; admins). Audited; earlier versions stay."""
    return await idem.run(session, lambda: rulesets_api.publish(session, idem.principal, city_id, body))
