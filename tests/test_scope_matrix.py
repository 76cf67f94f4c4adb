"""Role × kind of object × place, against the `Scope` resolved from a real database (issue 8).

Places: "east" (the caller's own side: east street, operator A, supplier A1, service "meal"), "west" (the
same district's other street: operator B, supplier B1, service "infant") and "far" (another district:
operator C, supplier C1, service "far"). A booking is a resident's object on a service. For each cell the
table says whether the caller sees it and whether it changes it (for a service: acts for it). The SQL
filters must agree with the predicates for every role.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.models import Community, District, Facility, Operator, Service, Street, Supplier
from backend.catalogue.queries import resolve_scope
from backend.core.access import Principal, RegionLevel, Role
from backend.core.scope import Scope
from tests.catalogue.world import World, build_world

KINDS = ("facility", "operator", "supplier", "service", "booking")
PLACES = ("east", "west", "far")
ROLES = ("admin", "city", "district", "street", "operator", "supplier", "resident")

Y, N = (True, True), (False, False)
SEE = (True, False)  # sees, does not change
# EXPECTED[role][place] -> {kind: (sees, changes)}; a booking's "changes" is not asked (False).
EXPECTED: dict[str, dict[str, dict[str, tuple[bool, bool]]]] = {
    "admin": {
        p: {"facility": Y, "operator": Y, "supplier": Y, "service": SEE, "booking": SEE} for p in PLACES
    },
    "city": {
        p: {"facility": Y, "operator": Y, "supplier": Y, "service": SEE, "booking": SEE} for p in PLACES
    },
    "district": {
        "east": {"facility": Y, "operator": Y, "supplier": Y, "service": SEE, "booking": SEE},
        "west": {"facility": Y, "operator": Y, "supplier": Y, "service": SEE, "booking": SEE},
        "far": {"facility": N, "operator": N, "supplier": N, "service": N, "booking": N},
    },
    # a street office sees who serves its street, changes its street's facilities, no operator-level object
    "street": {
        "east": {"facility": Y, "operator": SEE, "supplier": SEE, "service": SEE, "booking": SEE},
        "west": {"facility": N, "operator": N, "supplier": N, "service": N, "booking": N},
        "far": {"facility": N, "operator": N, "supplier": N, "service": N, "booking": N},
    },
    "operator": {
        "east": {"facility": Y, "operator": Y, "supplier": Y, "service": SEE, "booking": SEE},
        "west": {"facility": N, "operator": N, "supplier": N, "service": N, "booking": N},
        "far": {"facility": N, "operator": N, "supplier": N, "service": N, "booking": N},
    },
    # supplier staff see the facilities hosting them, change their supplier and act for their services
    "supplier": {
        "east": {"facility": SEE, "operator": N, "supplier": Y, "service": Y, "booking": SEE},
        "west": {"facility": N, "operator": N, "supplier": N, "service": N, "booking": N},
        "far": {"facility": N, "operator": N, "supplier": N, "service": N, "booking": N},
    },
    # a resident sees only their own booking (the "east" one is theirs)
    "resident": {
        "east": {"facility": N, "operator": N, "supplier": N, "service": N, "booking": SEE},
        "west": {"facility": N, "operator": N, "supplier": N, "service": N, "booking": N},
        "far": {"facility": N, "operator": N, "supplier": N, "service": N, "booking": N},
    },
}


@dataclass(frozen=True)
class Place:
    facility: uuid.UUID
    operator: uuid.UUID
    supplier: uuid.UUID
    service: uuid.UUID
    resident: uuid.UUID  # who booked the service


@dataclass
class Town:
    w: World
    places: dict[str, Place]
    callers: dict[str, Principal]


async def _far_side(session: AsyncSession, w: World) -> Place:
    district = District(city_id=w.city, name="远区")
    street = Street(district_id=district.id, name="远街道")
    community = Community(street_id=street.id, name="远社区")
    op = Operator(district_id=district.id, name="丙运营", credit_code="91420102MA4K90003X",
                  operating_model="public_built_private_run", started_on=date(2023, 1, 1))  # fmt: skip
    sup = Supplier(operator_id=op.id, name="丙一助餐", credit_code="91420102MA4K90031X")
    fac = Facility(community_id=community.id, operator_id=op.id, name="远综合体", address="远路 3 号",
                   lat=30.7, lng=114.4, opening_hours="每天 08:00-18:00", rooms=[])  # fmt: skip
    svc = Service(facility_id=fac.id, supplier_id=sup.id, function="meal_aid", service_class="inclusive",
                  booking_mode="per_meal", name="远午餐")  # fmt: skip
    for row in (district, street, community, op, sup, fac, svc):
        session.add(row)
        await session.flush()
    await session.commit()
    return Place(fac.id, op.id, sup.id, svc.id, uuid.uuid4())


@pytest.fixture
async def town(session: AsyncSession) -> Town:
    w = await build_world(session)
    me = uuid.uuid4()
    places = {
        "east": Place(w.facilities["east"], w.operators["A"], w.suppliers["A1"], w.services["meal"], me),
        "west": Place(
            w.facilities["west"], w.operators["B"], w.suppliers["B1"], w.services["infant"], uuid.uuid4()
        ),
        "far": await _far_side(session, w),
    }
    callers = {
        "admin": Principal(id=uuid.uuid4(), role=Role.admin),
        "city": w.regulator(RegionLevel.city, w.city),
        "district": w.regulator(RegionLevel.district, w.district),
        "street": w.regulator(RegionLevel.street, w.streets["east"]),
        "operator": w.operator_staff("A"),
        "supplier": w.supplier_staff("A1"),
        "resident": Principal(id=me, role=Role.resident),
    }
    return Town(w, places, callers)


def _answer(scope: Scope, kind: str, p: Place) -> tuple[bool, bool]:
    if kind == "facility":
        return scope.sees_facility(p.facility), scope.may_change_facility(p.facility)
    if kind == "operator":
        return scope.sees_operator(p.operator), scope.may_change_operator(p.operator)
    if kind == "supplier":
        return scope.sees_supplier(p.supplier), scope.may_change_supplier(p.supplier)
    if kind == "service":
        return scope.sees_service(p.facility, p.supplier), scope.acts_for_service(p.supplier)
    return scope.sees_service_object(p.resident, p.facility, p.supplier), False


@pytest.mark.parametrize("role", ROLES)
async def test_scope_role_by_kind_by_place(session: AsyncSession, town: Town, role: str) -> None:
    scope = await resolve_scope(session, town.callers[role])
    got = {place: {kind: _answer(scope, kind, town.places[place]) for kind in KINDS} for place in PLACES}
    assert got == EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
async def test_scope_sql_filters_agree_with_predicates(session: AsyncSession, town: Town, role: str) -> None:
    """Lists are restricted in SQL (`*_filter`); objects are checked one by one (`sees_*`): the same rule."""
    scope = await resolve_scope(session, town.callers[role])

    async def ids(stmt: sa.Select[tuple[uuid.UUID]]) -> set[uuid.UUID]:
        return set((await session.exec(stmt)).all())  # type: ignore[call-overload]

    facilities = await ids(select(Facility.id))
    operators = await ids(select(Operator.id))
    suppliers = await ids(select(Supplier.id))
    services = (await session.exec(select(Service.id, Service.facility_id, Service.supplier_id))).all()
    assert await ids(select(Facility.id).where(scope.facility_filter(col(Facility.id)))) == {
        f for f in facilities if scope.sees_facility(f)
    }
    assert await ids(select(Operator.id).where(scope.operator_filter(col(Operator.id)))) == {
        o for o in operators if scope.sees_operator(o)
    }
    assert await ids(select(Supplier.id).where(scope.supplier_filter(col(Supplier.id)))) == {
        s for s in suppliers if scope.sees_supplier(s)
    }
    in_sql = await ids(
        select(Service.id).where(scope.service_filter(col(Service.facility_id), col(Service.supplier_id)))
    )
    assert in_sql == {s for s, f, sup in services if scope.sees_service(f, sup)}
    assert len(facilities) == 4 and len(services) == 5  # the world is what the table assumes


# Decisions the law gives the street office itself (Wuhan art. 14: consent to suspending a subsidised
# service): the street office of the facility's street, or an admin; no other regulator, never staff.
STREET_OFFICE: dict[str, set[str]] = {
    "admin": set(PLACES),
    "city": set(),
    "district": set(),
    "street": {"east"},
    "operator": set(),
    "supplier": set(),
    "resident": set(),
}


@pytest.mark.parametrize("role", ROLES)
async def test_scope_street_office_decisions(session: AsyncSession, town: Town, role: str) -> None:
    scope = await resolve_scope(session, town.callers[role])
    got = {place for place in PLACES if scope.is_street_office_of(town.places[place].facility)}
    assert got == STREET_OFFICE[role]


@pytest.mark.parametrize("role", ROLES)
async def test_scope_owns_only_the_residents_own_objects(
    session: AsyncSession, town: Town, role: str
) -> None:
    """`owns`: the resident who booked (the "east" booking is theirs); staff own nothing, even an admin."""
    scope = await resolve_scope(session, town.callers[role])
    got = {place for place in PLACES if scope.owns(town.places[place].resident)}
    assert got == ({"east"} if role == "resident" else set())


# may_evaluate_operator(operator, level): whose operator the caller evaluates at each evaluator level
EVALUATES: dict[str, dict[RegionLevel, set[str]]] = {
    "admin": {lvl: set(PLACES) for lvl in RegionLevel},
    "city": {RegionLevel.city: set(PLACES), RegionLevel.district: set(), RegionLevel.street: set()},
    "district": {RegionLevel.city: set(), RegionLevel.district: {"east", "west"}, RegionLevel.street: set()},
    "street": {RegionLevel.city: set(), RegionLevel.district: set(), RegionLevel.street: {"east"}},
    **{r: {lvl: set() for lvl in RegionLevel} for r in ("operator", "supplier", "resident")},
}


@pytest.mark.parametrize("role", ROLES)
async def test_scope_yearly_evaluation_at_the_rulesets_level(
    session: AsyncSession, town: Town, role: str
) -> None:
    """Chongqing art. 15 / Baotou art. 44: the evaluator level is the ruleset's; nobody else evaluates."""
    scope = await resolve_scope(session, town.callers[role])
    for level in RegionLevel:
        got = {p for p in PLACES if scope.may_evaluate_operator(town.places[p].operator, level)}
        assert got == EVALUATES[role][level], level
