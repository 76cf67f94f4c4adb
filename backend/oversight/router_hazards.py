"""HTTP routes of residents' hazard reports (安全隐患): the resident reports, the operator answers, the street
office moderates doubtful texts and takes over what is overdue."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from backend.core.access import RESIDENTS, OperatorOrOversight, Oversight, Resident
from backend.core.database import SessionDep
from backend.core.idempotency import Idempotency, idempotent
from backend.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page
from backend.oversight import hazards
from backend.oversight.common import FacilityQuery, facility_query
from backend.oversight.models import HazardStatus
from backend.oversight.schemas import HazardAnswer, HazardCreate, HazardModeration, HazardView

router = APIRouter(tags=["oversight"])

FacilityList = Annotated[FacilityQuery, Depends(facility_query)]

Deciders = Oversight
FacilityStaff = OperatorOrOversight
ResidentCreate = Annotated[Idempotency, Depends(idempotent(RESIDENTS), scope="function")]


# ---------------------------------------------------------------- hazards


@router.post("/safety/hazards", response_model=HazardView, status_code=201)
async def report_hazard(
    body: HazardCreate, idem: ResidentCreate, resident: Resident, session: SessionDep
) -> Any:
    """A resident reports a hazard (安全隐患); the text is checked like a review's."""
    return await idem.run(session, lambda: hazards.report(session, resident, body))


@router.get("/me/hazards", response_model=Page[HazardView])
async def list_my_hazards(
    resident: Resident, session: SessionDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[HazardView]:
    return await hazards.list_mine(session, resident, cursor, limit)


@router.get("/safety/hazards", response_model=Page[HazardView])
async def list_hazards(
    caller: FacilityStaff, session: SessionDep, q: FacilityList, status: HazardStatus | None = None
) -> Page[HazardView]:
    """Hazard reports in the caller's facilities; doubtful texts only for those who moderate them."""
    return await hazards.list_for_staff(session, caller, q, status)


@router.post("/safety/hazards/{hazard_id}/answer", response_model=HazardView)
async def answer_hazard(
    hazard_id: uuid.UUID, body: HazardAnswer, caller: FacilityStaff, session: SessionDep
) -> HazardView:
    return await hazards.answer(session, caller, hazard_id, body)


@router.post("/safety/hazards/{hazard_id}/moderation", response_model=HazardView)
async def moderate_hazard(
    hazard_id: uuid.UUID, body: HazardModeration, caller: Deciders, session: SessionDep
) -> HazardView:
    """Accept a doubtful text (the answer deadline starts then) or reject it."""
    return await hazards.moderate(session, caller, hazard_id, body)
