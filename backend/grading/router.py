"""Grading over HTTP: runs (regulators, admins), the public rating, its history and the qualified list."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status

from backend.core.access import OVERSIGHT, OptionalCaller
from backend.core.database import SessionDep
from backend.core.idempotency import Idempotency, idempotent
from backend.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page
from backend.grading import service
from backend.grading.schemas import QualifiedList, RatingPublic, RunCreate, RunPublic

router = APIRouter(tags=["grading"])

OversightCreate = Annotated[Idempotency, Depends(idempotent(OVERSIGHT), scope="function")]


@router.post("/rating-runs", response_model=RunPublic, status_code=status.HTTP_201_CREATED)
async def create_rating_run(body: RunCreate, idem: OversightCreate, session: SessionDep) -> Any:
    """Grade the given operators (default: every operator the caller oversees) now; `publish` makes the
    results public (district or city regulator where the operator is registered, or an admin)."""
    return await idem.run(session, lambda: service.run_on_demand(session, idem.principal, body))


@router.get("/operators/{operator_id}/rating", response_model=RatingPublic)
async def get_operator_rating(operator_id: uuid.UUID, _: OptionalCaller, session: SessionDep) -> RatingPublic:
    """The current published grade with its parts, caps, vetoes and an explanation (which part held it
    back, what would raise it), in Chinese unless `Accept-Language: en`."""
    return await service.current_rating(session, operator_id)


@router.get("/operators/{operator_id}/ratings", response_model=Page[RatingPublic])
async def list_operator_ratings(
    operator_id: uuid.UUID, _: OptionalCaller, session: SessionDep, limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[RatingPublic]:  # fmt: skip
    """Published results, newest first."""
    return await service.rating_history(session, operator_id, cursor, limit)


@router.get("/qualified-operators", response_model=QualifiedList)
async def get_qualified_operators(
    city_id: uuid.UUID, _: OptionalCaller, session: SessionDep
) -> QualifiedList:
    """The public list of qualified operators of a city (1A/合格 or better, no open veto), with the time it
    was last updated (Xi'an; Baotou art. 29)."""
    return await service.qualified_operators(session, city_id)
