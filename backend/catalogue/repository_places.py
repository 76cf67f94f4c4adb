"""Where things are: facility and operator → district → city (for the rulesets in force there)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.models import City, Community, District, Facility, Operator, Street

Place = tuple[uuid.UUID, uuid.UUID]  # (city_id, district_id)


async def facility_places(session: AsyncSession, facility_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Place]:
    ids = sorted(set(facility_ids))
    if not ids:
        return {}
    stmt = (
        sa.select(col(Facility.id), col(District.city_id), col(District.id))
        .join(Community, col(Community.id) == col(Facility.community_id))
        .join(Street, col(Street.id) == col(Community.street_id))
        .join(District, col(District.id) == col(Street.district_id))
        .where(col(Facility.id).in_(ids))
    )
    return {fid: (city, district) for fid, city, district in (await session.execute(stmt)).all()}


async def operator_places(session: AsyncSession, operator_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Place]:
    """Operators are registered in a district; their rules are that district's city's."""
    ids = sorted(set(operator_ids))
    if not ids:
        return {}
    stmt = (
        sa.select(col(Operator.id), col(District.city_id), col(District.id))
        .join(District, col(District.id) == col(Operator.district_id))
        .where(col(Operator.id).in_(ids))
    )
    return {oid: (city, district) for oid, city, district in (await session.execute(stmt)).all()}


async def operator_starts(session: AsyncSession, operator_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, date]:
    ids = sorted(set(operator_ids))
    if not ids:
        return {}
    stmt = sa.select(col(Operator.id), col(Operator.started_on)).where(col(Operator.id).in_(ids))
    return {oid: started for oid, started in (await session.execute(stmt)).all()}


async def district_city(session: AsyncSession, district_id: uuid.UUID) -> uuid.UUID | None:
    stmt = sa.select(col(District.city_id)).where(col(District.id) == district_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def city_exists(session: AsyncSession, city_id: uuid.UUID) -> bool:
    found = await session.execute(sa.select(col(City.id)).where(col(City.id) == city_id))
    return found.scalar_one_or_none() is not None
