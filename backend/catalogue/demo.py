# ruff: noqa: E501  (demo data tables read better one row per line)
"""Demo catalogue: `seed(session)` loads the city of `demo_data` idempotently (rows that exist are kept).

Services are made from a few kinds (日间照料, 助餐, 托育 …), each with its booking mode, price and subsidy
rules, so every function of the nine has a service with a disclosure, a price and (where the rules give
one) subsidies. Service ids are `demo_id("service", f"{facility}/{service name}")`.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.demo_data import (
    CITY,
    CITY_ID,
    COMMUNITY_IDS,
    DISTRICT,
    DISTRICT_ID,
    FACILITIES,
    FACILITY_IDS,
    OPERATOR_IDS,
    OPERATORS,
    STREET_IDS,
    STREETS,
    SUPPLIER_IDS,
    SUPPLIERS,
)
from backend.catalogue.models import (
    City,
    Community,
    District,
    Facility,
    FacilityFunction,
    Operator,
    Service,
    ServiceDisclosure,
    ServicePrice,
    Street,
    SubsidyRule,
    Supplier,
    SupplierLicence,
)
from backend.core.clock import utcnow
from backend.core.demo_ids import demo_id

NURSE = {"name": "王丽", "role": "护士", "qualification": "护士执业证书", "certificate_no": "202142010200123"}
THERAPIST = {
    "name": "陈晨",
    "role": "康复治疗师",
    "qualification": "康复医学治疗技术（师）",
    "certificate_no": "KF2019420102",
}
DOCTOR = {
    "name": "刘建国",
    "role": "全科医生",
    "qualification": "医师执业证书（全科）",
    "certificate_no": "110420102000456",
}

# kind -> function, class, booking mode, unit, (market, assessed, inclusive), extra service fields,
#         service items, subsidy rules [(name, payer, min_age, max_age, dibao, disability, amount, rate_bp)]
KINDS: dict[str, dict[str, Any]] = {
    "elder_day": {
        "function": "elder_care", "class": "inclusive", "mode": "full_day", "unit": "天",
        "prices": (12000, 10000, 8000), "extra": {"min_age_years": 60},
        "items": ["生活照料", "助浴助洁", "健康监测", "康复训练", "文娱活动", "午餐午休"],
        "staff": [NURSE],
        "rules": [
            ("80 周岁以上高龄补贴", "government", 80, None, False, False, 2000, None),
            ("低保老人日间照料补贴", "government", 60, None, True, False, None, 5000),
            ("企业让利：70 周岁以上", "supplier", 70, None, False, False, 500, None),
            ("社区帮扶：残疾老人", "community", 60, None, False, True, 1000, None),
        ],
    },
    "elder_half": {
        "function": "elder_care", "class": "inclusive", "mode": "half_day", "unit": "半天",
        "prices": (7000, 6000, 4500), "extra": {"min_age_years": 60},
        "items": ["生活照料", "健康监测", "文娱活动"], "staff": [NURSE],
        "rules": [("80 周岁以上高龄补贴", "government", 80, None, False, False, 1000, None)],
    },
    "meal": {
        "function": "meal_aid", "class": "inclusive", "mode": "per_meal", "unit": "餐",
        "prices": (1800, 1500, 1200), "extra": {"min_age_years": 60, "order_cutoff_minutes": 150},
        "items": ["两荤两素一汤", "低盐低糖餐可选", "堂食或自取"], "staff": [],
        "rules": [
            ("60–69 周岁助餐补贴", "government", 60, 69, False, False, 200, None),
            ("70–79 周岁助餐补贴", "government", 70, 79, False, False, 300, None),
            ("80 周岁以上助餐补贴", "government", 80, None, False, False, 500, None),
            ("低保老人助餐补贴", "government", 60, None, True, False, 600, None),
            ("企业让利：80 周岁以上", "supplier", 80, None, False, False, 100, None),
            ("社区帮扶：残疾老人", "community", 60, None, False, True, 200, None),
        ],
    },
    "housekeeping": {
        "function": "housekeeping", "class": "commercial", "mode": "home_visit", "unit": "小时",
        "prices": (6000, None, None), "extra": {"requires_address": True},
        "items": ["日常保洁", "家电清洗", "代购代办"], "staff": [],
        "rules": [("企业让利：70 周岁以上九折", "supplier", 70, None, False, False, None, 1000)],
    },
    "rehab": {
        "function": "health", "class": "inclusive", "mode": "session", "unit": "次",
        "prices": (8000, 6000, 4000), "extra": {},
        "items": ["康复评估", "运动疗法", "理疗"], "staff": [THERAPIST, DOCTOR],
        "rules": [
            ("残疾人康复补贴", "government", None, None, False, True, 2000, None),
            ("低保对象康复补贴", "government", None, None, True, False, 2000, None),
        ],
    },
    "checkup": {
        "function": "health", "class": "public", "mode": "session", "unit": "次",
        "prices": (0, None, None), "extra": {},
        "items": ["血压血糖测量", "慢病随访", "健康咨询"], "staff": [DOCTOR, NURSE], "rules": [],
    },
    "infant_full": {
        "function": "infant_care", "class": "inclusive", "mode": "full_day", "unit": "月",
        "prices": (280000, 220000, 180000), "extra": {"min_age_years": 0, "max_age_years": 3, "cancel_cutoff_minutes": 1440},
        "items": ["保育照护", "营养膳食", "早期发展活动"], "staff": [NURSE],
        "rules": [
            ("普惠托育补贴", "government", 0, 3, False, False, 40000, None),
            ("低保家庭托育补贴", "government", 0, 3, True, False, 60000, None),
        ],
    },
    "infant_half": {
        "function": "infant_care", "class": "inclusive", "mode": "half_day", "unit": "月",
        "prices": (160000, 130000, 100000), "extra": {"min_age_years": 0, "max_age_years": 3},
        "items": ["保育照护", "早期发展活动"], "staff": [NURSE],
        "rules": [("普惠托育补贴", "government", 0, 3, False, False, 20000, None)],
    },
    "infant_hourly": {
        "function": "infant_care", "class": "inclusive", "mode": "hourly", "unit": "小时",
        "prices": (5000, 4000, 3000), "extra": {"min_age_years": 0, "max_age_years": 3, "cancel_cutoff_minutes": 60},
        "items": ["计时照护"], "staff": [NURSE], "rules": [],
    },
    "infant_temp": {
        "function": "infant_care", "class": "inclusive", "mode": "temporary", "unit": "天",
        "prices": (15000, 12000, 10000), "extra": {"min_age_years": 0, "max_age_years": 3},
        "items": ["临时照护", "午餐午休"], "staff": [NURSE], "rules": [],
    },
    "after_school": {
        "function": "child_care", "class": "inclusive", "mode": "session", "unit": "天",
        "prices": (4000, 3000, 2500), "extra": {"min_age_years": 6, "max_age_years": 12},
        "items": ["放学接送", "作业辅导", "阅读活动"], "staff": [],
        "rules": [("社区帮扶：低保家庭儿童", "community", 6, 12, True, False, 1000, None)],
    },
    "sport": {
        "function": "sport", "class": "public", "mode": "session", "unit": "次",
        "prices": (0, None, None), "extra": {}, "items": ["乒乓球", "健身操", "太极拳"], "staff": [], "rules": [],
    },
    "culture": {
        "function": "culture", "class": "public", "mode": "session", "unit": "次",
        "prices": (0, None, None), "extra": {}, "items": ["书法", "合唱", "读书会"], "staff": [], "rules": [],
    },
    "play": {
        "function": "children_play", "class": "public", "mode": "session", "unit": "次",
        "prices": (0, None, None), "extra": {"max_age_years": 12}, "items": ["室内游乐", "亲子活动"],
        "staff": [], "rules": [],
    },
}  # fmt: skip

# (facility, supplier, kind, service name)
SERVICES: list[tuple[str, str, str, str]] = [
    (
        "后湖街道幸福社区嵌入式服务综合体",
        "武汉康乐年华养老服务有限公司",
        "elder_day",
        "老年人日间照料（全日托）",
    ),
    (
        "后湖街道幸福社区嵌入式服务综合体",
        "武汉康乐年华养老服务有限公司",
        "elder_half",
        "老年人日间照料（半日托）",
    ),
    ("后湖街道幸福社区嵌入式服务综合体", "江城味道社区餐饮管理有限公司", "meal", "长者午餐"),
    ("后湖街道幸福社区嵌入式服务综合体", "武汉邻家帮家政服务有限公司", "housekeeping", "上门保洁"),
    ("育才社区邻里中心", "武汉康乐年华养老服务有限公司", "elder_day", "老年人日间照料（全日托）"),
    ("育才社区邻里中心", "江城味道社区餐饮管理有限公司", "meal", "长者午餐"),
    ("育才社区邻里中心", "武汉邻家帮家政服务有限公司", "housekeeping", "家电清洗上门服务"),
    ("二七社区乐龄生活馆", "乐龄康复护理服务有限公司", "rehab", "社区康复理疗"),
    ("二七社区乐龄生活馆", "乐龄康复护理服务有限公司", "elder_day", "认知障碍长者日间照料"),
    ("二七社区乐龄生活馆", "武汉乐龄长者食堂有限公司", "meal", "乐龄长者午餐"),
    ("长江社区颐养服务中心", "乐龄康复护理服务有限公司", "elder_day", "老年人日间照料（全日托）"),
    ("长江社区颐养服务中心", "武汉乐龄长者食堂有限公司", "meal", "长者晚餐"),
    ("台北一路社区邻里驿站", "武汉书香文化传播有限公司", "after_school", "四点半课堂"),
    ("台北一路社区邻里驿站", "武汉书香文化传播有限公司", "culture", "社区书法班"),
    ("香港路社区文体服务中心", "江岸区全民健身服务中心", "sport", "乒乓球室开放"),
    ("香港路社区文体服务中心", "武汉书香文化传播有限公司", "culture", "社区合唱团"),
    ("香港路社区文体服务中心", "江岸区阳光助残服务社", "housekeeping", "助残助老上门服务"),
    ("塔子湖社区童享托育园", "童享宝贝托育中心（江岸）有限公司", "infant_full", "婴幼儿全日托"),
    ("塔子湖社区童享托育园", "童享宝贝托育中心（江岸）有限公司", "infant_half", "婴幼儿半日托"),
    ("塔子湖社区童享托育园", "童享宝贝托育中心（江岸）有限公司", "infant_hourly", "婴幼儿计时托"),
    ("塔子湖社区童享托育园", "童享宝贝托育中心（江岸）有限公司", "infant_temp", "婴幼儿临时托"),
    ("塔子湖社区童享托育园", "童享宝贝托育中心（江岸）有限公司", "play", "亲子游乐室"),
    ("塔子湖社区童享托育园", "武汉小书包课后托管服务有限公司", "after_school", "小学生课后托管"),
    ("新村社区一老一小服务中心", "童享宝贝托育中心（江岸）有限公司", "infant_full", "婴幼儿全日托"),
    ("新村社区一老一小服务中心", "武汉小书包课后托管服务有限公司", "after_school", "小学生课后托管"),
    ("幸福社区楚邻长者食堂", "武汉楚邻助餐服务有限公司", "meal", "长者午餐"),
    ("幸福社区楚邻长者食堂", "楚邻社区卫生健康服务有限公司", "checkup", "健康小屋慢病随访"),
    ("长江社区楚邻健康驿站", "楚邻社区卫生健康服务有限公司", "rehab", "中医康复理疗"),
    ("长江社区楚邻健康驿站", "楚邻社区卫生健康服务有限公司", "checkup", "家庭医生签约咨询"),
]


def service_id(facility: str, name: str) -> uuid.UUID:
    return demo_id("service", f"{facility}/{name}")


async def _ensure(session: AsyncSession, model: type[SQLModel], row_id: uuid.UUID, **fields: Any) -> bool:
    """Add the row unless it exists; True when added."""
    if await session.get(model, row_id) is not None:
        return False
    session.add(model(id=row_id, **fields))
    await session.flush()
    return True


def _charging(kind: dict[str, Any], unit: str) -> str:
    market, assessed, inclusive = kind["prices"]
    if market == 0:
        return "公益服务，免费"
    text = f"市场价 {market / 100:.2f} 元/{unit}"
    if inclusive is not None:
        text += f"；第三方评估价 {assessed / 100:.2f} 元/{unit}；惠民价 {inclusive / 100:.2f} 元/{unit}"
    return text + "。符合条件的对象按补贴规则减免。"


async def _seed_service(
    session: AsyncSession, facility: str, supplier: str, kind_name: str, name: str
) -> None:
    kind = KINDS[kind_name]
    sid = service_id(facility, name)
    now = utcnow()
    added = await _ensure(
        session, Service, sid,
        facility_id=FACILITY_IDS[facility], supplier_id=SUPPLIER_IDS[supplier], function=kind["function"],
        service_class=kind["class"], booking_mode=kind["mode"], name=name, price_unit=kind["unit"],
        description=f"{name}，由{supplier}在{facility}提供。", disclosure_updated_at=now, **kind["extra"],
    )  # fmt: skip
    if not added:
        return
    phone = str(FACILITIES[facility]["phone"])
    await _ensure(
        session, ServiceDisclosure, demo_id("disclosure", f"{facility}/{name}/1"),
        service_id=sid, version=1, service_items=kind["items"], charging_standard=_charging(kind, kind["unit"]),
        rules="请提前预约并按时到达；如需取消请在截止时间前操作；服务期间请遵守设施管理规定。",
        workflow="线上预约 → 到店核验 → 接受服务 → 服务评价",
        commitment="明码标价、公开透明；服务不满意可投诉，1 个工作日内回访，15 个工作日内整改到位。",
        complaint_phone=phone, complaint_in_app=True, staff_qualifications=kind["staff"], effective_at=now,
    )  # fmt: skip
    market, assessed, inclusive = kind["prices"]
    await _ensure(
        session, ServicePrice, demo_id("price", f"{facility}/{name}/1"),
        service_id=sid, version=1, market_price_fen=market, assessed_price_fen=assessed,
        inclusive_price_fen=inclusive, effective_from=now,
    )  # fmt: skip
    for rule_name, payer, low, high, dibao, disability, amount, rate in kind["rules"]:
        await _ensure(
            session, SubsidyRule, demo_id("subsidy_rule", f"{facility}/{name}/{rule_name}"),
            service_id=sid, name=rule_name, payer=payer, min_age_years=low, max_age_years=high,
            requires_dibao=dibao, requires_disability=disability, amount_fen=amount, rate_bp=rate, valid_from=now,
        )  # fmt: skip


async def seed(session: AsyncSession) -> None:
    await _ensure(session, City, CITY_ID, name=CITY, adcode="420100")
    await _ensure(session, District, DISTRICT_ID, city_id=CITY_ID, name=DISTRICT, adcode="420102")
    for street, communities in STREETS.items():
        await _ensure(session, Street, STREET_IDS[street], district_id=DISTRICT_ID, name=street)
        for community in communities:
            await _ensure(
                session, Community, COMMUNITY_IDS[community], street_id=STREET_IDS[street], name=community
            )
    for name, (model, code, started) in OPERATORS.items():
        await _ensure(
            session, Operator, OPERATOR_IDS[name], district_id=DISTRICT_ID, name=name, credit_code=code,
            operating_model=model, started_on=date.fromisoformat(started), phone="027-8288" + code[-4:-1],
        )  # fmt: skip
    for name, (operator, code, licences) in SUPPLIERS.items():
        await _ensure(
            session, Supplier, SUPPLIER_IDS[name], operator_id=OPERATOR_IDS[operator], name=name,
            credit_code=code, phone="027-8599" + code[-4:-1],
        )  # fmt: skip
        for kind, number in licences:
            await _ensure(
                session, SupplierLicence, demo_id("licence", number), supplier_id=SUPPLIER_IDS[name], kind=kind,
                number=number, issued_by="武汉市江岸区行政审批局", valid_from=date(2023, 1, 1),
                valid_until=date(2028, 12, 31),
            )  # fmt: skip
    for name, f in FACILITIES.items():
        added = await _ensure(
            session, Facility, FACILITY_IDS[name], community_id=COMMUNITY_IDS[str(f["community"])],
            operator_id=OPERATOR_IDS[str(f["operator"])], name=name, address=f["address"], lat=f["lat"],
            lng=f["lng"], phone=f["phone"], complaint_phone="12345", opening_hours=f["hours"], rooms=f["rooms"],
        )  # fmt: skip
        if added:
            for function in f["functions"]:  # type: ignore[attr-defined]
                session.add(FacilityFunction(facility_id=FACILITY_IDS[name], function=function))
            await session.flush()
    for facility, supplier, kind_name, name in SERVICES:
        await _seed_service(session, facility, supplier, kind_name, name)
