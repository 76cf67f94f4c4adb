"""What the grading needs from the catalogue, in a few set-based queries: operators with their place and
start, their facilities (functions, whether they pass the configuration rules of their ruleset), and their
services' disclosures. Read through `backend.catalogue.queries`."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.findings import FindingStatus, Severity, check_facility
from backend.catalogue.models import (
    Community,
    District,
    Facility,
    FacilityFunction,
    FacilityStatus,
    Operator,
    OrgStatus,
    Service,
    ServiceStatus,
    Street,
)
from backend.catalogue.rules import rulesets_for_facilities
from backend.rulesets.queries import Ruleset, ruleset_for_city


@dataclass(frozen=True, slots=True)
class OperatorFacts:
    id: uuid.UUID
    name: str
    started_on: date
    city_id: uuid.UUID
    district_id: uuid.UUID
    facilities: tuple[uuid.UUID, ...]
    food_facilities: tuple[uuid.UUID, ...]  # facilities with meal aid (food safety applies)
    configured_facilities: int  # facilities without a failed required configuration finding
    services: int
    disclosures_current: int


async def operator_facts(
    session: AsyncSession,
    *,
    operator_ids: Collection[uuid.UUID] | None = None,
    city_id: uuid.UUID | None = None,
    disclosed_since: datetime | None = None,
) -> list[OperatorFacts]:
    """Active operators (all, some, or those of a city), by name then id."""
    ops = (
        sa.select(col(Operator.id), col(Operator.name), col(Operator.started_on), col(District.city_id),
                  col(District.id))
        .join(District, col(District.id) == col(Operator.district_id))
        .where(col(Operator.status) == OrgStatus.active)
        .order_by(col(Operator.name), col(Operator.id))
    )  # fmt: skip
    if operator_ids is not None:
        ops = ops.where(col(Operator.id).in_(sorted(operator_ids)))
    if city_id is not None:
        ops = ops.where(col(District.city_id) == city_id)
    operators = (await session.execute(ops)).all()
    ids = [o[0] for o in operators]
    if not ids:
        return []
    # Each facility with where it is (its ruleset is its district's) and its functions, joined on the
    # operators (not on a list of thousands of facility ids).
    fac = (
        sa.select(col(Facility.id), col(Facility.operator_id), col(Facility.rooms), col(District.city_id),
                  col(District.id))
        .join(Community, col(Community.id) == col(Facility.community_id))
        .join(Street, col(Street.id) == col(Community.street_id))
        .join(District, col(District.id) == col(Street.district_id))
        .where(col(Facility.operator_id).in_(ids), col(Facility.status) == FacilityStatus.active)
    )  # fmt: skip
    fac_rows = (await session.execute(fac)).all()
    functions: dict[uuid.UUID, list[str]] = defaultdict(list)
    fn = (
        sa.select(col(FacilityFunction.facility_id), col(FacilityFunction.function))
        .join(Facility, col(Facility.id) == col(FacilityFunction.facility_id))
        .where(col(Facility.operator_id).in_(ids), col(Facility.status) == FacilityStatus.active)
    )
    for fid, function in (await session.execute(fn)).all():
        functions[fid].append(function)
    by_place: dict[tuple[uuid.UUID, uuid.UUID], Ruleset] = {}
    for *_, city, district in fac_rows:
        if (city, district) not in by_place:
            by_place[(city, district)] = await ruleset_for_city(session, city, district_id=district)
    rulesets = {fid: by_place[(city, district)] for fid, _, _, city, district in fac_rows}
    by_op: dict[uuid.UUID, list[tuple[uuid.UUID, bool, bool]]] = defaultdict(list)
    # Facilities configured alike under the same rules have the same findings: check each configuration once.
    configured: dict[tuple[int, tuple[str, ...], str], bool] = {}
    for fid, op, rooms, _, _ in fac_rows:
        rules = rulesets[fid].document.catalogue
        key = (id(rules), tuple(sorted(functions[fid])), repr(rooms))
        ok = configured.get(key)
        if ok is None:
            findings = check_facility(functions[fid], rooms, rules)
            ok = not any(
                f.status == FindingStatus.failed and f.severity == Severity.required for f in findings
            )
            configured[key] = ok
        by_op[op].append((fid, "meal_aid" in functions[fid], ok))
    current = sa.func.sum(
        sa.case((col(Service.disclosure_updated_at) >= disclosed_since, 1), else_=0)
        if disclosed_since is not None
        else sa.case((col(Service.disclosure_updated_at).is_not(None), 1), else_=0)
    )
    svc = (
        sa.select(col(Facility.operator_id), sa.func.count(), current)
        .join(Facility, col(Facility.id) == col(Service.facility_id))
        .where(col(Facility.operator_id).in_(ids), col(Service.status) == ServiceStatus.active)
        .group_by(col(Facility.operator_id))
    )
    services = {op: (int(n), int(c or 0)) for op, n, c in (await session.execute(svc)).all()}
    out = []
    for oid, name, started, city, district in operators:
        facs = sorted(by_op.get(oid, []))
        n, cur = services.get(oid, (0, 0))
        out.append(
            OperatorFacts(
                id=oid,
                name=name,
                started_on=started,
                city_id=city,
                district_id=district,
                facilities=tuple(f for f, _, _ in facs),
                food_facilities=tuple(f for f, food, _ in facs if food),
                configured_facilities=sum(1 for _, _, ok in facs if ok),
                services=n,
                disclosures_current=cur,
            )
        )
    return out


async def failed_findings(
    session: AsyncSession, facility_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, tuple[tuple[str, str], ...]]:
    """Per facility, its failed configuration findings as (rule, severity), by the rules of its ruleset
    (the same checks as `GET /facilities/{id}/findings`); facilities with none map to ()."""
    ids = sorted(set(facility_ids))
    if not ids:
        return {}
    stmt = sa.select(col(Facility.id), col(Facility.rooms)).where(col(Facility.id).in_(ids))
    rooms = dict((await session.execute(stmt)).tuples().all())
    functions: dict[uuid.UUID, list[str]] = defaultdict(list)
    for fid, function in (
        await session.execute(
            sa.select(col(FacilityFunction.facility_id), col(FacilityFunction.function)).where(
                col(FacilityFunction.facility_id).in_(ids)
            )
        )
    ).all():
        functions[fid].append(function)
    rulesets = await rulesets_for_facilities(session, list(rooms))
    return {
        fid: tuple(
            (f.rule, f.severity.value)
            for f in check_facility(sorted(functions[fid]), room_list, rulesets[fid].document.catalogue)
            if f.status == FindingStatus.failed
        )
        for fid, room_list in rooms.items()
    }
