"""API shapes of the accounts domain. Write schemas forbid unknown fields (no mass assignment)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from backend.accounts.models import Relation
from backend.core.access import RegionLevel, Role
from backend.core.clock import BirthDate, ShanghaiDateTime, to_shanghai, utcnow
from backend.core.patch import PatchBody
from backend.core.schemas import WriteSchema

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


# ---------------------------------------------------------------- tokens


class WeChatLogin(WriteSchema):
    code: Code = Field(description="The code from `wx.login` (valid 5 minutes, once).")


class RefreshRequest(WriteSchema):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class TokenPairPublic(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Access token lifetime in seconds.")


class ResidentBrief(BaseModel):
    id: uuid.UUID
    nickname: str | None
    phone_masked: str | None


class WeChatLoginPublic(TokenPairPublic):
    resident: ResidentBrief


# ---------------------------------------------------------------- resident profile


class ResidentPublic(BaseModel):
    id: uuid.UUID
    nickname: str | None
    phone_masked: str | None = Field(description="e.g. 138****5678; the full number is never returned.")
    phone_bound: bool
    community_id: uuid.UUID | None = Field(
        default=None,
        description="The community the resident lives in (from GET /places); its street office, or a "
        "district or city regulator, records the family's 低保 / disability entitlements.",
    )
    created_at: ShanghaiDateTime


Nickname = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class ResidentUpdate(PatchBody):
    NULLABLE = frozenset({"community_id"})

    nickname: Nickname | None = None
    community_id: uuid.UUID | None = Field(
        default=None, description="The community the resident lives in (null clears it)."
    )


class PhoneBind(WriteSchema):
    code: Code = Field(description="The code from the getPhoneNumber button (not a login code).")


# ---------------------------------------------------------------- beneficiaries


def _not_future(v: date | None) -> date | None:
    if v is None:
        return v
    if v > to_shanghai(utcnow()).date() or v < date(1900, 1, 1):  # "today" where the residents live
        raise ValueError("birth_date must be between 1900-01-01 and today")
    return v


class BeneficiaryCreate(WriteSchema):
    name: Name
    relation: Relation
    birth_date: BirthDate

    _check_birth = field_validator("birth_date")(_not_future)


class BeneficiaryUpdate(PatchBody):
    name: Name | None = None
    relation: Relation | None = None
    birth_date: BirthDate | None = None

    _check_birth = field_validator("birth_date")(_not_future)


class BeneficiaryPublic(BaseModel):
    id: uuid.UUID
    name: str
    relation: Relation
    birth_date: date
    dibao: bool = Field(description="低保 entitlement, recorded by staff.")
    disability: bool = Field(description="Disability entitlement, recorded by staff.")


class EntitlementsUpdate(WriteSchema):
    dibao: bool | None = None
    disability: bool | None = None


class BeneficiaryStaffView(BaseModel):
    """What a regulator sees of a beneficiary: the name masked."""

    id: uuid.UUID
    name_masked: str
    relation: Relation
    birth_date: date
    dibao: bool
    disability: bool
    entitlements_verified_at: ShanghaiDateTime | None


class ResidentLookup(WriteSchema):
    phone: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 -]{5,20}$")]


class ResidentStaffView(BaseModel):
    id: uuid.UUID
    nickname: str | None
    phone_masked: str | None
    beneficiaries: list[BeneficiaryStaffView]


# ---------------------------------------------------------------- staff accounts

Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, max_length=128)]
Username = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$")
]


StaffRole = Literal[Role.supplier_staff, Role.operator_staff, Role.regulator, Role.admin]


class StaffCreate(WriteSchema):
    username: Username
    password: Password
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    role: StaffRole  # residents sign in with WeChat, never with a staff account
    supplier_id: uuid.UUID | None = None
    operator_id: uuid.UUID | None = None
    region_level: RegionLevel | None = None
    region_id: uuid.UUID | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^1[3-9]\d{9}$")] | None = Field(
        default=None, description="The staff member's mainland mobile (not shown; used against self-reviews)"
    )


class PasswordChange(WriteSchema):
    current_password: Password
    new_password: Password


class StaffPublic(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    supplier_id: uuid.UUID | None
    operator_id: uuid.UUID | None
    region_level: RegionLevel | None
    region_id: uuid.UUID | None
    active: bool
    wechat_bound: bool = Field(
        default=False, description="Bound their WeChat (`POST /staff/me/wechat`): review tasks reach them"
    )
    created_at: ShanghaiDateTime
    last_login_at: ShanghaiDateTime | None
