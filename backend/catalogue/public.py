"""What residents read: facilities, services, disclosures, prices, quotes. No caller checks: all public."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import repository as repo
from backend.catalogue.cursors import distance_cursor, name_cursor, next_name_cursor
from backend.catalogue.errors import FacilityNotFound, InvalidLocation, ServiceNotFound, SupplierNotFound
from backend.catalogue.models import Facility, Service, ServiceDisclosure, ServicePrice, SubsidyRule, Supplier
from backend.catalogue.pricing import BeneficiaryProfile, quote
from backend.catalogue.schemas import (
    CommunityRef,
    ComplaintChannels,
    DisclosureVersion,
    DistrictPlaces,
    FacilityDetail,
    FacilityListItem,
    IdName,
    LicencePublic,
    OperatorPublic,
    OperatorRef,
    Places,
    PriceVersion,
    QuotePublic,
    ServiceDetail,
    ServiceListItem,
    StaffQualification,
    StreetPlaces,
    SubsidyRulePublic,
    SupplierDetail,
    SupplierPublic,
)
from backend.core.clock import utcnow
from backend.core.pagination import Page, encode_cursor

# ---------------------------------------------------------------- facilities


async def _facility_items(
    session: AsyncSession, facilities: list[Facility], distances: dict[uuid.UUID, float]
) -> list[FacilityListItem]:
    operators = await repo.operators_by_id(session, {f.operator_id for f in facilities})
    communities = await repo.communities_by_id(session, {f.community_id for f in facilities})
    functions = await repo.facility_functions(session, [f.id for f in facilities])
    items = []
    for f in facilities:
        op, community = operators[f.operator_id], communities[f.community_id]
        distance = distances.get(f.id)
        items.append(
            FacilityListItem(
                id=f.id,
                name=f.name,
                address=f.address,
                community=IdName(id=community.id, name=community.name),
                operator=OperatorRef(id=op.id, name=op.name, grade=op.grade),
                functions=functions[f.id],  # type: ignore[arg-type]
                satisfaction=None,
                distance_m=None if distance is None else round(distance),
            )
        )
    return items


async def list_facilities(
    session: AsyncSession,
    *,
    community_id: uuid.UUID | None,
    function: str | None,
    lat: float | None,
    lng: float | None,
    cursor: str | None,
    limit: int,
) -> Page[FacilityListItem]:
    """Active facilities; nearest first with `distance_m` when `lat`/`lng` are given, else by name."""
    if (lat is None) != (lng is None):
        raise InvalidLocation()
    if lat is not None and lng is not None:
        rows = await repo.list_facilities_near(
            session,
            lat=lat,
            lng=lng,
            community_id=community_id,
            function=function,
            after=distance_cursor(cursor),
            limit=limit + 1,
        )
        page, more = rows[:limit], len(rows) > limit
        distances = {f.id: repo.haversine_m(lat, lng, f.lat, f.lng) for f, _ in page}
        items = await _facility_items(session, [f for f, _ in page], distances)
        next_cursor = encode_cursor({"d": page[-1][1], "id": str(page[-1][0].id)}) if more else None
        return Page(items=items, next_cursor=next_cursor)
    facilities = await repo.list_facilities_by_name(
        session, community_id=community_id, function=function, after=name_cursor(cursor), limit=limit + 1
    )
    items = await _facility_items(session, facilities[:limit], {})
    return Page(items=items, next_cursor=next_name_cursor(facilities, limit))


async def get_facility_detail(session: AsyncSession, facility_id: uuid.UUID) -> FacilityDetail:
    facility = await repo.get_facility(session, facility_id)
    if facility is None:
        raise FacilityNotFound()
    path = await repo.community_path(session, facility.community_id)
    operator = await repo.get_operator(session, facility.operator_id)
    assert path is not None and operator is not None
    community, street, district, _city = path
    functions = (await repo.facility_functions(session, [facility.id]))[facility.id]
    services = await repo.list_services(session, facility_id=facility.id)
    return FacilityDetail(
        id=facility.id,
        name=facility.name,
        address=facility.address,
        lat=facility.lat,
        lng=facility.lng,
        phone=facility.phone,
        opening_hours=facility.opening_hours,
        status=facility.status,
        community=CommunityRef(
            id=community.id,
            name=community.name,
            street=IdName(id=street.id, name=street.name),
            district=IdName(id=district.id, name=district.name),
        ),
        operator=OperatorPublic(
            id=operator.id, name=operator.name, grade=operator.grade, operating_model=operator.operating_model
        ),
        functions=functions,  # type: ignore[arg-type]
        services=await _service_items(session, services),
        complaint_channels=ComplaintChannels(phone=facility.complaint_phone or facility.phone, in_app=True),
    )


# ---------------------------------------------------------------- services


async def _service_items(session: AsyncSession, services: list[Service]) -> list[ServiceListItem]:
    facilities = await repo.facilities_by_id(session, {s.facility_id for s in services})
    suppliers = await repo.suppliers_by_id(session, {s.supplier_id for s in services})
    prices = await repo.prices_at(session, [s.id for s in services], utcnow())
    items = []
    for s in services:
        price = prices.get(s.id)
        items.append(
            ServiceListItem(
                id=s.id,
                name=s.name,
                function=s.function,  # type: ignore[arg-type]
                service_class=s.service_class,  # type: ignore[arg-type]
                booking_mode=s.booking_mode,  # type: ignore[arg-type]
                price_unit=s.price_unit,
                status=s.status,
                facility=IdName(id=s.facility_id, name=facilities[s.facility_id].name),
                supplier=IdName(id=s.supplier_id, name=suppliers[s.supplier_id].name),
                disclosure_updated_at=s.disclosure_updated_at,
                **_price_figures(price),
            )
        )
    return items


def _price_figures(price: ServicePrice | None) -> dict[str, int | None]:
    if price is None:
        return {}
    return {
        "market_price_fen": price.market_price_fen,
        "assessed_price_fen": price.assessed_price_fen,
        "inclusive_price_fen": price.inclusive_price_fen,
    }


async def list_services(
    session: AsyncSession,
    *,
    facility_id: uuid.UUID | None,
    function: str | None,
    cursor: str | None,
    limit: int,
) -> Page[ServiceListItem]:
    rows = await repo.list_services(
        session, facility_id=facility_id, function=function, after=name_cursor(cursor), limit=limit + 1
    )
    return Page(items=await _service_items(session, rows[:limit]), next_cursor=next_name_cursor(rows, limit))


async def supplier_public(session: AsyncSession, supplier: Supplier) -> SupplierPublic:
    operator = await repo.get_operator(session, supplier.operator_id)
    assert operator is not None
    licences = await repo.supplier_licences(session, supplier.id)
    return SupplierPublic(
        id=supplier.id,
        name=supplier.name,
        phone=supplier.phone,
        status=supplier.status,
        introduced_by=IdName(id=operator.id, name=operator.name),
        licences=[LicencePublic.model_validate(lic, from_attributes=True) for lic in licences],
    )


async def get_supplier(session: AsyncSession, supplier_id: uuid.UUID) -> SupplierDetail:
    supplier = await repo.get_supplier(session, supplier_id)
    if supplier is None:
        raise SupplierNotFound()
    return SupplierDetail.model_validate((await supplier_public(session, supplier)).model_dump())


def rule_public(rule: SubsidyRule) -> SubsidyRulePublic:
    return SubsidyRulePublic.model_validate(rule, from_attributes=True)


def disclosure_version(d: ServiceDisclosure) -> DisclosureVersion:
    return DisclosureVersion(
        version=d.version,
        service_items=d.service_items,
        charging_standard=d.charging_standard,
        rules=d.rules,
        workflow=d.workflow,
        commitment=d.commitment,
        complaint_channels=ComplaintChannels(phone=d.complaint_phone, in_app=d.complaint_in_app),
        staff_qualifications=[StaffQualification.model_validate(q) for q in d.staff_qualifications],
        effective_at=d.effective_at,
    )


def price_version(p: ServicePrice) -> PriceVersion:
    return PriceVersion(version=p.version, effective_from=p.effective_from, **_price_figures(p))


async def _service_or_404(session: AsyncSession, service_id: uuid.UUID) -> Service:
    service = await repo.get_service(session, service_id)
    if service is None:
        raise ServiceNotFound()
    return service


async def get_service_detail(session: AsyncSession, service_id: uuid.UUID) -> ServiceDetail:
    """One service with its current disclosure, the price and subsidy rules in force now."""
    service = await _service_or_404(session, service_id)
    facility = await repo.get_facility(session, service.facility_id)
    supplier = await repo.get_supplier(session, service.supplier_id)
    assert facility is not None and supplier is not None
    now = utcnow()
    price = await repo.price_at(session, service.id, now)
    disclosure = await repo.latest_disclosure(session, service.id)
    rules = await repo.subsidy_rules_at(session, service.id, now)
    published: dict[str, Any] = {}
    if disclosure is not None:
        shown = disclosure_version(disclosure)
        published = shown.model_dump(exclude={"version", "effective_at", "complaint_channels"})
        published["disclosure_version"] = disclosure.version
    channels = ComplaintChannels(
        phone=disclosure.complaint_phone if disclosure else (facility.complaint_phone or facility.phone),
        in_app=disclosure.complaint_in_app if disclosure else True,
    )
    return ServiceDetail(
        id=service.id,
        name=service.name,
        description=service.description,
        function=service.function,  # type: ignore[arg-type]
        service_class=service.service_class,  # type: ignore[arg-type]
        booking_mode=service.booking_mode,  # type: ignore[arg-type]
        status=service.status,
        price_unit=service.price_unit,
        min_age_years=service.min_age_years,
        max_age_years=service.max_age_years,
        cancel_cutoff_minutes=service.cancel_cutoff_minutes,
        order_cutoff_minutes=service.order_cutoff_minutes,
        requires_address=service.requires_address,
        facility=IdName(id=facility.id, name=facility.name),
        supplier=await supplier_public(session, supplier),
        price_version=price.version if price else None,
        price_effective_from=price.effective_from if price else None,
        complaint_channels=channels,
        subsidies=[rule_public(r) for r in rules],
        disclosure_updated_at=service.disclosure_updated_at,
        **_price_figures(price),
        **published,
    )


async def list_disclosures(session: AsyncSession, service_id: uuid.UUID) -> list[DisclosureVersion]:
    await _service_or_404(session, service_id)
    return [disclosure_version(d) for d in await repo.disclosure_history(session, service_id)]


async def list_prices(session: AsyncSession, service_id: uuid.UUID) -> list[PriceVersion]:
    await _service_or_404(session, service_id)
    return [price_version(p) for p in await repo.price_history(session, service_id)]


async def public_quote(
    session: AsyncSession, service_id: uuid.UUID, profile: BeneficiaryProfile
) -> QuotePublic:
    q = await quote(session, service_id, profile, utcnow())
    return QuotePublic(service_id=service_id, **q.model_dump())


async def places(session: AsyncSession) -> Places:
    districts, streets, communities = await repo.list_places(session)
    by_street: dict[uuid.UUID, list[IdName]] = {}
    for c in communities:
        by_street.setdefault(c.street_id, []).append(IdName(id=c.id, name=c.name))
    by_district: dict[uuid.UUID, list[StreetPlaces]] = {}
    for s in streets:
        by_district.setdefault(s.district_id, []).append(
            StreetPlaces(id=s.id, name=s.name, communities=by_street.get(s.id, []))
        )
    return Places(
        districts=[DistrictPlaces(id=d.id, name=d.name, streets=by_district.get(d.id, [])) for d in districts]
    )
