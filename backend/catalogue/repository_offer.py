"""Queries for services and what they publish: disclosures, price versions, subsidy rules.

Re-exported by `repository`, the module the services call.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.models import (
    Facility,
    FacilityStatus,
    Service,
    ServiceDisclosure,
    ServicePrice,
    ServiceStatus,
    SubsidyPayer,
    SubsidyRule,
)


def after_name(model: Any, after: tuple[str, uuid.UUID] | None) -> Any:
    """Keyset condition for lists ordered by `(name, id)`: the rows after the cursor's (name, id)."""
    if after is None:
        return sa.true()
    name, last_id = after
    return sa.or_(col(model.name) > name, sa.and_(col(model.name) == name, col(model.id) > last_id))


# ---------------------------------------------------------------- services


async def list_services(
    session: AsyncSession,
    *,
    facility_id: uuid.UUID | None = None,
    function: str | None = None,
    supplier_id: uuid.UUID | None = None,
    public: bool = True,
    after: tuple[str, uuid.UUID] | None = None,
    limit: int | None = None,
) -> list[Service]:
    stmt = select(Service)
    if public:
        stmt = stmt.join(Facility, col(Facility.id) == Service.facility_id).where(
            Service.status == ServiceStatus.active, Facility.status == FacilityStatus.active
        )
    if facility_id is not None:
        stmt = stmt.where(Service.facility_id == facility_id)
    if function is not None:
        stmt = stmt.where(Service.function == function)
    if supplier_id is not None:
        stmt = stmt.where(Service.supplier_id == supplier_id)
    stmt = stmt.where(after_name(Service, after)).order_by(col(Service.name), col(Service.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(await session.exec(stmt))


async def latest_disclosure(session: AsyncSession, service_id: uuid.UUID) -> ServiceDisclosure | None:
    stmt = (
        select(ServiceDisclosure)
        .where(ServiceDisclosure.service_id == service_id)
        .order_by(col(ServiceDisclosure.version).desc())
        .limit(1)
    )
    return (await session.exec(stmt)).first()


async def disclosure_history(session: AsyncSession, service_id: uuid.UUID) -> list[ServiceDisclosure]:
    stmt = (
        select(ServiceDisclosure)
        .where(ServiceDisclosure.service_id == service_id)
        .order_by(col(ServiceDisclosure.version).desc())
    )
    return list(await session.exec(stmt))


async def price_history(session: AsyncSession, service_id: uuid.UUID) -> list[ServicePrice]:
    stmt = (
        select(ServicePrice)
        .where(ServicePrice.service_id == service_id)
        .order_by(col(ServicePrice.version).desc())
    )
    return list(await session.exec(stmt))


async def next_version(session: AsyncSession, model: Any, service_id: uuid.UUID) -> int:
    """The next version number of a service's disclosures or prices.

    Locks the service row first (PostgreSQL; SQLite serialises writers anyway), so two changes at once
    number themselves one after the other instead of colliding on the unique (service_id, version).
    """
    await session.exec(select(Service.id).where(Service.id == service_id).with_for_update())
    stmt = select(sa.func.max(model.version)).where(model.service_id == service_id)
    current = (await session.exec(stmt)).first()
    return int(current or 0) + 1


async def price_at(session: AsyncSession, service_id: uuid.UUID, at: datetime) -> ServicePrice | None:
    stmt = (
        select(ServicePrice)
        .where(ServicePrice.service_id == service_id, col(ServicePrice.effective_from) <= at)
        .order_by(col(ServicePrice.effective_from).desc(), col(ServicePrice.version).desc())
        .limit(1)
    )
    return (await session.exec(stmt)).first()


async def prices_at(
    session: AsyncSession, service_ids: Sequence[uuid.UUID], at: datetime
) -> dict[uuid.UUID, ServicePrice]:
    if not service_ids:
        return {}
    stmt = (
        select(ServicePrice)
        .where(col(ServicePrice.service_id).in_(set(service_ids)), col(ServicePrice.effective_from) <= at)
        .order_by(col(ServicePrice.effective_from), col(ServicePrice.version))
    )
    out: dict[uuid.UUID, ServicePrice] = {}
    for price in await session.exec(stmt):
        out[price.service_id] = price  # ascending, so the last one wins
    return out


async def subsidy_rules_at(session: AsyncSession, service_id: uuid.UUID, at: datetime) -> list[SubsidyRule]:
    stmt = (
        select(SubsidyRule)
        .where(
            SubsidyRule.service_id == service_id,
            col(SubsidyRule.valid_from) <= at,
            sa.or_(col(SubsidyRule.valid_until).is_(None), col(SubsidyRule.valid_until) > at),
        )
        .order_by(col(SubsidyRule.valid_from), col(SubsidyRule.id))
    )
    return list(await session.exec(stmt))


async def publicly_subsidised(
    session: AsyncSession, service_id: uuid.UUID | None, facility_id: uuid.UUID | None, at: datetime
) -> list[uuid.UUID]:
    """Services (this one, or every service of this facility) covered by a government-paid subsidy rule in
    force at `at` or starting later."""
    stmt = (
        select(Service.id)
        .join(SubsidyRule, col(SubsidyRule.service_id) == col(Service.id))
        .where(
            col(SubsidyRule.payer) == SubsidyPayer.government.value,
            sa.or_(col(SubsidyRule.valid_until).is_(None), col(SubsidyRule.valid_until) > at),
            col(Service.id) == service_id
            if service_id is not None
            else col(Service.facility_id) == facility_id,
        )
        .distinct()
        .order_by(col(Service.id))
    )
    return list(await session.exec(stmt))


async def price_table(
    session: AsyncSession, service_id: uuid.UUID
) -> tuple[Sequence[sa.Row[Any]], Sequence[sa.Row[Any]]]:
    """Every price version and subsidy rule of a service, as plain rows (the booking path caches them)."""
    p: sa.Table = ServicePrice.__table__  # type: ignore[attr-defined]
    r: sa.Table = SubsidyRule.__table__  # type: ignore[attr-defined]
    prices = await session.execute(
        sa.select(p.c.effective_from, p.c.version, p.c.market_price_fen, p.c.inclusive_price_fen).where(
            p.c.service_id == service_id
        )
    )
    rules = await session.execute(
        sa.select(
            r.c.payer,
            r.c.min_age_years,
            r.c.max_age_years,
            r.c.requires_dibao,
            r.c.requires_disability,
            r.c.amount_fen,
            r.c.rate_bp,
            r.c.valid_from,
            r.c.valid_until,
        )
        .where(r.c.service_id == service_id)
        .order_by(r.c.valid_from, r.c.id)
    )
    return prices.all(), rules.all()


async def subsidy_rule_history(session: AsyncSession, service_id: uuid.UUID) -> list[SubsidyRule]:
    stmt = (
        select(SubsidyRule)
        .where(SubsidyRule.service_id == service_id)
        .order_by(col(SubsidyRule.valid_from).desc(), col(SubsidyRule.id))
    )
    return list(await session.exec(stmt))


async def changes_taking_effect(session: AsyncSession, after: datetime, until: datetime) -> int:
    """How many dated versions (prices, disclosures, subsidy rules) start or end in (after, until]."""
    windows = [
        (ServicePrice, col(ServicePrice.effective_from)),
        (ServiceDisclosure, col(ServiceDisclosure.effective_at)),
        (SubsidyRule, col(SubsidyRule.valid_from)),
        (SubsidyRule, col(SubsidyRule.valid_until)),
    ]
    total = 0
    for model, column in windows:
        stmt = sa.select(sa.func.count()).select_from(model).where(column > after, column <= until)
        total += int((await session.execute(stmt)).scalar_one())
    return total
