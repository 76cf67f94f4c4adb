"""Queries of the catalogue domain (the only module that builds them).

Nearest-first lists order in SQL by an equirectangular approximation: with `k = cos(lat0)` computed in
Python, `(lat - lat0)² + ((lng - lng0)·k)²` is plain arithmetic, so it runs the same on SQLite and
PostgreSQL (no trigonometry, no PostGIS) and keyset pagination stays in the database. At city scale the
ordering error is negligible; the distance shown is the exact haversine, computed in Python for the page.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import repository_offer as _offer
from backend.catalogue.models import (
    City,
    Community,
    District,
    Facility,
    FacilityFunction,
    FacilityStatus,
    Operator,
    Service,
    Street,
    SubsidyRule,
    Supplier,
    SupplierLicence,
)
from backend.catalogue.repository_offer import after_name

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


# ---------------------------------------------------------------- by id


async def get_service(session: AsyncSession, service_id: uuid.UUID) -> Service | None:
    return await session.get(Service, service_id)


async def get_facility(session: AsyncSession, facility_id: uuid.UUID) -> Facility | None:
    return await session.get(Facility, facility_id)


async def get_operator(session: AsyncSession, operator_id: uuid.UUID) -> Operator | None:
    return await session.get(Operator, operator_id)


async def get_supplier(session: AsyncSession, supplier_id: uuid.UUID) -> Supplier | None:
    return await session.get(Supplier, supplier_id)


async def get_community(session: AsyncSession, community_id: uuid.UUID) -> Community | None:
    return await session.get(Community, community_id)


async def get_district(session: AsyncSession, district_id: uuid.UUID) -> District | None:
    return await session.get(District, district_id)


async def get_subsidy_rule(session: AsyncSession, rule_id: uuid.UUID) -> SubsidyRule | None:
    return await session.get(SubsidyRule, rule_id)


async def _by_ids(session: AsyncSession, model: Any, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.exec(select(model).where(col(model.id).in_(wanted)))
    return {row.id: row for row in rows}


async def operators_by_id(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Operator]:
    return await _by_ids(session, Operator, ids)


async def communities_by_id(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Community]:
    return await _by_ids(session, Community, ids)


async def facilities_by_id(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Facility]:
    return await _by_ids(session, Facility, ids)


async def suppliers_by_id(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Supplier]:
    return await _by_ids(session, Supplier, ids)


async def community_path(
    session: AsyncSession, community_id: uuid.UUID
) -> tuple[Community, Street, District, City] | None:
    stmt = (
        select(Community, Street, District, City)
        .join(Street, col(Street.id) == Community.street_id)
        .join(District, col(District.id) == Street.district_id)
        .join(City, col(City.id) == District.city_id)
        .where(Community.id == community_id)
    )
    row = (await session.exec(stmt)).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


async def operator_by_credit_code(session: AsyncSession, code: str) -> Operator | None:
    return (await session.exec(select(Operator).where(Operator.credit_code == code))).first()


async def supplier_by_credit_code(session: AsyncSession, code: str) -> Supplier | None:
    return (await session.exec(select(Supplier).where(Supplier.credit_code == code))).first()


# ---------------------------------------------------------------- places


async def list_places(session: AsyncSession) -> tuple[list[District], list[Street], list[Community]]:
    districts = list(await session.exec(select(District).order_by(District.name)))
    streets = list(await session.exec(select(Street).order_by(Street.name)))
    communities = list(await session.exec(select(Community).order_by(Community.name)))
    return districts, streets, communities


# ---------------------------------------------------------------- facilities


def _function_filter(function: str) -> Any:
    return col(Facility.id).in_(
        select(FacilityFunction.facility_id).where(FacilityFunction.function == function)
    )


def _facility_filters(
    community_id: uuid.UUID | None, function: str | None, public: bool, scope: Any | None
) -> list[Any]:
    filters: list[Any] = []
    if public:
        filters.append(Facility.status == FacilityStatus.active)
    if community_id is not None:
        filters.append(Facility.community_id == community_id)
    if function is not None:
        filters.append(_function_filter(function))
    if scope is not None:
        filters.append(scope)
    return filters


async def list_facilities_by_name(
    session: AsyncSession,
    *,
    community_id: uuid.UUID | None = None,
    function: str | None = None,
    public: bool = True,
    scope: Any | None = None,
    after: tuple[str, uuid.UUID] | None = None,
    limit: int,
) -> list[Facility]:
    stmt = select(Facility).where(
        *_facility_filters(community_id, function, public, scope), after_name(Facility, after)
    )
    stmt = stmt.order_by(col(Facility.name), col(Facility.id)).limit(limit)
    return list(await session.exec(stmt))


async def list_facilities_near(
    session: AsyncSession,
    *,
    lat: float,
    lng: float,
    community_id: uuid.UUID | None = None,
    function: str | None = None,
    after: tuple[float, uuid.UUID] | None = None,
    limit: int,
) -> list[tuple[Facility, float]]:
    """Active facilities nearest first, with the planar ordering key (see the module docstring)."""
    k = math.cos(math.radians(lat))
    dy = col(Facility.lat) - lat
    dx = (col(Facility.lng) - lng) * k
    d2 = (dy * dy + dx * dx).label("d2")
    stmt = select(Facility, d2).where(*_facility_filters(community_id, function, True, None))
    if after is not None:
        key, last_id = after
        stmt = stmt.where(sa.or_(d2 > key, sa.and_(d2 == key, col(Facility.id) > last_id)))
    stmt = stmt.order_by(d2, col(Facility.id)).limit(limit)
    return [(row[0], float(row[1])) for row in await session.exec(stmt)]


async def facility_functions(
    session: AsyncSession, facility_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    ids = set(facility_ids)
    out: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = await session.exec(select(FacilityFunction).where(col(FacilityFunction.facility_id).in_(ids)))
    for row in rows:
        out[row.facility_id].append(row.function)
    for functions in out.values():
        functions.sort()
    return out


async def set_facility_functions(
    session: AsyncSession, facility_id: uuid.UUID, functions: Iterable[str]
) -> None:
    wanted = set(functions)
    current = {
        row.function: row
        for row in await session.exec(
            select(FacilityFunction).where(FacilityFunction.facility_id == facility_id)
        )
    }
    for function, row in current.items():
        if function not in wanted:
            await session.delete(row)
    for function in wanted - set(current):
        session.add(FacilityFunction(facility_id=facility_id, function=function))
    await session.flush()


# ---------------------------------------------------------------- organisations


async def _list_by_name(
    session: AsyncSession, model: Any, scope: Any | None, after: tuple[str, uuid.UUID] | None, limit: int
) -> list[Any]:
    stmt = select(model).where(after_name(model, after))
    if scope is not None:
        stmt = stmt.where(scope)
    return list(await session.exec(stmt.order_by(col(model.name), col(model.id)).limit(limit)))


async def list_operators(
    session: AsyncSession, *, scope: Any | None, after: tuple[str, uuid.UUID] | None, limit: int
) -> list[Operator]:
    return await _list_by_name(session, Operator, scope, after, limit)


async def list_suppliers(
    session: AsyncSession, *, scope: Any | None, after: tuple[str, uuid.UUID] | None, limit: int
) -> list[Supplier]:
    return await _list_by_name(session, Supplier, scope, after, limit)


async def supplier_licences(session: AsyncSession, supplier_id: uuid.UUID) -> list[SupplierLicence]:
    stmt = (
        select(SupplierLicence)
        .where(SupplierLicence.supplier_id == supplier_id)
        .order_by(col(SupplierLicence.kind), col(SupplierLicence.valid_from))
    )
    return list(await session.exec(stmt))


# ---------------------------------------------------------------- services (queries in repository_offer)

list_services = _offer.list_services
latest_disclosure = _offer.latest_disclosure
disclosure_history = _offer.disclosure_history
price_history = _offer.price_history
next_version = _offer.next_version
price_at = _offer.price_at
prices_at = _offer.prices_at
subsidy_rules_at = _offer.subsidy_rules_at
subsidy_rule_history = _offer.subsidy_rule_history
price_table = _offer.price_table
