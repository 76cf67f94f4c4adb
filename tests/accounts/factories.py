"""Rows and tokens the accounts tests arrange: places, organisations, staff accounts, residents."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.models import Beneficiary, Resident, StaffAccount
from backend.accounts.staff import hash_password
from backend.catalogue.models import City, Community, District, Operator, Street, Supplier
from backend.core.access import Principal, RegionLevel, Role
from backend.core.security import create_access_token

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    city: City
    district: District
    other_district: District
    street: Street
    operator: Operator
    other_operator: Operator  # registered in another district
    supplier: Supplier  # introduced by `operator`
    other_supplier: Supplier  # introduced by `other_operator`
    community: Community  # in `street`


@lru_cache(maxsize=8)
def _hash(password: str) -> str:
    return hash_password(password)


def _credit() -> str:
    return secrets.token_hex(9).upper()


async def make_world(session: AsyncSession) -> World:
    city = City(name="江城市")
    session.add(city)
    await session.flush()
    district = District(city_id=city.id, name="东湖区")
    other_district = District(city_id=city.id, name="西岭区")
    session.add_all([district, other_district])
    await session.flush()
    street = Street(district_id=district.id, name="水果湖街道")
    session.add(street)
    await session.flush()
    community = Community(street_id=street.id, name="水果湖社区")
    session.add(community)
    await session.flush()
    operators = [
        Operator(
            district_id=d.id,
            name=name,
            credit_code=_credit(),
            operating_model="public_built_private_run",
            started_on=date(2024, 1, 1),
        )
        for d, name in ((district, "颐康运营"), (other_district, "西岭运营"))
    ]
    session.add_all(operators)
    await session.flush()
    suppliers = [
        Supplier(operator_id=op.id, name=name, credit_code=_credit())
        for op, name in ((operators[0], "安心家政"), (operators[1], "西岭助餐"))
    ]
    session.add_all(suppliers)
    await session.flush()
    world = World(
        city,
        district,
        other_district,
        street,
        operators[0],
        operators[1],
        suppliers[0],
        suppliers[1],
        community,
    )
    await session.commit()
    return world


async def make_staff(
    session: AsyncSession,
    role: Role,
    *,
    username: str | None = None,
    password: str = PASSWORD,
    supplier_id: uuid.UUID | None = None,
    operator_id: uuid.UUID | None = None,
    region_level: RegionLevel | None = None,
    region_id: uuid.UUID | None = None,
    active: bool = True,
) -> StaffAccount:
    account = StaffAccount(
        username=username or f"{role.value.replace('_', '-')}-{secrets.token_hex(3)}",
        password_hash=_hash(password),
        role=role.value,
        supplier_id=supplier_id,
        operator_id=operator_id,
        region_level=region_level.value if region_level else None,
        region_id=region_id,
        display_name="测试账号",
        active=active,
    )
    session.add(account)
    await session.commit()
    return account


async def make_resident(
    session: AsyncSession, *, phone: str | None = None, community_id: uuid.UUID | None = None
) -> Resident:
    from backend.core.crypto import phone_lookup_hash

    resident = Resident(openid="openid-" + secrets.token_hex(6), community_id=community_id)
    if phone:
        resident.phone, resident.phone_country_code = phone, "86"
        resident.phone_hash = phone_lookup_hash(phone, "86")
    session.add(resident)
    await session.commit()
    return resident


async def make_beneficiary(
    session: AsyncSession, resident: Resident, *, name: str = "王秀英", relation: str = "parent"
) -> Beneficiary:
    b = Beneficiary(resident_id=resident.id, name=name, relation=relation, birth_date=date(1950, 3, 1))
    session.add(b)
    await session.commit()
    return b


def principal_of(account: StaffAccount) -> Principal:
    from backend.accounts.tokens import staff_principal

    return staff_principal(account)


def bearer(principal: Principal, **extra: object) -> dict[str, str]:
    token, _ = create_access_token(principal.id, {**principal.claims(), **extra})
    return {"Authorization": f"Bearer {token}"}


def resident_headers(resident: Resident) -> dict[str, str]:
    return bearer(Principal(id=resident.id, role=Role.resident))
