"""HTTP routes of the catalogue domain: public reads (cached, with ETag) and staff writes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from backend.catalogue import figures, offer, orgs, public
from backend.catalogue.models import FunctionCode
from backend.catalogue.orgs import CACHE_NAMESPACE
from backend.catalogue.pricing import BeneficiaryProfile
from backend.catalogue.schemas import (
    DisclosureVersion,
    FacilityDetail,
    FacilityListItem,
    LicencePublic,
    Places,
    PriceVersion,
    QuotePublic,
    ServiceDetail,
    ServiceListItem,
    SubsidyRulePublic,
    SupplierDetail,
)
from backend.catalogue.schemas_staff import (
    DisclosureCreate,
    FacilityCreate,
    FacilityFindings,
    FacilityStaffView,
    FacilityUpdate,
    LicenceCreate,
    OperatorCreate,
    OperatorStaffView,
    OperatorUpdate,
    PriceCreate,
    ServiceCreate,
    ServiceStaffView,
    ServiceUpdate,
    SubsidyRuleCreate,
    SupplierCreate,
    SupplierStaffView,
    SupplierUpdate,
)
from backend.core.access import (
    PUBLIC,
    AnyStaff,
    OperatorOrOversight,
    OperatorStaff,
    Oversight,
    ServiceStaff,
    SupplierStaff,
)
from backend.core.database import SessionDep
from backend.core.http_cache import cached_json
from backend.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page

router = APIRouter(tags=["catalogue"])

NS = (CACHE_NAMESPACE,)
# Co-required: JSON Schema cannot tie two query parameters together, so the rule is in both descriptions.
_TOGETHER = "Give `lat` and `lng` together (one without the other is a 422 `invalid_location`)."
Lat = Annotated[float | None, Query(ge=-90, le=90, description=_TOGETHER)]
Lng = Annotated[float | None, Query(ge=-180, le=180, description=_TOGETHER)]


# ---------------------------------------------------------------- public reads (cached, ETag / 304)


@router.get("/places", response_model=Places, dependencies=[Depends(PUBLIC)])
async def list_places(request: Request, session: SessionDep) -> Response:
    """Districts, streets and communities, for the community filter."""
    return await cached_json(request, NS, lambda: public.places(session))


@router.get("/facilities", response_model=Page[FacilityListItem], dependencies=[Depends(PUBLIC)])
async def list_facilities(
    request: Request,
    session: SessionDep,
    community_id: uuid.UUID | None = None,
    function: FunctionCode | None = None,
    lat: Lat = None,
    lng: Lng = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """Facilities; nearest first with `distance_m` (metres) when `lat` and `lng` are given; `satisfaction`
    from the reviews domain (catalogue.figures)."""
    sources = figures.sources_of(request)

    async def build() -> Page[FacilityListItem]:
        page = await public.list_facilities(
            session,
            community_id=community_id,
            function=function,
            lat=lat,
            lng=lng,
            cursor=cursor,
            limit=limit,
        )
        page.items = await figures.fill(session, sources, "facilities", page.items)
        return page

    return await cached_json(request, NS + figures.namespaces(sources), build)


@router.get("/facilities/{facility_id}", response_model=FacilityDetail, dependencies=[Depends(PUBLIC)])
async def get_facility(facility_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """One facility with its services and the figures other domains add (catalogue.figures)."""
    sources = figures.sources_of(request)

    async def build() -> FacilityDetail:
        detail = await public.get_facility_detail(session, facility_id)
        return await figures.fill_one(session, sources, "facilities", detail)

    return await cached_json(request, NS + figures.namespaces(sources), build)


@router.get("/services", response_model=Page[ServiceListItem], dependencies=[Depends(PUBLIC)])
async def list_services(
    request: Request,
    session: SessionDep,
    facility_id: uuid.UUID | None = None,
    function: FunctionCode | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    return await cached_json(
        request,
        NS,
        lambda: public.list_services(
            session, facility_id=facility_id, function=function, cursor=cursor, limit=limit
        ),
    )


@router.get("/services/{service_id}", response_model=ServiceDetail, dependencies=[Depends(PUBLIC)])
async def get_service(service_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """One service with its current disclosure, prices and subsidy rules, and its review summary and
    complaint figures (catalogue.figures)."""
    sources = figures.sources_of(request)

    async def build() -> ServiceDetail:
        detail = await public.get_service_detail(session, service_id)
        return await figures.fill_one(session, sources, "services", detail)

    return await cached_json(request, NS + figures.namespaces(sources), build)


@router.get(
    "/services/{service_id}/disclosures",
    response_model=list[DisclosureVersion],
    dependencies=[Depends(PUBLIC)],
)
async def list_disclosures(service_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """Every published version of the disclosure, newest first."""
    return await cached_json(request, NS, lambda: public.list_disclosures(session, service_id))


@router.get(
    "/services/{service_id}/prices", response_model=list[PriceVersion], dependencies=[Depends(PUBLIC)]
)
async def list_prices(service_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """Every price version (including announced future ones), newest first."""
    return await cached_json(request, NS, lambda: public.list_prices(session, service_id))


@router.get(
    "/services/{service_id}/subsidy-rules",
    response_model=list[SubsidyRulePublic],
    dependencies=[Depends(PUBLIC)],
)
async def list_subsidy_rules(service_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    return await cached_json(request, NS, lambda: offer.list_subsidy_rules(session, service_id))


@router.get("/services/{service_id}/quote", response_model=QuotePublic, dependencies=[Depends(PUBLIC)])
async def quote_service(
    service_id: uuid.UUID,
    session: SessionDep,
    age_years: Annotated[int, Query(ge=0, le=150)],
    dibao: bool = False,
    disability: bool = False,
) -> QuotePublic:
    """What this beneficiary would pay now, split into subsidy, discount, community help and own payment."""
    profile = BeneficiaryProfile(age_years=age_years, dibao=dibao, disability=disability)
    return await public.public_quote(session, service_id, profile)


@router.get("/suppliers/{supplier_id}", response_model=SupplierDetail, dependencies=[Depends(PUBLIC)])
async def get_supplier(supplier_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """A supplier's public record: who introduced it, its licences, review summary and satisfaction."""
    sources = figures.sources_of(request)

    async def build() -> SupplierDetail:
        detail = await public.get_supplier(session, supplier_id)
        return await figures.fill_one(session, sources, "suppliers", detail)

    return await cached_json(request, NS + figures.namespaces(sources), build)


# ---------------------------------------------------------------- operators


@router.get("/operators", response_model=Page[OperatorStaffView])
async def list_operators(
    caller: OperatorOrOversight, session: SessionDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[OperatorStaffView]:
    return await orgs.list_operators(session, caller, cursor, limit)


@router.post("/operators", response_model=OperatorStaffView, status_code=201)
async def create_operator(body: OperatorCreate, caller: Oversight, session: SessionDep) -> OperatorStaffView:
    return await orgs.create_operator(session, caller, body)


@router.get("/operators/{operator_id}", response_model=OperatorStaffView)
async def get_operator(
    operator_id: uuid.UUID, caller: OperatorOrOversight, session: SessionDep
) -> OperatorStaffView:
    return await orgs.get_operator(session, caller, operator_id)


@router.patch("/operators/{operator_id}", response_model=OperatorStaffView)
async def update_operator(
    operator_id: uuid.UUID, body: OperatorUpdate, caller: Oversight, session: SessionDep
) -> OperatorStaffView:
    return await orgs.update_operator(session, caller, operator_id, body)


# ---------------------------------------------------------------- facilities and findings


@router.post("/facilities", response_model=FacilityStaffView, status_code=201)
async def create_facility(body: FacilityCreate, caller: Oversight, session: SessionDep) -> FacilityStaffView:
    """Regulators (in their region) and admin create a facility and assign it to an operator."""
    return await orgs.create_facility(session, caller, body)


@router.patch("/facilities/{facility_id}", response_model=FacilityStaffView)
async def update_facility(
    facility_id: uuid.UUID, body: FacilityUpdate, caller: OperatorOrOversight, session: SessionDep
) -> FacilityStaffView:
    return await orgs.update_facility(session, caller, facility_id, body)


@router.get("/facilities/{facility_id}/configuration", response_model=FacilityStaffView)
async def get_facility_configuration(
    facility_id: uuid.UUID, caller: OperatorOrOversight, session: SessionDep
) -> FacilityStaffView:
    """Rooms, functions and status as staff edit them, with the configuration findings."""
    return await orgs.get_facility(session, caller, facility_id)


@router.get("/facilities/{facility_id}/findings", response_model=FacilityFindings)
async def get_facility_findings(
    facility_id: uuid.UUID, caller: OperatorOrOversight, session: SessionDep
) -> FacilityFindings:
    return await orgs.facility_findings(session, caller, facility_id)


@router.get("/findings", response_model=Page[FacilityFindings])
async def list_findings(
    caller: OperatorOrOversight,
    session: SessionDep,
    only_failing: bool = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[FacilityFindings]:
    """Configuration findings of every facility in the caller's scope."""
    return await orgs.list_findings(session, caller, only_failing=only_failing, cursor=cursor, limit=limit)


# ---------------------------------------------------------------- suppliers


@router.get("/suppliers", response_model=Page[SupplierStaffView])
async def list_suppliers(
    caller: AnyStaff, session: SessionDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[SupplierStaffView]:
    return await orgs.list_suppliers(session, caller, cursor, limit)


@router.post("/suppliers", response_model=SupplierStaffView, status_code=201)
async def create_supplier(
    body: SupplierCreate, caller: OperatorStaff, session: SessionDep
) -> SupplierStaffView:
    """Operator staff introduce a supplier to their operator."""
    return await orgs.create_supplier(session, caller, body)


@router.patch("/suppliers/{supplier_id}", response_model=SupplierStaffView)
async def update_supplier(
    supplier_id: uuid.UUID, body: SupplierUpdate, caller: OperatorOrOversight, session: SessionDep
) -> SupplierStaffView:
    return await orgs.update_supplier(session, caller, supplier_id, body)


@router.post("/suppliers/{supplier_id}/licences", response_model=LicencePublic, status_code=201)
async def add_licence(
    supplier_id: uuid.UUID, body: LicenceCreate, caller: ServiceStaff, session: SessionDep
) -> LicencePublic:
    return await orgs.add_licence(session, caller, supplier_id, body)


@router.get("/suppliers/{supplier_id}/services", response_model=list[ServiceStaffView])
async def list_supplier_services(
    supplier_id: uuid.UUID, caller: AnyStaff, session: SessionDep
) -> list[ServiceStaffView]:
    """Every service of the supplier, whatever its status."""
    return await offer.list_supplier_services(session, caller, supplier_id)


# ---------------------------------------------------------------- services and what they publish


@router.post("/services", response_model=ServiceStaffView, status_code=201)
async def create_service(body: ServiceCreate, caller: SupplierStaff, session: SessionDep) -> ServiceStaffView:
    return await offer.create_service(session, caller, body)


@router.patch("/services/{service_id}", response_model=ServiceStaffView)
async def update_service(
    service_id: uuid.UUID, body: ServiceUpdate, caller: SupplierStaff, session: SessionDep
) -> ServiceStaffView:
    return await offer.update_service(session, caller, service_id, body)


@router.post("/services/{service_id}/disclosures", response_model=DisclosureVersion, status_code=201)
async def publish_disclosure(
    service_id: uuid.UUID, body: DisclosureCreate, caller: SupplierStaff, session: SessionDep
) -> DisclosureVersion:
    """Publish a new version of the disclosure; the previous ones stay in the history."""
    return await offer.publish_disclosure(session, caller, service_id, body)


@router.post("/services/{service_id}/prices", response_model=PriceVersion, status_code=201)
async def publish_price(
    service_id: uuid.UUID, body: PriceCreate, caller: SupplierStaff, session: SessionDep
) -> PriceVersion:
    """Publish a new price version (惠民价 ≤ 第三方评估价), in force from `effective_from` (default now)."""
    return await offer.publish_price(session, caller, service_id, body)


@router.post("/services/{service_id}/subsidy-rules", response_model=SubsidyRulePublic, status_code=201)
async def add_subsidy_rule(
    service_id: uuid.UUID, body: SubsidyRuleCreate, caller: SupplierStaff, session: SessionDep
) -> SubsidyRulePublic:
    return await offer.add_subsidy_rule(session, caller, service_id, body)


@router.post("/services/{service_id}/subsidy-rules/{rule_id}/end", response_model=SubsidyRulePublic)
async def end_subsidy_rule(
    service_id: uuid.UUID, rule_id: uuid.UUID, caller: SupplierStaff, session: SessionDep
) -> SubsidyRulePublic:
    """End a subsidy rule now; it stays in the history."""
    return await offer.end_subsidy_rule(session, caller, service_id, rule_id)
