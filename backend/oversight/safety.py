"""Safety records (Baotou arts. 38–41, Wuhan arts. 11 and 17): government inspections, the operator's own
checks, emergency plans and drills, incidents with their veto, and the public safety page.

Who may do what is the Scope's answer, never a role ladder here:
- inspections and vetoes are the street office's (or the platform's) decisions: `may_decide_for_facility`;
- the operator's own records, incidents and fixes: whoever may change the facility (`may_change_facility`);
- reads: whoever sees the facility; the public page shows nothing personal (no inspector, no account ids).
A facility outside the caller's scope answers 404 `facility_not_found`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.service import record
from backend.catalogue.errors import FacilityNotFound
from backend.catalogue.queries import facility_ref, resolve_scope
from backend.core.access import Principal
from backend.core.clock import SHANGHAI, utcnow
from backend.core.errors import Unprocessable
from backend.core.http_cache import invalidate
from backend.core.i18n import Msg
from backend.core.pagination import Page
from backend.core.scope import Scope
from backend.oversight import repository as repo
from backend.oversight.common import FacilityQuery, facility_page, record_for
from backend.oversight.errors import (
    AlreadyFixed,
    IncidentNotFound,
    InspectionNotFound,
    NoFixRequired,
    VetoNotAllowed,
    WrongResultForKind,
)
from backend.oversight.models import (
    SEVERITY_ORDER,
    Drill,
    EmergencyPlan,
    Incident,
    IncidentKind,
    Inspection,
    InspectionKind,
    SafetyCheck,
    Severity,
)
from backend.oversight.rules import DEFAULT_RULES
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
    PublicCheck,
    PublicDrill,
    PublicInspection,
    PublicPlan,
    SafetyCheckCreate,
    SafetyCheckView,
    VetoDecision,
)

SAFETY_NAMESPACE = "oversight.safety"
FIX_BEFORE_INSPECTION = Msg("整改日期早于检查日期", "fixed_on is before the inspection date")
FUTURE_DATE = Msg("日期不能晚于今天", "The date cannot be later than today")

V = TypeVar("V", bound=BaseModel)


def _today() -> Any:
    return utcnow().astimezone(SHANGHAI).date()


async def _facility_scope(
    session: AsyncSession, principal: Principal, facility_id: uuid.UUID, allowed: Callable[[Scope], bool]
) -> Scope:
    """The caller's scope, once the facility exists and `allowed(scope)` holds; else 404."""
    scope = await resolve_scope(session, principal)
    scope.require(allowed(scope) and await facility_ref(session, facility_id) is not None, FacilityNotFound())
    return scope


def _not_future(*days: Any) -> None:
    if any(d is not None and d > _today() for d in days):
        raise Unprocessable(FUTURE_DATE)


def inspection_view(row: Inspection) -> InspectionView:
    view = InspectionView.model_validate(row)
    view.fix_overdue = row.fix_due_on is not None and row.fixed_on is None and row.fix_due_on < _today()
    return view


# ---------------------------------------------------------------- inspections


async def record_inspection(
    session: AsyncSession, principal: Principal, body: InspectionCreate
) -> InspectionView:
    """A regulator over the facility (or an admin) records a fire or food inspection (Baotou art. 40)."""
    await _facility_scope(
        session, principal, body.facility_id, lambda s: s.may_decide_for_facility(body.facility_id)
    )
    if not body.result_fits_kind():
        raise WrongResultForKind()
    _not_future(body.inspected_on)
    row = Inspection(**body.model_dump(), recorded_by=principal.id)
    session.add(row)
    await session.flush()
    await record(session, principal, "create", "inspection", row.id, body.model_dump())
    await invalidate(session, SAFETY_NAMESPACE)
    return inspection_view(row)


async def fix_inspection(
    session: AsyncSession, principal: Principal, inspection_id: uuid.UUID, body: InspectionFix
) -> InspectionView:
    """The operator (or the regulator) records the fix an inspection asked for."""
    row, _ = await record_for(
        session,
        principal,
        Inspection,
        inspection_id,
        lambda scope, r: scope.may_change_facility(r.facility_id),
        InspectionNotFound(),
    )
    if row.fix_due_on is None:
        raise NoFixRequired()
    if row.fixed_on is not None:
        raise AlreadyFixed()
    if body.fixed_on < row.inspected_on:
        raise Unprocessable(FIX_BEFORE_INSPECTION)
    _not_future(body.fixed_on)
    row.fixed_on, row.fix_description = body.fixed_on, body.description
    session.add(row)
    await session.flush()
    await repo.add_event(session, "inspection", row.id, "fixed", principal, body.description)
    await record(session, principal, "fix", "inspection", row.id, body.model_dump())
    await invalidate(session, SAFETY_NAMESPACE)
    return inspection_view(row)


async def list_inspections(
    session: AsyncSession, principal: Principal, q: FacilityQuery, kind: InspectionKind | None
) -> Page[InspectionView]:
    conditions = [Inspection.kind == kind.value] if kind is not None else []
    return await facility_page(session, principal, Inspection, inspection_view, q, *conditions)


# ---------------------------------------------------------------- the operator's own records


async def _add_own_record(
    session: AsyncSession, principal: Principal, body: Any, model: type[Any], view: type[V], entity: str
) -> V:
    await _facility_scope(
        session, principal, body.facility_id, lambda s: s.may_change_facility(body.facility_id)
    )
    row = model(**body.model_dump(), recorded_by=principal.id)
    session.add(row)
    await session.flush()
    await record(session, principal, "create", entity, row.id, body.model_dump())
    await invalidate(session, SAFETY_NAMESPACE)
    return view.model_validate(row)


async def add_safety_check(
    session: AsyncSession, principal: Principal, body: SafetyCheckCreate
) -> SafetyCheckView:
    """定期安全检查 with its result (Baotou art. 39)."""
    _not_future(body.checked_on)
    return await _add_own_record(session, principal, body, SafetyCheck, SafetyCheckView, "safety_check")


async def add_emergency_plan(
    session: AsyncSession, principal: Principal, body: EmergencyPlanCreate
) -> EmergencyPlanView:
    """应急预案: a new dated document; the newest is the plan in force."""
    return await _add_own_record(session, principal, body, EmergencyPlan, EmergencyPlanView, "emergency_plan")


async def add_drill(session: AsyncSession, principal: Principal, body: DrillCreate) -> DrillView:
    """应急演练: date, scenario and the number of participants."""
    _not_future(body.held_on)
    return await _add_own_record(session, principal, body, Drill, DrillView, "drill")


async def list_own_records(
    session: AsyncSession, principal: Principal, model: type[Any], view: type[V], q: FacilityQuery
) -> Page[V]:
    """Safety checks, emergency plans, drills or incidents of the caller's facilities, newest first."""
    return await facility_page(session, principal, model, view.model_validate, q)


# ---------------------------------------------------------------- incidents


def veto_allowed(kind: IncidentKind, severity: Severity) -> bool:
    """一票否决 (RATING.md): abuse and food poisoning at any severity, any other kind from `serious` up."""
    rules = DEFAULT_RULES  # no ruleset sets these yet
    return (
        kind in rules.veto_kinds_any_severity
        or SEVERITY_ORDER[severity] >= SEVERITY_ORDER[rules.veto_min_severity]
    )


async def record_incident(session: AsyncSession, principal: Principal, body: IncidentCreate) -> IncidentView:
    await _facility_scope(
        session, principal, body.facility_id, lambda s: s.may_change_facility(body.facility_id)
    )
    if body.occurred_at > utcnow() + timedelta(minutes=5):
        raise Unprocessable(FUTURE_DATE)
    row = Incident(**body.model_dump(), recorded_by=principal.id)
    session.add(row)
    await session.flush()
    await record(session, principal, "create", "incident", row.id, body.model_dump())
    return IncidentView.model_validate(row)


async def decide_veto(
    session: AsyncSession, principal: Principal, incident_id: uuid.UUID, body: VetoDecision
) -> IncidentView:
    """A regulator over the facility (or an admin) sets or lifts the veto; never the operator."""
    row, _ = await record_for(
        session,
        principal,
        Incident,
        incident_id,
        lambda scope, r: scope.may_decide_for_facility(r.facility_id),
        IncidentNotFound(),
    )
    if body.veto and not veto_allowed(IncidentKind(row.kind), Severity(row.severity)):
        raise VetoNotAllowed()
    before = {"veto": row.veto, "veto_reason": row.veto_reason}
    row.veto, row.veto_reason = body.veto, body.reason
    row.veto_set_by, row.veto_set_at = principal.id, utcnow()
    session.add(row)
    await session.flush()
    await repo.add_event(
        session, "incident", row.id, "veto_set" if body.veto else "veto_lifted", principal, body.reason
    )
    await record(
        session, principal, "veto", "incident", row.id, {"before": before, "after": body.model_dump()}
    )
    return IncidentView.model_validate(row)


async def list_incidents(session: AsyncSession, principal: Principal, q: FacilityQuery) -> Page[IncidentView]:
    return await list_own_records(session, principal, Incident, IncidentView, q)


# ---------------------------------------------------------------- the public page (Baotou art. 41)


def _public_inspection(row: Inspection | None) -> PublicInspection | None:
    if row is None:
        return None
    return PublicInspection(
        kind=InspectionKind(row.kind),
        result=row.result,  # type: ignore[arg-type]
        inspected_on=row.inspected_on,
        findings=row.findings,
        fix_due_on=row.fix_due_on,
        fixed_on=row.fixed_on,
    )


async def facility_safety(session: AsyncSession, facility_id: uuid.UUID) -> FacilitySafety:
    if await facility_ref(session, facility_id) is None:
        raise FacilityNotFound()
    plan = await repo.latest(session, EmergencyPlan, facility_id, "adopted_on")
    drill = await repo.latest(session, Drill, facility_id, "held_on")
    check = await repo.latest(session, SafetyCheck, facility_id, "checked_on")
    return FacilitySafety(
        facility_id=facility_id,
        fire=_public_inspection(
            await repo.latest_inspection(session, facility_id, InspectionKind.fire.value)
        ),
        food=_public_inspection(
            await repo.latest_inspection(session, facility_id, InspectionKind.food.value)
        ),
        emergency_plan_on_file=plan is not None,
        emergency_plan=PublicPlan(title=plan.title, adopted_on=plan.adopted_on) if plan else None,
        last_drill=PublicDrill(
            held_on=drill.held_on, scenario=drill.scenario, participants=drill.participants
        )
        if drill
        else None,
        last_safety_check=PublicCheck(checked_on=check.checked_on, result=check.result)  # type: ignore[arg-type]
        if check
        else None,
    )
