"""Supplier staff publish their services and what the rules require them to publish (公示).

Disclosures and prices are never edited: each change is a new dated version, and the service's
`disclosure_updated_at` moves to the time of the change, so residents see when it last changed. Subsidy
rules are ended (`valid_until`) and replaced, never rewritten. Every write is audited.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.service import audited_update, diff, record
from backend.catalogue import repository as repo
from backend.catalogue.changes import check_licence
from backend.catalogue.errors import (
    EFFECTIVE_IN_PAST,
    INCLUSIVE_ABOVE_ASSESSED,
    INCLUSIVE_CLASS_NEEDS_PRICE,
    INCLUSIVE_NEEDS_ASSESSED,
    FacilityMismatch,
    FacilityNotFound,
    InvalidPrice,
    InvalidSubsidyRule,
    OutOfScope,
    ServiceNotFound,
    StaffQualificationsRequired,
    SubsidyRuleNotFound,
    SupplierNotFound,
)
from backend.catalogue.models import (
    FunctionCode,
    OrgStatus,
    Service,
    ServiceClass,
    ServiceDisclosure,
    ServicePrice,
    SubsidyRule,
)
from backend.catalogue.orgs import CACHE_NAMESPACE, supplier_in_scope
from backend.catalogue.public import disclosure_version, price_version, rule_public
from backend.catalogue.schemas import DisclosureVersion, PriceVersion, SubsidyRulePublic
from backend.catalogue.schemas_staff import (
    DisclosureCreate,
    PriceCreate,
    ServiceCreate,
    ServiceStaffView,
    ServiceUpdate,
    SubsidyRuleCreate,
)
from backend.catalogue.scope import service_row_for_supplier
from backend.core.access import Principal
from backend.core.clock import utcnow
from backend.core.errors import Unprocessable
from backend.core.http_cache import invalidate
from backend.core.i18n import Msg

# A start time this close to "now" counts as now (clock skew between the console and the server).
PAST_TOLERANCE = timedelta(minutes=5)
AGE_BAND = Msg("最低年龄不得高于最高年龄", "min_age_years is above max_age_years")
SUPPLIER_INACTIVE = Msg("供应商已暂停或终止合作", "The supplier is suspended or ended")


def service_view(s: Service) -> ServiceStaffView:
    return ServiceStaffView.model_validate(s, from_attributes=True)


def _start(
    requested: datetime | None, now: datetime, error: type[InvalidPrice | InvalidSubsidyRule]
) -> datetime:
    if requested is None:
        return now
    if requested < now - PAST_TOLERANCE:
        raise error(EFFECTIVE_IN_PAST)
    return max(requested, now)


async def _changed(session: AsyncSession, service: Service, now: datetime) -> None:
    service.disclosure_updated_at = now
    session.add(service)
    await session.flush()
    await invalidate(session, CACHE_NAMESPACE)


# ---------------------------------------------------------------- services


async def create_service(
    session: AsyncSession, principal: Principal, data: ServiceCreate
) -> ServiceStaffView:
    """A supplier offers a service in a facility run by the operator that introduced it."""
    supplier = await repo.get_supplier(session, principal.supplier_id) if principal.supplier_id else None
    if supplier is None:
        raise SupplierNotFound()
    if supplier.status != OrgStatus.active:
        raise OutOfScope(SUPPLIER_INACTIVE)
    facility = await repo.get_facility(session, data.facility_id)
    if facility is None:
        raise FacilityNotFound()
    if facility.operator_id != supplier.operator_id:
        raise FacilityMismatch()
    await check_licence(session, supplier.id, data.function)
    service = Service(supplier_id=supplier.id, **data.model_dump())
    session.add(service)
    await session.flush()
    await record(session, principal, "create", "service", service.id, data.model_dump())
    await invalidate(session, CACHE_NAMESPACE)
    return service_view(service)


async def update_service(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID, data: ServiceUpdate
) -> ServiceStaffView:
    service = await service_row_for_supplier(session, principal, service_id)
    changes = data.model_dump(exclude_unset=True)
    low = changes.get("min_age_years", service.min_age_years)
    high = changes.get("max_age_years", service.max_age_years)
    if low is not None and high is not None and low > high:
        raise Unprocessable(AGE_BAND)
    await audited_update(session, principal, "service", service, changes, invalidates=(CACHE_NAMESPACE,))
    return service_view(service)


async def list_supplier_services(
    session: AsyncSession, principal: Principal, supplier_id: uuid.UUID
) -> list[ServiceStaffView]:
    """Every service of a supplier, whatever its status, for staff who may see the supplier."""
    supplier = await supplier_in_scope(session, principal, supplier_id)
    return [service_view(s) for s in await repo.list_services(session, supplier_id=supplier.id, public=False)]


# ---------------------------------------------------------------- disclosures and prices


async def publish_disclosure(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID, data: DisclosureCreate
) -> DisclosureVersion:
    service = await service_row_for_supplier(session, principal, service_id)
    if service.function == FunctionCode.health and not data.staff_qualifications:
        raise StaffQualificationsRequired()
    now = utcnow()
    version = await repo.next_version(session, ServiceDisclosure, service.id)
    disclosure = ServiceDisclosure(
        service_id=service.id,
        version=version,
        effective_at=now,
        created_by=principal.id,
        **data.model_dump(),
    )
    session.add(disclosure)
    await session.flush()
    await record(
        session,
        principal,
        "new_version",
        "service_disclosure",
        disclosure.id,
        {"service_id": service.id, "version": version, **data.model_dump()},
    )
    await _changed(session, service, now)
    return disclosure_version(disclosure)


def check_price(service_class: str, data: PriceCreate) -> None:
    """惠民价 needs the 第三方评估价 and may not be above it; inclusive services must publish one."""
    if data.inclusive_price_fen is not None:
        if data.assessed_price_fen is None:
            raise InvalidPrice(INCLUSIVE_NEEDS_ASSESSED)
        if data.inclusive_price_fen > data.assessed_price_fen:
            raise InvalidPrice(INCLUSIVE_ABOVE_ASSESSED)
    elif service_class == ServiceClass.inclusive:
        raise InvalidPrice(INCLUSIVE_CLASS_NEEDS_PRICE)


async def publish_price(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID, data: PriceCreate
) -> PriceVersion:
    """A new price version, in force from `effective_from` (default now; never in the past)."""
    service = await service_row_for_supplier(session, principal, service_id)
    check_price(service.service_class, data)
    now = utcnow()
    effective = _start(data.effective_from, now, InvalidPrice)
    previous = await repo.price_at(session, service.id, now)
    version = await repo.next_version(session, ServicePrice, service.id)
    price = ServicePrice(
        service_id=service.id,
        version=version,
        market_price_fen=data.market_price_fen,
        assessed_price_fen=data.assessed_price_fen,
        inclusive_price_fen=data.inclusive_price_fen,
        effective_from=effective,
        created_by=principal.id,
    )
    session.add(price)
    await session.flush()
    old = (
        price_version(previous).model_dump(
            include={"market_price_fen", "assessed_price_fen", "inclusive_price_fen"}
        )
        if previous
        else {}
    )
    new = data.model_dump(include={"market_price_fen", "assessed_price_fen", "inclusive_price_fen"})
    await record(
        session,
        principal,
        "new_version",
        "service_price",
        price.id,
        {"service_id": service.id, "version": version, "effective_from": effective, **diff(old, new)},
    )
    await _changed(session, service, now)
    return price_version(price)


# ---------------------------------------------------------------- subsidy rules


async def add_subsidy_rule(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID, data: SubsidyRuleCreate
) -> SubsidyRulePublic:
    service = await service_row_for_supplier(session, principal, service_id)
    now = utcnow()
    valid_from = _start(data.valid_from, now, InvalidSubsidyRule)
    if data.valid_until is not None and data.valid_until <= valid_from:
        raise InvalidSubsidyRule(EFFECTIVE_IN_PAST)
    rule = SubsidyRule(
        service_id=service.id,
        created_by=principal.id,
        **data.model_dump(exclude={"valid_from"}),
        valid_from=valid_from,
    )
    session.add(rule)
    await session.flush()
    await record(
        session, principal, "create", "subsidy_rule", rule.id, {"service_id": service.id, **data.model_dump()}
    )
    await _changed(session, service, now)
    return rule_public(rule)


async def end_subsidy_rule(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID, rule_id: uuid.UUID
) -> SubsidyRulePublic:
    """End a rule now (it stays in the history); ending an ended rule changes nothing."""
    service = await service_row_for_supplier(session, principal, service_id)
    rule = await repo.get_subsidy_rule(session, rule_id)
    if rule is None or rule.service_id != service.id:
        raise SubsidyRuleNotFound()
    now = utcnow()
    if rule.valid_until is None or rule.valid_until > now:
        before = rule.valid_until
        rule.valid_until = max(now, rule.valid_from)
        session.add(rule)
        await session.flush()
        await record(
            session,
            principal,
            "end",
            "subsidy_rule",
            rule.id,
            diff({"valid_until": before}, {"valid_until": rule.valid_until}),
        )
        await _changed(session, service, now)
    return rule_public(rule)


async def list_subsidy_rules(session: AsyncSession, service_id: uuid.UUID) -> list[SubsidyRulePublic]:
    """Every rule of a service, current, future and ended (public: the history is part of 公示)."""
    if await repo.get_service(session, service_id) is None:
        raise ServiceNotFound()
    return [rule_public(r) for r in await repo.subsidy_rule_history(session, service_id)]
