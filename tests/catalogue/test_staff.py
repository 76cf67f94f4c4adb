"""Staff writes: versions, validation, scope (who may touch what) and the audit trail."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.models import AuditEntry
from backend.catalogue.errors import ServiceNotFound
from backend.catalogue.models import Service, ServicePrice
from backend.catalogue.queries import resolve_scope
from backend.catalogue.service import BeneficiaryProfile, quote
from backend.catalogue.service import get_service_for_supplier as get_for_supplier
from backend.core.access import Principal, RegionLevel, Role
from backend.core.clock import utcnow
from tests.catalogue.world import build_world, headers, room

DISCLOSURE = {
    "service_items": ["午餐", "送餐上门"],
    "charging_standard": "惠民价 12 元/餐",
    "rules": "提前一天预订",
    "workflow": "预订 → 取餐",
    "commitment": "食材新鲜",
    "complaint_phone": "027-88886666",
}


async def _audit(session: AsyncSession, entity: str) -> list[AuditEntry]:
    rows = await session.exec(
        select(AuditEntry).where(AuditEntry.entity == entity).order_by(col(AuditEntry.created_at))
    )
    return list(rows)


async def test_price_change_is_a_new_version_with_new_disclosure_time(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    w = await build_world(session)
    url = f"/services/{w.services['meal']}"
    before = (await client.get(url)).json()
    staff = w.supplier_staff("A1")
    r = await client.post(
        f"{url}/prices",
        json={"market_price_fen": 2000, "assessed_price_fen": 1600, "inclusive_price_fen": 1400},
        headers=headers(staff),
    )
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 2 and r.json()["effective_from"].endswith("+08:00")
    after = (await client.get(url)).json()
    assert after["inclusive_price_fen"] == 1400 and after["price_version"] == 2
    assert after["disclosure_updated_at"] > before["disclosure_updated_at"]
    history = (await client.get(f"{url}/prices")).json()
    assert [(p["version"], p["inclusive_price_fen"]) for p in history] == [(2, 1400), (1, 1200)]
    # quotes follow the price in force at the time asked
    profile = BeneficiaryProfile(age_years=70)
    assert (await quote(session, w.services["meal"], profile, utcnow())).total_fen == 1400
    assert (
        await quote(session, w.services["meal"], profile, utcnow() - timedelta(hours=2))
    ).total_fen == 1200
    (entry,) = await _audit(session, "service_price")
    assert (
        entry.actor_id == staff.id and entry.actor_role == "supplier_staff" and entry.action == "new_version"
    )
    assert entry.changes["inclusive_price_fen"] == {"from": 1200, "to": 1400}


async def test_price_rules_are_422(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await build_world(session)
    h = headers(w.supplier_staff("A1"))
    url = f"/services/{w.services['meal']}/prices"
    cases = [
        {"market_price_fen": 2000, "assessed_price_fen": 1500, "inclusive_price_fen": 1501},  # above assessed
        {"market_price_fen": 2000, "inclusive_price_fen": 1000},  # no assessed price
        {"market_price_fen": 2000, "assessed_price_fen": 1500},  # inclusive service without 惠民价
        {"market_price_fen": 2000, "assessed_price_fen": 1500, "inclusive_price_fen": 1200,
         "effective_from": (utcnow() - timedelta(days=1)).isoformat()},  # in the past
    ]  # fmt: skip
    for body in cases:
        r = await client.post(url, json=body, headers=h)
        assert r.status_code == 422 and r.json()["code"] == "invalid_price", body
    r = await client.post(url, json=cases[0], headers={**h, "Accept-Language": "en"})
    assert r.json()["detail"] == "The inclusive price may not be above the assessed price"
    r = await client.post(url, json={"market_price_fen": -1}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    ok = {
        "market_price_fen": 2000,
        "assessed_price_fen": 1500,
        "inclusive_price_fen": 1500,
    }  # equal is allowed
    assert (await client.post(url, json=ok, headers=h)).status_code == 201
    assert len((await session.exec(select(ServicePrice))).all()) == 5  # 4 seeded + 1


async def test_disclosure_versions_keep_history(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await build_world(session)
    url = f"/services/{w.services['meal']}"
    h = headers(w.supplier_staff("A1"))
    r = await client.post(f"{url}/disclosures", json=DISCLOSURE, headers=h)
    assert r.status_code == 201 and r.json()["version"] == 2
    detail = (await client.get(url)).json()
    assert detail["disclosure_version"] == 2 and detail["service_items"] == ["午餐", "送餐上门"]
    assert detail["complaint_channels"] == {"phone": "027-88886666", "in_app": True}
    assert [d["version"] for d in (await client.get(f"{url}/disclosures")).json()] == [2, 1]
    assert len(await _audit(session, "service_disclosure")) == 1
    r = await client.post(f"{url}/disclosures", json={**DISCLOSURE, "service_items": []}, headers=h)
    assert r.status_code == 422


async def test_subsidy_rules_add_end_and_validate(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await build_world(session)
    url = f"/services/{w.services['clean']}"
    h = headers(w.supplier_staff("A2"))
    r = await client.post(
        f"{url}/subsidy-rules",
        json={"name": "七十岁以上九折", "payer": "supplier", "min_age_years": 70, "rate_bp": 1000},
        headers=h,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    q = (await client.get(f"{url}/quote", params={"age_years": 75})).json()
    assert (q["discount_fen"], q["payable_fen"]) == (600, 5400)
    rule_id = r.json()["id"]
    r = await client.post(f"{url}/subsidy-rules/{rule_id}/end", headers=h)
    assert r.status_code == 200 and r.json()["valid_until"] is not None
    assert (await client.get(f"{url}/quote", params={"age_years": 75})).json()["payable_fen"] == 6000
    assert len((await client.get(f"{url}/subsidy-rules")).json()) == 1  # kept in the history
    for bad in (
        {"name": "两者都给", "payer": "government", "amount_fen": 100, "rate_bp": 100},
        {"name": "都不给", "payer": "government"},
        {
            "name": "年龄倒置",
            "payer": "government",
            "amount_fen": 100,
            "min_age_years": 80,
            "max_age_years": 60,
        },
        {"name": "谁付", "payer": "nobody", "amount_fen": 100},
    ):
        assert (await client.post(f"{url}/subsidy-rules", json=bad, headers=h)).status_code == 422, bad
    assert [e.action for e in await _audit(session, "subsidy_rule")] == ["create", "end"]


async def test_supplier_staff_cannot_touch_another_suppliers_service(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    w = await build_world(session)
    other = headers(w.supplier_staff("A2"))
    url = f"/services/{w.services['meal']}"
    price = {"market_price_fen": 1, "assessed_price_fen": 1, "inclusive_price_fen": 1}
    for method, path, body in [
        ("POST", f"{url}/prices", price),
        ("POST", f"{url}/disclosures", DISCLOSURE),
        ("PATCH", url, {"name": "改名"}),
        ("POST", f"{url}/subsidy-rules", {"name": "x补贴", "payer": "supplier", "amount_fen": 1}),
    ]:
        r = await client.request(method, path, json=body, headers=other)
        assert r.status_code == 404 and r.json()["code"] == "service_not_found", path
    for principal in (w.operator_staff("A"), Principal(id=uuid.uuid4(), role=Role.resident)):
        r = await client.post(f"{url}/prices", json=price, headers=headers(principal))
        assert r.status_code == 403
    assert (await client.post(f"{url}/prices", json=price)).status_code == 401
    assert await _audit(session, "service_price") == []
    # the functions bookings will call
    try:
        await get_for_supplier(session, w.supplier_staff("A2"), w.services["meal"])
        raise AssertionError("expected service_not_found")
    except ServiceNotFound:
        pass
    assert (await get_for_supplier(session, w.supplier_staff("A1"), w.services["meal"])).id == w.services[
        "meal"
    ]


async def test_staff_can_see_service_by_role_and_region(session: AsyncSession) -> None:
    w = await build_world(session)
    meal = await session.get(Service, w.services["meal"])
    assert meal is not None

    async def sees(p: Principal) -> bool:
        return (await resolve_scope(session, p)).sees_service(meal.facility_id, meal.supplier_id)

    yes = [
        w.supplier_staff("A1"),
        w.operator_staff("A"),
        w.regulator(RegionLevel.street, w.streets["east"]),
        w.regulator(RegionLevel.district, w.district),
        w.regulator(RegionLevel.city, w.city),
        Principal(id=uuid.uuid4(), role=Role.admin),
    ]
    no = [
        w.supplier_staff("A2"),
        w.operator_staff("B"),
        w.regulator(RegionLevel.street, w.streets["west"]),
        w.regulator(RegionLevel.district, uuid.uuid4()),
        Principal(id=uuid.uuid4(), role=Role.resident),
    ]
    assert [await sees(p) for p in yes] == [True] * len(yes)
    assert [await sees(p) for p in no] == [False] * len(no)


async def test_findings_scope(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await build_world(session)
    north = f"/facilities/{w.facilities['north']}/findings"
    r = await client.get(north, headers=headers(w.operator_staff("A")))
    assert r.status_code == 200
    failed = {f["rule"] for f in r.json()["findings"] if f["status"] == "fail"}
    assert failed == {"min_functions", "core_functions", "elder_or_infant_care"} and r.json()["failing"] == 3
    assert r.json()["findings"][0]["message"] == "服务功能不少于 3 项（现有 1 项）"
    assert (await client.get(north, headers=headers(w.operator_staff("B")))).status_code == 403
    west_reg = headers(w.regulator(RegionLevel.street, w.streets["west"]))
    assert (await client.get(north, headers=west_reg)).status_code == 403
    assert (await client.get(north, headers=headers(w.supplier_staff("A1")))).status_code == 403
    listing = (await client.get("/findings", headers=west_reg)).json()
    assert [i["facility_id"] for i in listing["items"]] == [str(w.facilities["west"])]
    district_reg = headers(w.regulator(RegionLevel.district, w.district))
    failing = (await client.get("/findings", params={"only_failing": True}, headers=district_reg)).json()
    assert [i["facility_id"] for i in failing["items"]] == [str(w.facilities["north"])]
    # the failing facility is still listed publicly: findings are shown, not enforced
    public = (await client.get("/facilities")).json()
    assert str(w.facilities["north"]) in {i["id"] for i in public["items"]}


async def test_facility_writes_by_role(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await build_world(session)
    body = {
        "community_id": str(w.communities["west"]), "operator_id": str(w.operators["B"]),
        "name": "西二综合体",
        "address": "西路 8 号", "lat": 30.61, "lng": 114.26, "opening_hours": "每天 08:00-20:00",
        "functions": ["elder_care", "infant_care", "meal_aid"],
        "rooms": [room("elder_care", 1, 349.0, 10), room("infant_care", -1, 90.0, 10)],
    }  # fmt: skip
    east_reg = w.regulator(RegionLevel.street, w.streets["east"])
    r = await client.post("/facilities", json=body, headers=headers(east_reg))
    assert r.status_code == 403 and r.json()["code"] == "out_of_scope"
    assert (
        await client.post("/facilities", json=body, headers=headers(w.operator_staff("B")))
    ).status_code == 403
    west_reg = w.regulator(RegionLevel.street, w.streets["west"])
    r = await client.post("/facilities", json=body, headers=headers(west_reg))
    assert r.status_code == 201, r.text
    created = r.json()
    failed = {f["rule"] for f in created["findings"] if f["status"] == "fail"}
    assert failed == {"elder_care_area_per_place", "child_care_floor"}
    fid = created["id"]
    op_b = headers(w.operator_staff("B"))
    r = await client.patch(
        f"/facilities/{fid}", json={"rooms": [room("elder_care", 1, 350.0, 10)]}, headers=op_b
    )
    assert r.status_code == 200 and not [f for f in r.json()["findings"] if f["status"] == "fail"]
    r = await client.patch(f"/facilities/{fid}", json={"status": "closed"}, headers=op_b)
    assert r.status_code == 403
    r = await client.patch(
        f"/facilities/{fid}", json={"name": "抢过来"}, headers=headers(w.operator_staff("A"))
    )
    assert r.status_code == 403
    for bad in (
        {"rooms": [room("elder_care", 0, 10.0, 1)]},
        {"functions": ["elder_care", "elder_care"]},
        {"x": 1},
        {"rooms": None},  # a required value cannot be erased with null
        {"name": None},
    ):
        assert (await client.patch(f"/facilities/{fid}", json=bad, headers=op_b)).status_code == 422, bad
    entries = await _audit(session, "facility")
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes["rooms"]["to"] == [room("elder_care", 1, 350.0, 10)]


async def test_operators_suppliers_services_writes(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await build_world(session)
    district_reg = headers(w.regulator(RegionLevel.district, w.district))
    op = {"name": "丙运营", "credit_code": "91420102MA4K90003X", "operating_model": "private_run_public_aid",
          "district_id": str(w.district), "started_on": "2024-01-01"}  # fmt: skip
    r = await client.post("/operators", json=op, headers=district_reg)
    assert r.status_code == 201, r.text
    assert (await client.post("/operators", json=op, headers=district_reg)).json()[
        "code"
    ] == "credit_code_taken"
    assert (
        await client.post("/operators", json={**op, "credit_code": "123"}, headers=district_reg)
    ).status_code == 422
    other_reg = headers(w.regulator(RegionLevel.district, uuid.uuid4()))
    r = await client.post("/operators", json={**op, "credit_code": "91420102MA4K90004X"}, headers=other_reg)
    assert r.status_code == 403
    op_a = headers(w.operator_staff("A"))
    r = await client.post(
        "/suppliers", json={"name": "甲三助餐", "credit_code": "91420102MA4K90013X"}, headers=op_a
    )
    assert r.status_code == 201
    sup_id = uuid.UUID(r.json()["id"])
    lic = {
        "kind": "food_business",
        "number": "JY1420102000",
        "valid_from": "2024-01-01",
        "valid_until": "2028-12-31",
    }
    assert (await client.post(f"/suppliers/{sup_id}/licences", json=lic, headers=op_a)).status_code == 201
    op_b = headers(w.operator_staff("B"))
    assert (await client.post(f"/suppliers/{sup_id}/licences", json=lic, headers=op_b)).status_code == 403
    public = (await client.get(f"/suppliers/{sup_id}")).json()
    assert public["licences"][0]["number"] == "JY1420102000" and public["introduced_by"]["name"] == "甲运营"
    staff = headers(Principal(id=uuid.uuid4(), role=Role.supplier_staff, supplier_id=sup_id))
    svc = {"facility_id": str(w.facilities["north"]), "function": "meal_aid", "service_class": "inclusive",
           "booking_mode": "per_meal", "name": "北食堂午餐", "order_cutoff_minutes": 120,
           "min_age_years": 60}  # fmt: skip
    r = await client.post("/services", json=svc, headers=staff)
    assert r.status_code == 201 and r.json()["cancel_cutoff_minutes"] == 120
    r = await client.post("/services", json={**svc, "facility_id": str(w.facilities["west"])}, headers=staff)
    assert r.status_code == 422 and r.json()["code"] == "facility_not_operated_by_introducer"
    r = await client.post("/services", json={**svc, "function": "health"}, headers=staff)
    health = r.json()["id"]
    r = await client.post(f"/services/{health}/disclosures", json=DISCLOSURE, headers=staff)
    assert r.status_code == 422 and r.json()["code"] == "staff_qualifications_required"
    qual = [{"name": "李医生", "role": "康复治疗师", "qualification": "康复医学治疗技术（士）"}]
    r = await client.post(
        f"/services/{health}/disclosures", json={**DISCLOSURE, "staff_qualifications": qual}, headers=staff
    )
    assert r.status_code == 201
    assert (await client.get(f"/suppliers/{sup_id}/services", headers=op_a)).status_code == 200
    assert (await client.get(f"/suppliers/{sup_id}/services", headers=op_b)).status_code == 403
    assert {e.entity for e in (await session.exec(select(AuditEntry))).all()} >= {
        "operator", "supplier", "supplier_licence", "service", "service_disclosure"
    }  # fmt: skip
