"""Demo accounts (development and test only; refused with APP_ENV=prod). Idempotent.

Every staff account's development password is `demo-password` (one shared password, never used in prod).

| username | role | scope |
|---|---|---|
| `admin` | admin | the platform |
| `regulator-city` | regulator | 武汉市 |
| `regulator-district` | regulator | 江岸区 |
| `regulator-street-1` | regulator | 后湖街道 |
| `regulator-street-2` | regulator | 二七街道 |
| `regulator-street-3` | regulator | 台北街道 |
| `regulator-street-4` | regulator | 塔子湖街道 |
| `operator-1` | operator staff | 江城颐康社区服务有限公司 |
| `operator-2` | operator staff | 武汉乐龄智慧养老服务有限公司 |
| `operator-3` | operator staff | 江岸区邻里家园社会工作服务中心 |
| `operator-4` | operator staff | 湖北童享托育服务有限公司 |
| `operator-5` | operator staff | 武汉楚邻社区发展有限公司 |
| `supplier-1` | supplier staff | 武汉康乐年华养老服务有限公司 |
| `supplier-2` | supplier staff | 江城味道社区餐饮管理有限公司 |
| `supplier-3` | supplier staff | 武汉邻家帮家政服务有限公司 |
| `supplier-4` | supplier staff | 乐龄康复护理服务有限公司 |
| `supplier-5` | supplier staff | 武汉乐龄长者食堂有限公司 |
| `supplier-6` | supplier staff | 江岸区阳光助残服务社 |
| `supplier-7` | supplier staff | 武汉书香文化传播有限公司 |
| `supplier-8` | supplier staff | 江岸区全民健身服务中心 |
| `supplier-9` | supplier staff | 童享宝贝托育中心（江岸）有限公司 |
| `supplier-10` | supplier staff | 武汉小书包课后托管服务有限公司 |
| `supplier-11` | supplier staff | 武汉楚邻助餐服务有限公司 |
| `supplier-12` | supplier staff | 楚邻社区卫生健康服务有限公司 |

The demo resident signs in through the development WeChat stand-in with the login code `dev-demo`
(openid `dev-openid-demo`); phone 13800138000 (shown as 138****8000); lives in 幸福社区 (后湖街道), so
`regulator-street-1` (and the district and city regulators) may record the family's entitlements, while
`regulator-street-2` (二七街道) may not; beneficiaries: 王秀英 (parent, born 1948, 低保 recorded) and 李小宝
(child, born 2024).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.models import Beneficiary, Resident, StaffAccount
from backend.accounts.staff import hash_password
from backend.catalogue import demo_data as cat
from backend.core.access import RegionLevel, Role
from backend.core.clock import utcnow
from backend.core.crypto import phone_lookup_hash
from backend.core.demo_ids import demo_id
from backend.core.settings import AppEnv, get_settings

DEMO_PASSWORD = "demo-password"  # noqa: S105 - development only; seed() refuses to run in prod
DEMO_RESIDENT_OPENID = "dev-openid-demo"
DEMO_RESIDENT_ID = demo_id("resident", DEMO_RESIDENT_OPENID)
DEMO_PHONE = "13800138000"
DEMO_PARENT_ID = demo_id("beneficiary", "王秀英")  # elderly parent, 低保
DEMO_CHILD_ID = demo_id("beneficiary", "李小宝")  # infant


def demo_staff() -> list[dict[str, object]]:
    """The demo staff accounts: username, role and scope."""
    rows: list[dict[str, object]] = [
        {"username": "admin", "role": Role.admin, "display_name": "平台管理员"},
        {
            "username": "regulator-city",
            "role": Role.regulator,
            "region_level": RegionLevel.city,
            "region_id": cat.CITY_ID,
            "display_name": f"{cat.CITY}发改委",
        },
        {
            "username": "regulator-district",
            "role": Role.regulator,
            "region_level": RegionLevel.district,
            "region_id": cat.DISTRICT_ID,
            "display_name": f"{cat.DISTRICT}发改局",
        },
    ]
    for i, (name, street_id) in enumerate(cat.STREET_IDS.items(), 1):
        rows.append(
            {
                "username": f"regulator-street-{i}",
                "role": Role.regulator,
                "region_level": RegionLevel.street,
                "region_id": street_id,
                "display_name": f"{name}办事处",
            }
        )
    for i, (name, operator_id) in enumerate(cat.OPERATOR_IDS.items(), 1):
        rows.append(
            {
                "username": f"operator-{i}",
                "role": Role.operator_staff,
                "operator_id": operator_id,
                "display_name": name,
            }
        )
    for i, (name, supplier_id) in enumerate(cat.SUPPLIER_IDS.items(), 1):
        rows.append(
            {
                "username": f"supplier-{i}",
                "role": Role.supplier_staff,
                "supplier_id": supplier_id,
                "display_name": name,
            }
        )
    return rows


async def seed(session: AsyncSession) -> None:
    if get_settings().app_env == AppEnv.prod:
        raise RuntimeError("demo accounts are for development only; refusing with APP_ENV=prod")
    password_hash: str | None = None
    for row in demo_staff():
        account_id = demo_id("staff_account", str(row["username"]))
        if await session.get(StaffAccount, account_id) is not None:
            continue
        if password_hash is None:
            password_hash = await asyncio.to_thread(hash_password, DEMO_PASSWORD)
        role = row["role"]
        level = row.get("region_level")
        assert isinstance(role, Role)
        session.add(
            StaffAccount(
                id=account_id,
                username=str(row["username"]),
                password_hash=password_hash,
                role=role.value,
                supplier_id=_uuid(row.get("supplier_id")),
                operator_id=_uuid(row.get("operator_id")),
                region_level=level.value if isinstance(level, RegionLevel) else None,
                region_id=_uuid(row.get("region_id")),
                display_name=str(row["display_name"]),
                password_changed_at=utcnow(),
            )
        )
    await session.flush()
    await _seed_resident(session)


def _uuid(value: object) -> uuid.UUID | None:
    return value if isinstance(value, uuid.UUID) else None


async def _seed_resident(session: AsyncSession) -> None:
    if await session.get(Resident, DEMO_RESIDENT_ID) is not None:
        return
    session.add(
        Resident(
            id=DEMO_RESIDENT_ID,
            openid=DEMO_RESIDENT_OPENID,
            nickname="李明",
            phone=DEMO_PHONE,
            phone_country_code="86",
            phone_hash=phone_lookup_hash(DEMO_PHONE, "86"),
            community_id=cat.COMMUNITY_IDS["幸福社区"],
        )
    )
    await session.flush()
    admin_id = demo_id("staff_account", "admin")
    session.add_all(
        [
            Beneficiary(
                id=DEMO_PARENT_ID,
                resident_id=DEMO_RESIDENT_ID,
                name="王秀英",
                relation="parent",
                birth_date=date(1948, 5, 2),
                dibao=True,
                entitlements_verified_by=admin_id,
                entitlements_verified_at=utcnow(),
            ),
            Beneficiary(
                id=DEMO_CHILD_ID,
                resident_id=DEMO_RESIDENT_ID,
                name="李小宝",
                relation="child",
                birth_date=date(2024, 9, 18),
            ),
        ]
    )
    await session.flush()
