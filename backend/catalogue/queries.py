"""The catalogue's public reads: what other domains may call (never the catalogue's tables directly)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import repository_grading as repo_grading
from backend.catalogue import repository_offer as offer
from backend.catalogue import repository_places as places
from backend.catalogue import repository_scope as repo

# The catalogue's vocabulary other domains use, re-exported here (never import the catalogue's models).
from backend.catalogue.models import BookingMode as BookingMode
from backend.catalogue.models import City, Community, District, Facility, Operator, Service, Street, Supplier
from backend.catalogue.models import FacilityStatus as FacilityStatus
from backend.catalogue.models import FunctionCode as FunctionCode
from backend.catalogue.models import OrgStatus as OrgStatus
from backend.catalogue.models import ServiceClass as ServiceClass
from backend.catalogue.models import ServiceStatus as ServiceStatus
from backend.catalogue.pricing import price_stamp_sql as price_stamp_sql
from backend.catalogue.repository_grading import OperatorFacts as OperatorFacts
from backend.catalogue.rules import rulesets_for_facilities
from backend.core.access import Principal, RegionLevel
from backend.core.reach import RegulatorReach, build_scope
from backend.core.scope import RegionFacts, Scope
from backend.rulesets.queries import Ruleset, builtin_ruleset, ruleset_for_city

_SESSION_KEY = "scope"


async def resolve_scope(session: AsyncSession, principal: Principal | None) -> Scope:
    """The caller's `Scope`, resolved once per transaction (memoised on the session until the transaction
    ends, or until `forget_scope`)."""
    if principal is None:
        return Scope.nothing()
    memo: dict[object, Scope] | None = session.info.get(_SESSION_KEY)
    if memo is None:
        memo = session.info[_SESSION_KEY] = {}
        event.listen(session.sync_session, "after_transaction_end", _forget_on_end, once=True)
    key = (principal.id, principal.role, principal.operator_id, principal.supplier_id, principal.region_id)
    if key not in memo:
        memo[key] = await _resolve(session, principal)
    return memo[key]


def forget_scope(session: AsyncSession) -> None:
    """Drop the memoised scopes: call after a write that changes who reaches what (a new facility, a facility
    handed to another operator, a new supplier), so later checks in the same transaction see it."""
    session.info.pop(_SESSION_KEY, None)


def _forget_on_end(sync_session: object, transaction: object) -> None:
    info = getattr(sync_session, "info", None)
    if info is not None:
        info.pop(_SESSION_KEY, None)


@dataclass(frozen=True, slots=True)
class _Reach:
    """`core.reach.ReachLoader` over the catalogue's places (operators register with districts; a street's
    operators are those registered in the district it lies in)."""

    session: AsyncSession

    async def operator_reach(
        self, operator_id: uuid.UUID
    ) -> tuple[frozenset[uuid.UUID], frozenset[uuid.UUID]]:
        return await repo.operator_reach(self.session, operator_id)

    async def supplier_hosts(self, supplier_id: uuid.UUID) -> frozenset[uuid.UUID]:
        return await repo.supplier_hosts(self.session, supplier_id)

    async def regulator_reach(self, level: RegionLevel, region_id: uuid.UUID) -> RegulatorReach:
        communities, streets, districts = await repo.region_places(self.session, level, region_id)
        facilities, serving_ops, serving_sups, reg_ops, reg_sups = await repo.region_reach(
            self.session, communities, districts
        )
        return RegulatorReach(
            region=RegionFacts(community_ids=communities, street_ids=streets, district_ids=districts),
            facility_ids=facilities,
            serving_operator_ids=serving_ops,
            registered_operator_ids=reg_ops,
            serving_supplier_ids=serving_sups,
            registered_supplier_ids=reg_sups,
        )


async def _resolve(session: AsyncSession, principal: Principal) -> Scope:
    return await build_scope(principal, _Reach(session))


# ---------------------------------------------------------------- reads for other domains


async def operator_exists(session: AsyncSession, operator_id: uuid.UUID) -> bool:
    return await session.get(Operator, operator_id) is not None


async def community_exists(session: AsyncSession, community_id: uuid.UUID) -> bool:
    return await session.get(Community, community_id) is not None


async def supplier_exists(session: AsyncSession, supplier_id: uuid.UUID) -> bool:
    return await session.get(Supplier, supplier_id) is not None


async def place_exists(session: AsyncSession, level: RegionLevel, place_id: uuid.UUID) -> bool:
    """Whether the city, district or street exists (a regulator's region)."""
    if level == RegionLevel.city:
        return await session.get(City, place_id) is not None
    if level == RegionLevel.district:
        return await session.get(District, place_id) is not None
    return await session.get(Street, place_id) is not None


# SQL reads for hot joins. A domain whose hot path needs catalogue rows in the same statement (the booking
# context: slot + service + facility + beneficiary in ONE round trip) joins these selectables instead of the
# catalogue's tables. Each is a subquery of the listed columns only: the columns are the contract (the tables
# may change behind them), it is read-only by construction, and PostgreSQL and SQLite pull such a simple
# subquery up into the outer query, so the plan and the single round trip are those of the plain join.
# (A function returning rows would need a second round trip; a view would need a migration per change.)
# Cached per process: building a selectable is not free and they are immutable.


@cache
def services_sql() -> sa.Subquery:
    """Services: id, name, supplier_id, facility_id, function, service_class, booking_mode, age band,
    cut-offs, requires_address, status."""
    s: sa.Table = Service.__table__  # type: ignore[attr-defined]
    return sa.select(
        s.c.id,
        s.c.name,
        s.c.supplier_id,
        s.c.facility_id,
        s.c.function,
        s.c.service_class,
        s.c.booking_mode,
        s.c.min_age_years,
        s.c.max_age_years,
        s.c.cancel_cutoff_minutes,
        s.c.order_cutoff_minutes,
        s.c.requires_address,
        s.c.status,
    ).subquery("service")


@cache
def facilities_sql() -> sa.Subquery:
    """Facilities: id, operator_id, community_id, status."""
    f: sa.Table = Facility.__table__  # type: ignore[attr-defined]
    return sa.select(f.c.id, f.c.operator_id, f.c.community_id, f.c.status).subquery("facility")


# ---------------------------------------------------------------- names for reports and dashboards


@dataclass(frozen=True, slots=True)
class Named:
    id: uuid.UUID
    name: str


async def operator_named(session: AsyncSession, operator_id: uuid.UUID) -> Named | None:
    operator = await session.get(Operator, operator_id)
    return Named(operator.id, operator.name) if operator else None


async def facilities_of_operators(session: AsyncSession, operator_ids: Collection[uuid.UUID]) -> list[Named]:
    """The facilities the operators run, by name."""
    return [Named(i, n) for i, n in await repo.facilities_of_operators(session, operator_ids)]


async def names_of(session: AsyncSession, kind: str, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Names of facilities, suppliers or operators (`kind`), for labelling aggregates."""
    return dict(await repo.names_of(session, kind, ids))


@dataclass(frozen=True, slots=True)
class FacilityInRegion:
    id: uuid.UUID
    name: str
    operator_id: uuid.UUID
    operator: str


async def facilities_in_region(
    session: AsyncSession, level: RegionLevel, region_id: uuid.UUID
) -> list[FacilityInRegion]:
    """Every facility in a street, district or city, with its operator (ordered by operator, then name)."""
    communities, _, _ = await repo.region_places(session, level, region_id)
    return [FacilityInRegion(*row) for row in await repo.facilities_in_communities(session, communities)]


# ---------------------------------------------------------------- places and the rules in force there


@dataclass(frozen=True, slots=True)
class Place:
    city_id: uuid.UUID
    district_id: uuid.UUID


async def operator_places(session: AsyncSession, operator_ids: list[uuid.UUID]) -> dict[uuid.UUID, Place]:
    """Where each operator is registered (its district and that district's city)."""
    return {k: Place(v[0], v[1]) for k, v in (await places.operator_places(session, operator_ids)).items()}


async def operator_starts(
    session: AsyncSession, operator_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, date]:
    """The day each operator started operating (what is due from it starts then)."""
    return await places.operator_starts(session, operator_ids)


async def district_city(session: AsyncSession, district_id: uuid.UUID) -> uuid.UUID | None:
    return await places.district_city(session, district_id)


async def city_exists(session: AsyncSession, city_id: uuid.UUID) -> bool:
    return await places.city_exists(session, city_id)


async def ruleset_for_facility(session: AsyncSession, facility_id: uuid.UUID) -> Ruleset:
    """The ruleset in force for a facility now: its district's version, else its city's, else the default."""
    return (await rulesets_for_facilities(session, [facility_id]))[facility_id]


async def ruleset_for_operator(session: AsyncSession, operator_id: uuid.UUID) -> Ruleset:
    """The ruleset in force where an operator is registered (its district's, else its city's)."""
    place = (await places.operator_places(session, [operator_id])).get(operator_id)
    if place is None:
        return builtin_ruleset()
    return await ruleset_for_city(session, place[0], district_id=place[1])


# ---------------------------------------------------------------- subsidies


async def subsidised_services(
    session: AsyncSession,
    *,
    service_id: uuid.UUID | None = None,
    facility_id: uuid.UUID | None = None,
    at: datetime,
) -> list[uuid.UUID]:
    """The service (given `service_id`) or the facility's services (given `facility_id`) that public money
    subsidises: a government-paid subsidy rule (政府补) in force at `at` or starting later. Suppliers'
    concessions (企业让) and community help (社区帮) are not public subsidies. Wuhan art. 14: suspending
    such a service needs the street office's consent."""
    if (service_id is None) == (facility_id is None):
        raise ValueError("give exactly one of service_id and facility_id")
    return await offer.publicly_subsidised(session, service_id, facility_id, at)


# ---------------------------------------------------------------- for the grading


async def operator_facts(
    session: AsyncSession,
    *,
    operator_ids: Collection[uuid.UUID] | None = None,
    city_id: uuid.UUID | None = None,
    disclosed_since: datetime | None = None,
) -> list[OperatorFacts]:
    """Active operators with their place, start, facilities (which serve food, which meet the configuration
    rules of their ruleset) and services' disclosures (current = changed since `disclosed_since`)."""
    return await repo_grading.operator_facts(
        session, operator_ids=operator_ids, city_id=city_id, disclosed_since=disclosed_since
    )


async def failed_findings(
    session: AsyncSession, facility_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, tuple[tuple[str, str], ...]]:
    """Per facility, its failed configuration findings as (rule, severity: required | advisory), by the
    rules of its ruleset (the checks of `GET /facilities/{id}/findings`; computed, never enforced)."""
    return await repo_grading.failed_findings(session, facility_ids)


# ---------------------------------------------------------------- references for the domains above


@dataclass(frozen=True, slots=True)
class FacilityRef:
    id: uuid.UUID
    name: str
    operator_id: uuid.UUID
    community_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class SupplierRef:
    id: uuid.UUID
    name: str
    operator_id: uuid.UUID  # the operator that introduced it


@dataclass(frozen=True, slots=True)
class ServiceRef:
    id: uuid.UUID
    name: str
    facility_id: uuid.UUID
    supplier_id: uuid.UUID


async def facility_street(session: AsyncSession, facility_id: uuid.UUID) -> uuid.UUID | None:
    """The street a facility lies in (whose street office handles what is escalated about it)."""
    c: sa.Table = Community.__table__  # type: ignore[attr-defined]
    f: sa.Table = Facility.__table__  # type: ignore[attr-defined]
    stmt = sa.select(c.c.street_id).join(f, f.c.community_id == c.c.id).where(f.c.id == facility_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def facility_ref(session: AsyncSession, facility_id: uuid.UUID) -> FacilityRef | None:
    f = await session.get(Facility, facility_id)
    return None if f is None else FacilityRef(f.id, f.name, f.operator_id, f.community_id)


async def supplier_ref(session: AsyncSession, supplier_id: uuid.UUID) -> SupplierRef | None:
    s = await session.get(Supplier, supplier_id)
    return None if s is None else SupplierRef(s.id, s.name, s.operator_id)


async def service_ref(session: AsyncSession, service_id: uuid.UUID) -> ServiceRef | None:
    s = await session.get(Service, service_id)
    return None if s is None else ServiceRef(s.id, s.name, s.facility_id, s.supplier_id)
