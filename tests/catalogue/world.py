# ruff: noqa: E501  (test fixtures read better one row per line)
"""A small catalogue world for the tests, built through the ORM, and tokens for each kind of caller."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

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
)
from backend.core.access import Principal, RegionLevel, Role
from backend.core.clock import utcnow
from backend.core.security import create_access_token


def headers(principal: Principal, **extra: str) -> dict[str, str]:
    token, _ = create_access_token(principal.id, principal.claims())
    return {"Authorization": f"Bearer {token}", **extra}


def room(function: str, floor: int, area: float, places: int = 0) -> dict[str, Any]:
    return {"function": function, "floor": floor, "area_m2": area, "places": places}


@dataclass
class World:
    city: uuid.UUID
    district: uuid.UUID
    streets: dict[str, uuid.UUID]
    communities: dict[str, uuid.UUID]
    operators: dict[str, uuid.UUID]
    suppliers: dict[str, uuid.UUID]
    facilities: dict[str, uuid.UUID]
    services: dict[str, uuid.UUID] = field(default_factory=dict)

    def supplier_staff(self, name: str) -> Principal:
        return Principal(id=uuid.uuid4(), role=Role.supplier_staff, supplier_id=self.suppliers[name])

    def operator_staff(self, name: str) -> Principal:
        return Principal(id=uuid.uuid4(), role=Role.operator_staff, operator_id=self.operators[name])

    def regulator(self, level: RegionLevel, region_id: uuid.UUID) -> Principal:
        return Principal(id=uuid.uuid4(), role=Role.regulator, region_level=level, region_id=region_id)


async def build_world(session: AsyncSession, *, now: datetime | None = None) -> World:
    """Two streets (east, west), a community in each, two operators, three suppliers, three facilities:

    - "east" (east street, operator A): elder care + meal aid + culture, rules met;
    - "north" (east street, operator A): further from the centre, meal aid only (fails function rules);
    - "west" (west street, operator B): infant care + child care + children's play.
    Services: "meal" (east, supplier A1, inclusive, 1800/1500/1200 with subsidy rules), "day" (east,
    supplier A1, inclusive elder day care), "clean" (east, supplier A2, commercial), "infant" (west, B1).
    """
    now = now or utcnow()
    city = City(name="测试市")
    district = District(city_id=city.id, name="测试区")
    east = Street(district_id=district.id, name="东街道")
    west = Street(district_id=district.id, name="西街道")
    c_east = Community(street_id=east.id, name="东社区")
    c_west = Community(street_id=west.id, name="西社区")
    op_a = Operator(district_id=district.id, name="甲运营", credit_code="91420102MA4K90001X",
                    operating_model="public_built_private_run", started_on=date(2022, 1, 1))  # fmt: skip
    op_b = Operator(district_id=district.id, name="乙运营", credit_code="91420102MA4K90002X",
                    operating_model="government_purchase", started_on=date(2022, 1, 1))  # fmt: skip
    sup_a1 = Supplier(operator_id=op_a.id, name="甲一餐饮", credit_code="91420102MA4K90011X")
    sup_a2 = Supplier(operator_id=op_a.id, name="甲二家政", credit_code="91420102MA4K90012X")
    sup_b1 = Supplier(operator_id=op_b.id, name="乙一托育", credit_code="91420102MA4K90021X")
    f_east = Facility(community_id=c_east.id, operator_id=op_a.id, name="东综合体", address="东路 1 号",
                      lat=30.6000, lng=114.3000, phone="027-1000", opening_hours="每天 08:00-18:00",
                      rooms=[room("elder_care", 1, 350.0, 10), room("meal_aid", 1, 100.0)])  # fmt: skip
    f_north = Facility(community_id=c_east.id, operator_id=op_a.id, name="北食堂", address="北路 9 号",
                       lat=30.6500, lng=114.3000, opening_hours="每天 10:30-13:00", rooms=[])  # fmt: skip
    f_west = Facility(community_id=c_west.id, operator_id=op_b.id, name="西托育园", address="西路 2 号",
                      lat=30.6000, lng=114.2500, opening_hours="工作日 07:30-18:00",
                      rooms=[room("infant_care", 2, 270.0, 30), room("child_care", 3, 100.0)])  # fmt: skip
    for row in (city, district, east, west, c_east, c_west, op_a, op_b, sup_a1, sup_a2, sup_b1):
        session.add(row)
        await session.flush()
    session.add_all([f_east, f_north, f_west])
    await session.flush()
    for fac, functions in (
        (f_east, ["elder_care", "meal_aid", "culture"]),
        (f_north, ["meal_aid"]),
        (f_west, ["infant_care", "child_care", "children_play"]),
    ):
        for function in functions:
            session.add(FacilityFunction(facility_id=fac.id, function=function))
    world = World(
        city=city.id, district=district.id, streets={"east": east.id, "west": west.id},
        communities={"east": c_east.id, "west": c_west.id}, operators={"A": op_a.id, "B": op_b.id},
        suppliers={"A1": sup_a1.id, "A2": sup_a2.id, "B1": sup_b1.id},
        facilities={"east": f_east.id, "north": f_north.id, "west": f_west.id},
    )  # fmt: skip
    past = now - timedelta(days=1)
    specs = [
        ("meal", f_east, sup_a1, "meal_aid", "inclusive", "per_meal", "长者午餐", (1800, 1500, 1200)),
        ("day", f_east, sup_a1, "elder_care", "inclusive", "full_day", "日间照料", (12000, 10000, 8000)),
        ("clean", f_east, sup_a2, "housekeeping", "commercial", "home_visit", "上门保洁", (6000, None, None)),
        (
            "infant",
            f_west,
            sup_b1,
            "infant_care",
            "inclusive",
            "full_day",
            "全日托",
            (280000, 220000, 180000),
        ),
    ]
    for key, fac, sup, function, klass, mode, name, (market, assessed, inclusive) in specs:
        svc = Service(facility_id=fac.id, supplier_id=sup.id, function=function, service_class=klass,
                      booking_mode=mode, name=name, disclosure_updated_at=past)  # fmt: skip
        session.add(svc)
        await session.flush()
        world.services[key] = svc.id
        session.add(ServicePrice(service_id=svc.id, version=1, market_price_fen=market, assessed_price_fen=assessed,
                                 inclusive_price_fen=inclusive, effective_from=past))  # fmt: skip
        session.add(ServiceDisclosure(service_id=svc.id, version=1, service_items=["项目一"], charging_standard="见价格",
                                      rules="规则", workflow="流程", commitment="承诺", complaint_phone="027-12345",
                                      effective_at=past))  # fmt: skip
    meal = world.services["meal"]
    for name, payer, low, high, dibao, disability, amount, rate in [
        ("60–69", "government", 60, 69, False, False, 200, None),
        ("70–79", "government", 70, 79, False, False, 300, None),
        ("80+", "government", 80, None, False, False, 500, None),
        ("低保", "government", 60, None, True, False, 600, None),
        ("企业让利 80+", "supplier", 80, None, False, False, 100, None),
        ("社区帮扶 残疾", "community", 60, None, False, True, 200, None),
        ("已结束的规则", "government", 60, None, False, False, 1000, None),
    ]:
        session.add(SubsidyRule(service_id=meal, name=name, payer=payer, min_age_years=low, max_age_years=high,
                                requires_dibao=dibao, requires_disability=disability, amount_fen=amount, rate_bp=rate,
                                valid_from=past - timedelta(days=30),
                                valid_until=past if name == "已结束的规则" else None))  # fmt: skip
    await session.commit()
    return world
