"""Public API shapes of the catalogue (what residents see). Staff inputs are in `schemas_staff.py`."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from backend.catalogue.models import BookingMode, FunctionCode, LicenceKind, ServiceClass, SubsidyPayer
from backend.core.clock import ShanghaiDateTime


class IdName(BaseModel):
    id: uuid.UUID
    name: str


class OperatorRef(IdName):
    grade: str | None = None


class OperatorPublic(OperatorRef):
    operating_model: str


class CommunityRef(IdName):
    street: IdName | None = None
    district: IdName | None = None


class ComplaintChannels(BaseModel):
    phone: str | None = None
    in_app: bool = True


class ComplaintFigures(BaseModel):
    """Filled by the complaints domain; empty figures until then."""

    count: int = 0
    resolved_rate: float | None = None
    median_response_hours: float | None = None


def _empty_levels() -> dict[str, int]:
    return {str(level): 0 for level in range(1, 6)}


class ReviewSummary(BaseModel):
    """Filled by the reviews domain; empty figures until then."""

    count: int = 0
    good_rate: float | None = None
    levels: dict[str, int] = Field(default_factory=_empty_levels)


class FacilityListItem(BaseModel):
    id: uuid.UUID
    name: str
    address: str
    community: IdName
    operator: OperatorRef
    functions: list[FunctionCode]
    satisfaction: float | None = None
    distance_m: int | None = None


class PriceFigures(BaseModel):
    market_price_fen: int | None = None
    assessed_price_fen: int | None = None
    inclusive_price_fen: int | None = None


class ServiceListItem(PriceFigures):
    id: uuid.UUID
    name: str
    function: FunctionCode
    service_class: ServiceClass
    booking_mode: BookingMode
    price_unit: str
    status: str
    facility: IdName
    supplier: IdName
    disclosure_updated_at: ShanghaiDateTime | None = None


class FacilityDetail(BaseModel):
    id: uuid.UUID
    name: str
    address: str
    lat: float
    lng: float
    phone: str | None
    opening_hours: str
    status: str
    community: CommunityRef
    operator: OperatorPublic
    functions: list[FunctionCode]
    services: list[ServiceListItem]
    complaint_channels: ComplaintChannels
    review_summary: ReviewSummary = Field(default_factory=ReviewSummary)
    complaint_figures: ComplaintFigures = Field(default_factory=ComplaintFigures)
    satisfaction: float | None = None


class LicencePublic(BaseModel):
    id: uuid.UUID
    kind: LicenceKind
    number: str
    issued_by: str | None
    valid_from: date
    valid_until: date | None


class SupplierPublic(IdName):
    phone: str | None = None
    status: str
    introduced_by: IdName
    licences: list[LicencePublic] = Field(default_factory=list)


class SupplierDetail(SupplierPublic):
    """GET /suppliers/{id}: the public record with the figures other domains add (catalogue.figures)."""

    review_summary: ReviewSummary = Field(default_factory=ReviewSummary)
    satisfaction: float | None = None
    complaint_figures: ComplaintFigures = Field(default_factory=ComplaintFigures)


class StaffQualification(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    role: str = Field(min_length=1, max_length=50)  # e.g. 康复治疗师, 护士
    qualification: str = Field(min_length=1, max_length=100)  # e.g. 康复医学治疗技术（士）
    certificate_no: str | None = Field(default=None, max_length=64)


class SubsidyRulePublic(BaseModel):
    id: uuid.UUID
    name: str
    payer: SubsidyPayer
    min_age_years: int | None
    max_age_years: int | None
    requires_dibao: bool
    requires_disability: bool
    amount_fen: int | None
    rate_bp: int | None
    valid_from: ShanghaiDateTime
    valid_until: ShanghaiDateTime | None


class ServiceDetail(PriceFigures):
    id: uuid.UUID
    name: str
    description: str
    function: FunctionCode
    service_class: ServiceClass
    booking_mode: BookingMode
    status: str
    price_unit: str
    min_age_years: int | None
    max_age_years: int | None
    cancel_cutoff_minutes: int
    order_cutoff_minutes: int | None
    requires_address: bool
    facility: IdName
    supplier: SupplierPublic
    price_version: int | None = None
    price_effective_from: ShanghaiDateTime | None = None
    disclosure_version: int | None = None
    service_items: list[str] = Field(default_factory=list)
    charging_standard: str | None = None
    rules: str | None = None
    workflow: str | None = None
    commitment: str | None = None
    complaint_channels: ComplaintChannels
    staff_qualifications: list[StaffQualification] = Field(default_factory=list)
    subsidies: list[SubsidyRulePublic] = Field(default_factory=list)
    disclosure_updated_at: ShanghaiDateTime | None = None
    review_summary: ReviewSummary = Field(default_factory=ReviewSummary)
    complaint_figures: ComplaintFigures = Field(default_factory=ComplaintFigures)


class DisclosureVersion(BaseModel):
    version: int
    service_items: list[str]
    charging_standard: str
    rules: str
    workflow: str
    commitment: str
    complaint_channels: ComplaintChannels
    staff_qualifications: list[StaffQualification]
    effective_at: ShanghaiDateTime


class PriceVersion(PriceFigures):
    version: int
    effective_from: ShanghaiDateTime


class QuotePublic(BaseModel):
    service_id: uuid.UUID
    total_fen: int
    subsidy_fen: int
    discount_fen: int
    community_fen: int
    payable_fen: int


class Places(BaseModel):
    """Districts with their streets and communities, for the community filter."""

    districts: list[DistrictPlaces]


class StreetPlaces(IdName):
    communities: list[IdName]


class DistrictPlaces(IdName):
    streets: list[StreetPlaces]


Places.model_rebuild()
