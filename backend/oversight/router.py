"""HTTP routes of the oversight domain's safety side: inspections, the operator's own safety records,
incidents, residents' hazard reports and the public safety page of a facility."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from backend.core.access import (
    OPERATORS_AND_ADMINS,
    OPERATORS_AND_OVERSIGHT,
    OVERSIGHT,
    PUBLIC,
    OperatorOrAdmin,
    OperatorOrOversight,
    Oversight,
)
from backend.core.database import SessionDep
from backend.core.http_cache import cached_json
from backend.core.idempotency import Idempotency, idempotent
from backend.core.pagination import Page
from backend.oversight import safety
from backend.oversight.common import FacilityQuery, facility_query
from backend.oversight.models import Drill, EmergencyPlan, InspectionKind, SafetyCheck
from backend.oversight.schemas import (
    DrillCreate,
    DrillView,
    EmergencyPlanCreate,
    EmergencyPlanView,
    FacilitySafety,
    IncidentCreate,
    IncidentView,
    InspectionCreate,
    InspectionFix,
    InspectionView,
    SafetyCheckCreate,
    SafetyCheckView,
    VetoDecision,
)

router = APIRouter(tags=["oversight"])

FacilityList = Annotated[FacilityQuery, Depends(facility_query)]

Deciders = Oversight
FacilityStaff = OperatorOrOversight
OwnRecorders = OperatorOrAdmin
DeciderCreate = Annotated[Idempotency, Depends(idempotent(OVERSIGHT), scope="function")]
FacilityStaffCreate = Annotated[Idempotency, Depends(idempotent(OPERATORS_AND_OVERSIGHT), scope="function")]
OwnRecordCreate = Annotated[Idempotency, Depends(idempotent(OPERATORS_AND_ADMINS), scope="function")]


# ---------------------------------------------------------------- public


@router.get("/facilities/{facility_id}/safety", response_model=FacilitySafety, dependencies=[Depends(PUBLIC)])
async def get_facility_safety(facility_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """Latest fire and food inspections, the emergency plan on file, the last drill and safety check
    (Baotou art. 41: 检查记录和应急预案向社区居民公开). Nothing personal."""
    return await cached_json(
        request, (safety.SAFETY_NAMESPACE,), lambda: safety.facility_safety(session, facility_id)
    )


# ---------------------------------------------------------------- inspections


@router.post("/inspections", response_model=InspectionView, status_code=201)
async def record_inspection(
    body: InspectionCreate, idem: DeciderCreate, caller: Deciders, session: SessionDep
) -> Any:
    """A regulator over the facility (or an admin) records a fire (pass/fail) or food (A/B/C) inspection."""
    return await idem.run(session, lambda: safety.record_inspection(session, caller, body))


@router.get("/inspections", response_model=Page[InspectionView])
async def list_inspections(
    caller: FacilityStaff, session: SessionDep, q: FacilityList, kind: InspectionKind | None = None
) -> Page[InspectionView]:
    return await safety.list_inspections(session, caller, q, kind)


@router.post("/inspections/{inspection_id}/fix", response_model=InspectionView)
async def fix_inspection(
    inspection_id: uuid.UUID, body: InspectionFix, caller: FacilityStaff, session: SessionDep
) -> InspectionView:
    """Record the fix an inspection required (its date and what was done)."""
    return await safety.fix_inspection(session, caller, inspection_id, body)


# ---------------------------------------------------------------- the operator's own records


@router.post("/safety-checks", response_model=SafetyCheckView, status_code=201)
async def add_safety_check(
    body: SafetyCheckCreate, idem: OwnRecordCreate, caller: OwnRecorders, session: SessionDep
) -> Any:
    return await idem.run(session, lambda: safety.add_safety_check(session, caller, body))


@router.get("/safety-checks", response_model=Page[SafetyCheckView])
async def list_safety_checks(
    caller: FacilityStaff, session: SessionDep, q: FacilityList
) -> Page[SafetyCheckView]:
    return await safety.list_own_records(session, caller, SafetyCheck, SafetyCheckView, q)


@router.post("/emergency-plans", response_model=EmergencyPlanView, status_code=201)
async def add_emergency_plan(
    body: EmergencyPlanCreate, idem: OwnRecordCreate, caller: OwnRecorders, session: SessionDep
) -> Any:
    return await idem.run(session, lambda: safety.add_emergency_plan(session, caller, body))


@router.get("/emergency-plans", response_model=Page[EmergencyPlanView])
async def list_emergency_plans(
    caller: FacilityStaff, session: SessionDep, q: FacilityList
) -> Page[EmergencyPlanView]:
    return await safety.list_own_records(session, caller, EmergencyPlan, EmergencyPlanView, q)


@router.post("/drills", response_model=DrillView, status_code=201)
async def add_drill(
    body: DrillCreate, idem: OwnRecordCreate, caller: OwnRecorders, session: SessionDep
) -> Any:
    return await idem.run(session, lambda: safety.add_drill(session, caller, body))


@router.get("/drills", response_model=Page[DrillView])
async def list_drills(caller: FacilityStaff, session: SessionDep, q: FacilityList) -> Page[DrillView]:
    return await safety.list_own_records(session, caller, Drill, DrillView, q)


# ---------------------------------------------------------------- incidents


@router.post("/incidents", response_model=IncidentView, status_code=201)
async def record_incident(
    body: IncidentCreate, idem: FacilityStaffCreate, caller: FacilityStaff, session: SessionDep
) -> Any:
    return await idem.run(session, lambda: safety.record_incident(session, caller, body))


@router.get("/incidents", response_model=Page[IncidentView])
async def list_incidents(caller: FacilityStaff, session: SessionDep, q: FacilityList) -> Page[IncidentView]:
    return await safety.list_incidents(session, caller, q)


@router.post("/incidents/{incident_id}/veto", response_model=IncidentView)
async def decide_veto(
    incident_id: uuid.UUID, body: VetoDecision, caller: Deciders, session: SessionDep
) -> IncidentView:
    """Set or lift the veto (一票否决) on a serious incident; a regulator over the facility or an admin."""
    return await safety.decide_veto(session, caller, incident_id, body)
