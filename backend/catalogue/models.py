"""Catalogue tables: places (city → district → street → community), operators, facilities, suppliers,
services, and the dated versions of what suppliers publish (disclosures, prices, subsidy rules).

Enumerations are stored as short strings (no native database enums), validated by the API schemas.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field

from backend.core.database import TableBase, UTCDateTime, utc_field

_CODE = sa.String(length=32)


class FunctionCode(StrEnum):
    """The nine service functions (九项功能)."""

    elder_care = "elder_care"  # 养老服务
    infant_care = "infant_care"  # 婴幼儿托育 (0–3)
    child_care = "child_care"  # 儿童托管
    meal_aid = "meal_aid"  # 社区助餐
    housekeeping = "housekeeping"  # 家政便民
    health = "health"  # 健康服务
    sport = "sport"  # 体育健身
    culture = "culture"  # 文化休闲
    children_play = "children_play"  # 儿童游憩


class ServiceClass(StrEnum):
    public = "public"  # 公共类
    inclusive = "inclusive"  # 普惠类
    commercial = "commercial"  # 商业类


class BookingMode(StrEnum):
    full_day = "full_day"  # 全日托
    half_day = "half_day"  # 半日托
    hourly = "hourly"  # 计时托
    temporary = "temporary"  # 临时托
    per_meal = "per_meal"  # 助餐，按餐预订
    home_visit = "home_visit"  # 上门服务
    session = "session"  # 按场次/课次


class OperatingModel(StrEnum):
    public_built_private_run = "public_built_private_run"  # 公建民营
    private_run_public_aid = "private_run_public_aid"  # 民办公助
    government_purchase = "government_purchase"  # 政府购买服务
    public_private_partnership = "public_private_partnership"  # 公民合作


class OrgStatus(StrEnum):
    """Status of operators and suppliers."""

    active = "active"
    suspended = "suspended"
    ended = "ended"


class FacilityStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    closed = "closed"


class ServiceStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    ended = "ended"


class LicenceKind(StrEnum):
    business_licence = "business_licence"  # 营业执照
    elder_care_filing = "elder_care_filing"  # 养老机构备案
    childcare_filing = "childcare_filing"  # 托育机构备案
    food_business = "food_business"  # 食品经营许可证
    medical_institution = "medical_institution"  # 医疗机构执业许可证
    housekeeping_credit = "housekeeping_credit"  # 家政服务信用备案
    other = "other"


class SubsidyPayer(StrEnum):
    """政府补、企业让、社区帮."""

    government = "government"
    supplier = "supplier"
    community = "community"


# ---------------------------------------------------------------- places


class City(TableBase, table=True):
    __tablename__ = "city"

    name: str = Field(max_length=50)
    adcode: str | None = Field(default=None, max_length=12, unique=True)


class District(TableBase, table=True):
    __tablename__ = "district"

    city_id: uuid.UUID = Field(foreign_key="city.id", index=True)
    name: str = Field(max_length=50)
    adcode: str | None = Field(default=None, max_length=12, unique=True)


class Street(TableBase, table=True):
    __tablename__ = "street"

    district_id: uuid.UUID = Field(foreign_key="district.id", index=True)
    name: str = Field(max_length=50)


class Community(TableBase, table=True):
    __tablename__ = "community"

    street_id: uuid.UUID = Field(foreign_key="street.id", index=True)
    name: str = Field(max_length=50)


# ---------------------------------------------------------------- organisations and facilities


class Operator(TableBase, table=True):
    """A third party that runs facilities for the street office; registered in one district."""

    __tablename__ = "operator"

    district_id: uuid.UUID = Field(foreign_key="district.id", index=True)
    name: str = Field(max_length=100)
    credit_code: str = Field(max_length=18, unique=True)  # 统一社会信用代码
    operating_model: str = Field(sa_type=_CODE)
    status: str = Field(default=OrgStatus.active, sa_type=_CODE)
    grade: str | None = Field(default=None, max_length=16)  # 1A..5A, written by the grading domain
    started_on: date
    phone: str | None = Field(default=None, max_length=30)


class Facility(TableBase, table=True):
    """A facility (often a 服务综合体) in one community, run by one operator.

    `rooms` is a list of `{function, floor, area_m2, places}` (floor < 0 is underground; `places` are
    beds for elder care and places for infant care); the configuration findings read it.
    """

    __tablename__ = "facility"

    community_id: uuid.UUID = Field(foreign_key="community.id", index=True)
    operator_id: uuid.UUID = Field(foreign_key="operator.id", index=True)
    name: str = Field(max_length=100)
    address: str = Field(max_length=200)
    lat: float
    lng: float
    phone: str | None = Field(default=None, max_length=30)
    complaint_phone: str | None = Field(default=None, max_length=30)
    opening_hours: str = Field(max_length=200)
    rooms: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=FacilityStatus.active, sa_type=_CODE, index=True)


class FacilityFunction(TableBase, table=True):
    """The functions a facility offers (one row each, so lists can filter by function in SQL)."""

    __tablename__ = "facility_function"
    __table_args__ = (sa.UniqueConstraint("facility_id", "function"),)

    facility_id: uuid.UUID = Field(foreign_key="facility.id", index=True)
    function: str = Field(sa_type=_CODE, index=True)


class Supplier(TableBase, table=True):
    """A licensed business brought in by an operator (`operator_id` is the introducing operator)."""

    __tablename__ = "supplier"

    operator_id: uuid.UUID = Field(foreign_key="operator.id", index=True)
    name: str = Field(max_length=100)
    credit_code: str = Field(max_length=18, unique=True)
    phone: str | None = Field(default=None, max_length=30)
    status: str = Field(default=OrgStatus.active, sa_type=_CODE)


class SupplierLicence(TableBase, table=True):
    __tablename__ = "supplier_licence"

    supplier_id: uuid.UUID = Field(foreign_key="supplier.id", index=True)
    kind: str = Field(sa_type=_CODE)
    number: str = Field(max_length=64)
    issued_by: str | None = Field(default=None, max_length=100)
    valid_from: date
    valid_until: date | None = None


# ---------------------------------------------------------------- services and what they publish


class Service(TableBase, table=True):
    """A bookable service of one supplier in one facility.

    `disclosure_updated_at` is when anything residents see about it (disclosure, price, subsidy rules)
    last changed.
    """

    __tablename__ = "service"
    __table_args__ = (
        sa.CheckConstraint("cancel_cutoff_minutes >= 0", name="cancel_cutoff"),
        sa.CheckConstraint(
            "min_age_years IS NULL OR max_age_years IS NULL OR min_age_years <= max_age_years",
            name="age_band",
        ),
    )

    facility_id: uuid.UUID = Field(foreign_key="facility.id", index=True)
    supplier_id: uuid.UUID = Field(foreign_key="supplier.id", index=True)
    function: str = Field(sa_type=_CODE, index=True)
    service_class: str = Field(sa_type=_CODE)
    booking_mode: str = Field(sa_type=_CODE)
    name: str = Field(max_length=100)
    description: str = Field(default="", max_length=2000)
    price_unit: str = Field(default="次", max_length=20)  # 次 / 天 / 餐 / 小时 / 月
    min_age_years: int | None = None
    max_age_years: int | None = None
    cancel_cutoff_minutes: int = 120
    order_cutoff_minutes: int | None = None
    requires_address: bool = False
    status: str = Field(default=ServiceStatus.active, sa_type=_CODE, index=True)
    disclosure_updated_at: datetime | None = utc_field(default=None)


class ServiceDisclosure(TableBase, table=True):
    """One dated version of a service's public disclosure (公示). Never updated; a change is a new row."""

    __tablename__ = "service_disclosure"
    __table_args__ = (sa.UniqueConstraint("service_id", "version"),)

    service_id: uuid.UUID = Field(foreign_key="service.id", index=True)
    version: int
    service_items: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    charging_standard: str = Field(max_length=2000)
    rules: str = Field(max_length=4000)
    workflow: str = Field(max_length=2000)
    commitment: str = Field(max_length=2000)
    complaint_phone: str = Field(max_length=30)
    complaint_in_app: bool = True
    # [{name, role, qualification, certificate_no}] for medical and rehabilitation staff
    staff_qualifications: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    effective_at: datetime = Field(sa_type=UTCDateTime)
    created_by: uuid.UUID | None = None


class ServicePrice(TableBase, table=True):
    """One dated price version; the one in force at `t` has the latest `effective_from <= t`."""

    __tablename__ = "service_price"
    __table_args__ = (
        sa.UniqueConstraint("service_id", "version"),
        sa.CheckConstraint("market_price_fen >= 0", name="market_price"),
        sa.CheckConstraint(
            "inclusive_price_fen IS NULL OR (assessed_price_fen IS NOT NULL"
            " AND inclusive_price_fen <= assessed_price_fen AND inclusive_price_fen >= 0)",
            name="inclusive_price",
        ),
    )

    service_id: uuid.UUID = Field(foreign_key="service.id", index=True)
    version: int
    market_price_fen: int
    assessed_price_fen: int | None = None  # 第三方评估价
    inclusive_price_fen: int | None = None  # 惠民价, never above the assessed price
    effective_from: datetime = Field(sa_type=UTCDateTime)
    created_by: uuid.UUID | None = None


class SubsidyRule(TableBase, table=True):
    """Who qualifies (age band, 低保, disability), how much (fixed fen or a share), and who pays.

    Rules are not edited in place: a change ends the old rule (`valid_until`) and starts a new one.
    """

    __tablename__ = "subsidy_rule"
    __table_args__ = (
        sa.CheckConstraint("(amount_fen IS NULL) <> (rate_bp IS NULL)", name="amount_or_rate"),
        sa.CheckConstraint("rate_bp IS NULL OR (rate_bp > 0 AND rate_bp <= 10000)", name="rate"),
        sa.CheckConstraint("amount_fen IS NULL OR amount_fen > 0", name="amount"),
    )

    service_id: uuid.UUID = Field(foreign_key="service.id", index=True)
    name: str = Field(max_length=100)
    payer: str = Field(sa_type=_CODE)
    min_age_years: int | None = None
    max_age_years: int | None = None
    requires_dibao: bool = False
    requires_disability: bool = False
    amount_fen: int | None = None
    rate_bp: int | None = None  # basis points of the total (10000 = all of it)
    valid_from: datetime = Field(sa_type=UTCDateTime)
    valid_until: datetime | None = utc_field(default=None)
    created_by: uuid.UUID | None = None


# ---------------------------------------------------------------- approvals


class ChangeRequestStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class FacilityFunctionChange(TableBase, table=True):
    """An operator's request to change a facility's functions (Wuhan art. 11): the facility changes only
    when the street office (a regulator over the facility) or an admin approves it."""

    __tablename__ = "facility_function_change"
    __table_args__ = (sa.Index("ix_facility_function_change_status", "status", "created_at"),)

    facility_id: uuid.UUID = Field(foreign_key="facility.id", index=True)
    functions: list[str] = Field(sa_column=Column(JSON, nullable=False))  # the requested set
    previous: list[str] = Field(sa_column=Column(JSON, nullable=False))  # the set when requested
    reason: str = Field(default="", max_length=1000)
    status: str = Field(default=ChangeRequestStatus.pending, sa_type=_CODE)
    requested_by: uuid.UUID
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = utc_field(default=None)
    decision_reason: str | None = Field(default=None, max_length=1000)
