"""Queries that turn a caller's place in the organisation into the id sets of a `Scope`."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.models import Community, District, Facility, Operator, Service, Street, Supplier
from backend.core.access import RegionLevel

Ids = frozenset[uuid.UUID]


async def _set(session: AsyncSession, stmt: object) -> frozenset[uuid.UUID]:
    return frozenset(row for row in (await session.exec(stmt)).all() if row is not None)  # type: ignore[call-overload]


async def operator_reach(
    session: AsyncSession, operator_id: uuid.UUID
) -> tuple[frozenset[uuid.UUID], frozenset[uuid.UUID]]:
    """(facility ids, supplier ids) of an operator."""
    facilities = await _set(session, select(Facility.id).where(Facility.operator_id == operator_id))
    suppliers = await _set(session, select(Supplier.id).where(Supplier.operator_id == operator_id))
    return facilities, suppliers


async def supplier_hosts(session: AsyncSession, supplier_id: uuid.UUID) -> frozenset[uuid.UUID]:
    """Facility ids where a supplier runs services."""
    return await _set(
        session, select(Service.facility_id).where(Service.supplier_id == supplier_id).distinct()
    )


async def region_places(
    session: AsyncSession, level: RegionLevel, region_id: uuid.UUID
) -> tuple[frozenset[uuid.UUID], frozenset[uuid.UUID], frozenset[uuid.UUID]]:
    """(community ids, street ids, district ids) inside a street, district or city."""
    streets = select(Street.id, Street.district_id)
    if level == RegionLevel.street:
        streets = streets.where(Street.id == region_id)
    elif level == RegionLevel.district:
        streets = streets.where(Street.district_id == region_id)
    else:
        streets = streets.join(District, col(District.id) == Street.district_id).where(
            District.city_id == region_id
        )
    pairs = (await session.exec(streets)).all()
    street_ids = frozenset(s for s, _ in pairs)
    district_ids = frozenset(d for _, d in pairs)
    if level == RegionLevel.district:
        district_ids |= {region_id}
    elif level == RegionLevel.city:
        district_ids |= await _set(session, select(District.id).where(District.city_id == region_id))
    communities = (
        await _set(session, select(Community.id).where(col(Community.street_id).in_(sorted(street_ids))))
        if street_ids
        else frozenset()
    )
    return communities, street_ids, district_ids


async def region_reach(
    session: AsyncSession, community_ids: frozenset[uuid.UUID], district_ids: frozenset[uuid.UUID]
) -> tuple[Ids, Ids, Ids, Ids, Ids]:
    """(facilities, serving operators, serving suppliers, registered operators, their suppliers)."""
    pairs = (
        (
            await session.exec(
                select(Facility.id, Facility.operator_id).where(
                    col(Facility.community_id).in_(sorted(community_ids))
                )
            )
        ).all()
        if community_ids
        else []
    )
    facilities = frozenset(f for f, _ in pairs)
    serving_ops = frozenset(o for _, o in pairs)
    serving_sups = (
        await _set(
            session, select(Service.supplier_id).where(col(Service.facility_id).in_(sorted(facilities)))
        )
        if facilities
        else frozenset()
    )
    registered_ops = (
        await _set(session, select(Operator.id).where(col(Operator.district_id).in_(sorted(district_ids))))
        if district_ids
        else frozenset()
    )
    registered_sups = (
        await _set(session, select(Supplier.id).where(col(Supplier.operator_id).in_(sorted(registered_ops))))
        if registered_ops
        else frozenset()
    )
    return facilities, serving_ops, serving_sups, registered_ops, registered_sups


_NAMED = {"facility": Facility, "supplier": Supplier, "operator": Operator}


async def facilities_of_operators(
    session: AsyncSession, operator_ids: Collection[uuid.UUID]
) -> list[tuple[uuid.UUID, str]]:
    if not operator_ids:
        return []
    stmt = (
        select(Facility.id, Facility.name)
        .where(col(Facility.operator_id).in_(sorted(operator_ids)))
        .order_by(col(Facility.name), col(Facility.id))
    )
    return [(i, n) for i, n in (await session.exec(stmt)).all()]


async def names_of(
    session: AsyncSession, kind: str, ids: Collection[uuid.UUID]
) -> list[tuple[uuid.UUID, str]]:
    model: Any = _NAMED[kind]
    if not ids:
        return []
    stmt = select(model.id, model.name).where(col(model.id).in_(sorted(ids)))
    return [(i, n) for i, n in (await session.exec(stmt)).all()]


async def facilities_in_communities(
    session: AsyncSession, community_ids: Collection[uuid.UUID]
) -> list[tuple[uuid.UUID, str, uuid.UUID, str]]:
    if not community_ids:
        return []
    stmt = (
        select(Facility.id, Facility.name, Operator.id, Operator.name)
        .join(Operator, col(Operator.id) == Facility.operator_id)
        .where(col(Facility.community_id).in_(sorted(community_ids)))
        .order_by(col(Operator.name), col(Facility.name), col(Facility.id))
    )
    return [(f, fn, o, on) for f, fn, o, on in (await session.exec(stmt)).all()]
