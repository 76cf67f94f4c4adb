"""Staff API shapes of the catalogue: what operators, suppliers and regulators send and see."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backend.catalogue.models import (
    BookingMode,
    ChangeRequestStatus,
    FacilityStatus,
    FunctionCode,
    LicenceKind,
    OperatingModel,
    OrgStatus,
    ServiceClass,
    SubsidyPayer,
)
from backend.catalogue.schemas import StaffQualification
from backend.core.clock import InRangeDate, InRangeDateTime, ShanghaiDateTime
from backend.core.patch import PatchBody
from backend.core.schemas import WriteSchema

# 统一社会信用代码: 18 characters from the GB 32100-2015 alphabet (no I, O, S, V, Z).
CREDIT_CODE = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
PHONE = r"^[0-9+\-() ]{5,30}$"


def _unique(values: list[Any]) -> list[Any]:
    if len(set(values)) != len(values):
        raise ValueError("duplicate values")
    return values


# ---------------------------------------------------------------- operators


class OperatorCreate(WriteSchema):
    name: str = Field(min_length=2, max_length=100)
    credit_code: str = Field(pattern=CREDIT_CODE)
    operating_model: OperatingModel
    district_id: uuid.UUID
    started_on: InRangeDate
    phone: str | None = Field(default=None, pattern=PHONE)


class OperatorUpdate(PatchBody):
    NULLABLE = frozenset({"phone"})

    name: str | None = Field(default=None, min_length=2, max_length=100)
    operating_model: OperatingModel | None = None
    phone: str | None = Field(default=None, pattern=PHONE)
    status: OrgStatus | None = None


class OperatorStaffView(BaseModel):
    id: uuid.UUID
    district_id: uuid.UUID
    name: str
    credit_code: str
    operating_model: OperatingModel
    status: OrgStatus
    grade: str | None
    started_on: InRangeDate
    phone: str | None


# ---------------------------------------------------------------- facilities


class Room(WriteSchema):
    """A room given to one function. Floor 1 is the ground floor; negative floors are underground."""

    function: FunctionCode
    floor: int = Field(ge=-5, le=100)
    area_m2: float = Field(gt=0, le=100_000)
    places: int = Field(default=0, ge=0, le=10_000)  # beds (elder care) or places (infant care)

    @field_validator("floor")
    @classmethod
    def _no_floor_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("floor 0 does not exist: use 1 for the ground floor, -1 for the first basement")
        return value


class _FacilityFields(WriteSchema):
    name: str = Field(min_length=2, max_length=100)
    address: str = Field(min_length=2, max_length=200)
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    phone: str | None = Field(default=None, pattern=PHONE)
    complaint_phone: str | None = Field(default=None, pattern=PHONE)
    opening_hours: str = Field(min_length=2, max_length=200)
    functions: list[FunctionCode] = Field(min_length=1, max_length=9)
    rooms: list[Room] = Field(default_factory=list, max_length=200)

    _unique_functions = field_validator("functions")(_unique)


class FacilityCreate(_FacilityFields):
    community_id: uuid.UUID
    operator_id: uuid.UUID


class FacilityUpdate(PatchBody):
    """Operator staff change the details; only regulators and admin change `operator_id` and `status`."""

    NULLABLE = frozenset({"phone", "complaint_phone"})

    name: str | None = Field(default=None, min_length=2, max_length=100)
    address: str | None = Field(default=None, min_length=2, max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    phone: str | None = Field(default=None, pattern=PHONE)
    complaint_phone: str | None = Field(default=None, pattern=PHONE)
    opening_hours: str | None = Field(default=None, min_length=2, max_length=200)
    functions: list[FunctionCode] | None = Field(default=None, min_length=1, max_length=9)
    rooms: list[Room] | None = Field(default=None, max_length=200)
    operator_id: uuid.UUID | None = None
    status: FacilityStatus | None = None

    @field_validator("functions")
    @classmethod
    def _unique_functions(cls, value: list[FunctionCode] | None) -> list[FunctionCode] | None:
        return None if value is None else _unique(value)


class FindingOut(BaseModel):
    rule: str
    status: str  # pass | fail | not_applicable
    severity: str  # required | advisory
    message: str
    values: dict[str, Any]
    source: str = ""  # the regulation (city, article) of the rule
    ruleset: dict[str, Any] | None = None  # {id, city_id, district_id, version, name} the rule came from


class FacilityFindings(BaseModel):
    facility_id: uuid.UUID
    facility_name: str
    operator_id: uuid.UUID
    community_id: uuid.UUID
    failing: int
    findings: list[FindingOut]


class FunctionChangeCreate(WriteSchema):
    functions: list[FunctionCode] = Field(min_length=1, max_length=9)
    reason: str = Field(default="", max_length=1000)

    @field_validator("functions")
    @classmethod
    def _unique_functions(cls, value: list[FunctionCode]) -> list[FunctionCode]:
        return _unique(value)


class FunctionChangeDecision(WriteSchema):
    approved: bool
    reason: str = Field(default="", max_length=1000)


class FunctionChangeView(BaseModel):
    """A request to change a facility's functions (Wuhan art. 11); applied only once approved."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    facility_id: uuid.UUID
    functions: list[FunctionCode]
    previous: list[FunctionCode]
    reason: str
    status: ChangeRequestStatus
    requested_by: uuid.UUID
    decided_by: uuid.UUID | None
    decided_at: ShanghaiDateTime | None
    decision_reason: str | None
    created_at: ShanghaiDateTime


class FacilityStaffView(BaseModel):
    id: uuid.UUID
    community_id: uuid.UUID
    operator_id: uuid.UUID
    name: str
    address: str
    lat: float
    lng: float
    phone: str | None
    complaint_phone: str | None
    opening_hours: str
    functions: list[FunctionCode]
    rooms: list[Room]
    status: FacilityStatus
    findings: list[FindingOut]
    pending_function_change: FunctionChangeView | None = Field(
        default=None,
        description="an operator's function change waiting for the street office (Wuhan art. 11)",
    )


# ---------------------------------------------------------------- suppliers


class SupplierCreate(WriteSchema):
    name: str = Field(min_length=2, max_length=100)
    credit_code: str = Field(pattern=CREDIT_CODE)
    phone: str | None = Field(default=None, pattern=PHONE)


class SupplierUpdate(PatchBody):
    NULLABLE = frozenset({"phone"})

    name: str | None = Field(default=None, min_length=2, max_length=100)
    phone: str | None = Field(default=None, pattern=PHONE)
    status: OrgStatus | None = None


class SupplierStaffView(BaseModel):
    id: uuid.UUID
    operator_id: uuid.UUID
    name: str
    credit_code: str
    phone: str | None
    status: OrgStatus


class LicenceCreate(WriteSchema):
    kind: LicenceKind
    number: str = Field(min_length=3, max_length=64)
    issued_by: str | None = Field(default=None, max_length=100)
    valid_from: InRangeDate
    valid_until: InRangeDate | None = None

    @model_validator(mode="after")
    def _dates(self) -> LicenceCreate:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


# ---------------------------------------------------------------- services and what they publish


def _age_band(low: int | None, high: int | None) -> None:
    if low is not None and high is not None and low > high:
        raise ValueError("min_age_years is above max_age_years")


class ServiceCreate(WriteSchema):
    facility_id: uuid.UUID
    function: FunctionCode
    service_class: ServiceClass
    booking_mode: BookingMode
    name: str = Field(min_length=2, max_length=100)
    description: str = Field(default="", max_length=2000)
    price_unit: str = Field(default="次", min_length=1, max_length=20)
    min_age_years: int | None = Field(default=None, ge=0, le=150)
    max_age_years: int | None = Field(default=None, ge=0, le=150)
    cancel_cutoff_minutes: int = Field(default=120, ge=0, le=60 * 24 * 30)
    order_cutoff_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 7)
    requires_address: bool = False

    @model_validator(mode="after")
    def _check(self) -> ServiceCreate:
        _age_band(self.min_age_years, self.max_age_years)
        return self


class ServiceUpdate(PatchBody):
    """Suspending or ending a service follows the 60-day notice of the bookings domain, not a field here."""

    NULLABLE = frozenset({"min_age_years", "max_age_years", "order_cutoff_minutes"})

    name: str | None = Field(default=None, min_length=2, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    booking_mode: BookingMode | None = None
    price_unit: str | None = Field(default=None, min_length=1, max_length=20)
    min_age_years: int | None = Field(default=None, ge=0, le=150)
    max_age_years: int | None = Field(default=None, ge=0, le=150)
    cancel_cutoff_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 30)
    order_cutoff_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 7)
    requires_address: bool | None = None


class ServiceStaffView(BaseModel):
    id: uuid.UUID
    facility_id: uuid.UUID
    supplier_id: uuid.UUID
    function: FunctionCode
    service_class: ServiceClass
    booking_mode: BookingMode
    name: str
    description: str
    price_unit: str
    min_age_years: int | None
    max_age_years: int | None
    cancel_cutoff_minutes: int
    order_cutoff_minutes: int | None
    requires_address: bool
    status: str
    disclosure_updated_at: ShanghaiDateTime | None


class DisclosureCreate(WriteSchema):
    service_items: list[str] = Field(min_length=1, max_length=50)
    charging_standard: str = Field(min_length=2, max_length=2000)
    rules: str = Field(min_length=2, max_length=4000)
    workflow: str = Field(min_length=2, max_length=2000)
    commitment: str = Field(min_length=2, max_length=2000)
    complaint_phone: str = Field(pattern=PHONE)
    complaint_in_app: bool = True
    staff_qualifications: list[StaffQualification] = Field(default_factory=list, max_length=100)

    @field_validator("service_items")
    @classmethod
    def _items(cls, value: list[str]) -> list[str]:
        items = [v.strip() for v in value]
        if any(not v or len(v) > 200 for v in items):
            raise ValueError("each service item is 1-200 characters")
        return items


class PriceCreate(WriteSchema):
    market_price_fen: int = Field(ge=0, le=100_000_000)
    assessed_price_fen: int | None = Field(default=None, ge=0, le=100_000_000)
    inclusive_price_fen: int | None = Field(default=None, ge=0, le=100_000_000)
    effective_from: InRangeDateTime | None = None  # default: now


class SubsidyRuleCreate(WriteSchema):
    name: str = Field(min_length=2, max_length=100)
    payer: SubsidyPayer
    min_age_years: int | None = Field(default=None, ge=0, le=150)
    max_age_years: int | None = Field(default=None, ge=0, le=150)
    requires_dibao: bool = False
    requires_disability: bool = False
    amount_fen: int | None = Field(default=None, gt=0, le=100_000_000)
    rate_bp: int | None = Field(default=None, gt=0, le=10_000)
    valid_from: InRangeDateTime | None = None  # default: now
    valid_until: InRangeDateTime | None = None

    @model_validator(mode="after")
    def _check(self) -> SubsidyRuleCreate:
        _age_band(self.min_age_years, self.max_age_years)
        if (self.amount_fen is None) == (self.rate_bp is None):
            raise ValueError("give exactly one of amount_fen and rate_bp")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self
