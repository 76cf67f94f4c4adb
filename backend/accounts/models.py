"""Tables of the accounts domain: residents, their beneficiaries, staff accounts and refresh tokens.

Personal data (phone, names, WeChat session key) is stored with `EncryptedText`: encrypted at rest, plain
in Python. Phones are found by `phone_hash` (keyed HMAC), never by their value.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from backend.core.crypto import EncryptedText
from backend.core.database import TableBase, utc_field


class ResidentStatus(StrEnum):
    active = "active"
    blocked = "blocked"


class Relation(StrEnum):
    self = "self"
    parent = "parent"
    child = "child"
    spouse = "spouse"
    other = "other"


class Resident(TableBase, table=True):
    __tablename__ = "resident"
    __table_args__ = (sa.CheckConstraint("status IN ('active', 'blocked')", name="status"),)

    openid: str = Field(max_length=64, unique=True)
    unionid: str | None = Field(default=None, max_length=64, index=True)
    nickname: str | None = Field(default=None, max_length=32)
    phone: str | None = Field(default=None, sa_type=EncryptedText)
    phone_country_code: str | None = Field(default=None, max_length=8)
    phone_hash: str | None = Field(default=None, max_length=64, index=True)
    session_key: str | None = Field(default=None, sa_type=EncryptedText)
    status: str = Field(default=ResidentStatus.active.value, max_length=16)
    last_login_at: datetime | None = utc_field(default=None)
    # The community the resident says they live in: its street office records their 低保 / disability.
    community_id: uuid.UUID | None = Field(default=None, foreign_key="community.id", index=True)


class Beneficiary(TableBase, table=True):
    """A person served: the resident themself or a family member. Soft-deleted (`deleted_at`)."""

    __tablename__ = "beneficiary"
    __table_args__ = (
        sa.CheckConstraint("relation IN ('self', 'parent', 'child', 'spouse', 'other')", name="relation"),
        # At most one live `self` per resident.
        sa.Index(
            "uq_beneficiary_one_self",
            "resident_id",
            unique=True,
            postgresql_where=sa.text("relation = 'self' AND deleted_at IS NULL"),
            sqlite_where=sa.text("relation = 'self' AND deleted_at IS NULL"),
        ),
    )

    resident_id: uuid.UUID = Field(foreign_key="resident.id", index=True)
    name: str = Field(sa_type=EncryptedText)
    relation: str = Field(max_length=16)
    birth_date: date
    # Subsidy entitlements (低保, disability): recorded by regulators/admins only, never by the resident.
    dibao: bool = Field(default=False)
    disability: bool = Field(default=False)
    entitlements_verified_by: uuid.UUID | None = Field(default=None, foreign_key="staff_account.id")
    entitlements_verified_at: datetime | None = utc_field(default=None)
    deleted_at: datetime | None = utc_field(default=None)


class StaffAccount(TableBase, table=True):
    """A supplier, operator, regulator or admin account; its scope columns match its role."""

    __tablename__ = "staff_account"
    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('supplier_staff', 'operator_staff', 'regulator', 'admin')",
            name="role",
        ),
        sa.CheckConstraint(
            "(role = 'supplier_staff' AND supplier_id IS NOT NULL AND operator_id IS NULL"
            " AND region_level IS NULL)"
            " OR (role = 'operator_staff' AND operator_id IS NOT NULL AND supplier_id IS NULL"
            " AND region_level IS NULL)"
            " OR (role = 'regulator' AND supplier_id IS NULL AND operator_id IS NULL"
            " AND region_level IN ('street', 'district', 'city') AND region_id IS NOT NULL)"
            " OR (role = 'admin' AND supplier_id IS NULL AND operator_id IS NULL AND region_level IS NULL)",
            name="scope",
        ),
    )

    username: str = Field(max_length=64, unique=True)  # stored lower-case
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20)
    supplier_id: uuid.UUID | None = Field(default=None, foreign_key="supplier.id", index=True)
    operator_id: uuid.UUID | None = Field(default=None, foreign_key="operator.id", index=True)
    region_level: str | None = Field(default=None, max_length=10)
    region_id: uuid.UUID | None = Field(default=None)
    display_name: str = Field(max_length=64)
    # The staff member's own mobile, if given: a review by a resident with the same phone on this
    # supplier's or operator's services is flagged as not genuine (自评). Found by `phone_hash` only.
    phone: str | None = Field(default=None, sa_type=EncryptedText)
    phone_hash: str | None = Field(default=None, max_length=64, index=True)
    # The staff member's WeChat openid in the mini-program, bound with a wx.login code
    # (`POST /staff/me/wechat`): where their subscription messages (review tasks) go. Null: not bound.
    openid: str | None = Field(default=None, max_length=64, unique=True)
    active: bool = Field(default=True)
    # Bumped on password change and deactivation: access tokens carrying an older version stop working.
    token_version: int = Field(default=0)
    created_by: uuid.UUID | None = Field(default=None)
    password_changed_at: datetime | None = utc_field(default=None)
    last_login_at: datetime | None = utc_field(default=None)


class RefreshToken(TableBase, table=True):
    """An opaque refresh token, stored as its SHA-256. One family per sign-in; rotated on every use."""

    __tablename__ = "refresh_token"

    token_hash: str = Field(max_length=64, unique=True)
    family_id: uuid.UUID = Field(index=True)
    subject_id: uuid.UUID = Field(index=True)
    subject_kind: str = Field(max_length=10)  # resident | staff
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(default=None)
    revoked_at: datetime | None = utc_field(default=None)
