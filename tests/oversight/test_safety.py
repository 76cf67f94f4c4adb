"""Safety records (Baotou arts. 38–41, Wuhan art. 17): who records what, in which scope, and what the public
safety page shows."""

from __future__ import annotations

from datetime import timedelta

import httpx

from backend.core.access import RegionLevel
from backend.core.clock import SHANGHAI, utcnow
from tests.catalogue.world import World, headers


def _today() -> str:
    return str(utcnow().astimezone(SHANGHAI).date())


def _days_ago(n: int) -> str:
    return str(utcnow().astimezone(SHANGHAI).date() - timedelta(days=n))


def _inspection(facility: object, **extra: object) -> dict[str, object]:
    return {
        "facility_id": str(facility),
        "kind": "fire",
        "result": "fail",
        "inspected_on": _days_ago(3),
        "inspector": "东街道消防检查组 张三",
        "findings": "灭火器过期 2 具",
        "fix_due_on": _today(),
        **extra,
    }


async def test_street_regulator_records_inspections_only_in_its_street_baotou_art_40(
    client: httpx.AsyncClient, world: World
) -> None:
    east = headers(world.regulator(RegionLevel.street, world.streets["east"]))
    r = await client.post("/inspections", json=_inspection(world.facilities["east"]), headers=east)
    assert r.status_code == 201, r.text
    assert r.json()["result"] == "fail" and r.json()["fix_due_on"] == _today()
    # The west street's facility is outside the east street office's scope: it does not exist for it.
    r = await client.post("/inspections", json=_inspection(world.facilities["west"]), headers=east)
    assert r.status_code == 404 and r.json()["code"] == "facility_not_found"
    # A district regulator covers both streets; an operator records no government inspection.
    district = headers(world.regulator(RegionLevel.district, world.district))
    r = await client.post("/inspections", json=_inspection(world.facilities["west"]), headers=district)
    assert r.status_code == 201
    r = await client.post(
        "/inspections", json=_inspection(world.facilities["east"]), headers=headers(world.operator_staff("A"))
    )
    assert r.status_code == 403


async def test_result_must_fit_kind(client: httpx.AsyncClient, world: World) -> None:
    east = headers(world.regulator(RegionLevel.street, world.streets["east"]))
    r = await client.post(
        "/inspections", json=_inspection(world.facilities["east"], kind="food", result="fail"), headers=east
    )
    assert r.status_code == 422 and r.json()["code"] == "wrong_result_for_kind"
    r = await client.post(
        "/inspections", json=_inspection(world.facilities["east"], inspected_on="2999-01-01"), headers=east
    )
    assert r.status_code == 422


async def test_operator_records_fix_once_and_lists_only_its_own(
    client: httpx.AsyncClient, world: World
) -> None:
    east = headers(world.regulator(RegionLevel.street, world.streets["east"]))
    created = (
        await client.post("/inspections", json=_inspection(world.facilities["east"]), headers=east)
    ).json()
    op_b = headers(world.operator_staff("B"))
    fix = {"fixed_on": _today(), "description": "已更换灭火器"}
    r = await client.post(f"/inspections/{created['id']}/fix", json=fix, headers=op_b)
    assert r.status_code == 404 and r.json()["code"] == "inspection_not_found"
    op_a = headers(world.operator_staff("A"))
    r = await client.post(f"/inspections/{created['id']}/fix", json=fix, headers=op_a)
    assert r.status_code == 200 and r.json()["fixed_on"] == _today() and r.json()["fix_overdue"] is False
    r = await client.post(f"/inspections/{created['id']}/fix", json=fix, headers=op_a)
    assert r.status_code == 409 and r.json()["code"] == "already_fixed"
    assert [i["id"] for i in (await client.get("/inspections", headers=op_a)).json()["items"]] == [
        created["id"]
    ]
    assert (await client.get("/inspections", headers=op_b)).json()["items"] == []


async def test_fix_overdue_is_shown(client: httpx.AsyncClient, world: World) -> None:
    east = headers(world.regulator(RegionLevel.street, world.streets["east"]))
    body = _inspection(world.facilities["east"], inspected_on=_days_ago(20), fix_due_on=_days_ago(5))
    r = await client.post("/inspections", json=body, headers=east)
    assert r.status_code == 201 and r.json()["fix_overdue"] is True


async def test_operator_records_checks_plans_and_drills_in_its_facilities_baotou_art_39(
    client: httpx.AsyncClient, world: World
) -> None:
    op_a = headers(world.operator_staff("A"))
    fac = str(world.facilities["east"])
    check = {
        "facility_id": fac,
        "checked_on": _days_ago(1),
        "result": "ok",
        "items": ["消防通道", "燃气阀门"],
    }
    plan = {"facility_id": fac, "title": "东综合体火灾应急预案", "adopted_on": _days_ago(30), "content": "……"}
    drill = {"facility_id": fac, "held_on": _days_ago(10), "scenario": "火灾疏散", "participants": 42}
    for path, body in (("/safety-checks", check), ("/emergency-plans", plan), ("/drills", drill)):
        r = await client.post(path, json=body, headers=op_a)
        assert r.status_code == 201, (path, r.text)
        west = {**body, "facility_id": str(world.facilities["west"])}
        r = await client.post(path, json=west, headers=op_a)
        assert r.status_code == 404, path
        r = await client.post(path, json=body, headers=headers(world.supplier_staff("A1")))
        assert r.status_code == 403, path
        listed = (await client.get(path, params={"facility_id": fac}, headers=op_a)).json()["items"]
        assert len(listed) == 1, path
        assert (await client.get(path, headers=headers(world.operator_staff("B")))).json()["items"] == []


async def test_public_safety_page_shows_latest_records_and_nothing_personal_baotou_art_41(
    client: httpx.AsyncClient, world: World
) -> None:
    fac = world.facilities["east"]
    r = await client.get(f"/facilities/{fac}/safety")
    assert r.status_code == 200
    assert r.json() == {
        "facility_id": str(fac),
        "fire": None,
        "food": None,
        "emergency_plan_on_file": False,
        "emergency_plan": None,
        "last_drill": None,
        "last_safety_check": None,
    }
    east = headers(world.regulator(RegionLevel.street, world.streets["east"]))
    await client.post("/inspections", json=_inspection(fac, inspected_on=_days_ago(40)), headers=east)
    await client.post(
        "/inspections",
        json=_inspection(fac, result="pass", inspected_on=_days_ago(2), findings="合格", fix_due_on=None),
        headers=east,
    )
    await client.post(
        "/inspections",
        json=_inspection(fac, kind="food", result="C", findings="后厨卫生差", fix_due_on=None),
        headers=east,
    )
    op_a = headers(world.operator_staff("A"))
    for title, adopted in (("旧预案", 400), ("新预案", 30)):
        body = {
            "facility_id": str(fac),
            "title": title,
            "adopted_on": _days_ago(adopted),
            "content": "预案全文 李四",
        }
        await client.post("/emergency-plans", json=body, headers=op_a)
    for held, people in ((60, 10), (5, 35)):
        body = {
            "facility_id": str(fac),
            "held_on": _days_ago(held),
            "scenario": "疏散",
            "participants": people,
        }
        await client.post("/drills", json=body, headers=op_a)
    page = (await client.get(f"/facilities/{fac}/safety")).json()
    assert page["fire"] == {
        "kind": "fire",
        "result": "pass",
        "inspected_on": _days_ago(2),
        "findings": "合格",
        "fix_due_on": None,
        "fixed_on": None,
    }
    assert page["food"]["result"] == "C"
    assert page["emergency_plan_on_file"] is True
    assert page["emergency_plan"] == {"title": "新预案", "adopted_on": _days_ago(30)}
    assert page["last_drill"] == {"held_on": _days_ago(5), "scenario": "疏散", "participants": 35}
    text = r.text + str(page)
    for personal in ("张三", "李四", "inspector", "recorded_by", "content"):
        assert personal not in text
    assert (await client.get(f"/facilities/{world.facilities['west']}/safety")).json()["fire"] is None
    r = await client.get("/facilities/00000000-0000-0000-0000-000000000000/safety")
    assert r.status_code == 404


async def test_veto_set_by_regulator_for_serious_incidents_only(
    client: httpx.AsyncClient, world: World
) -> None:
    op_a = headers(world.operator_staff("A"))
    fac = str(world.facilities["east"])
    occurred = (utcnow() - timedelta(days=1)).isoformat()
    minor = {
        "facility_id": fac,
        "occurred_at": occurred,
        "kind": "injury",
        "severity": "minor",
        "description": "摔倒",
    }
    abuse = {**minor, "kind": "abuse", "description": "护理员推搡老人"}
    r1 = await client.post("/incidents", json=minor, headers=op_a)
    r2 = await client.post("/incidents", json=abuse, headers=op_a)
    assert r1.status_code == r2.status_code == 201 and r1.json()["veto"] is False
    east = headers(world.regulator(RegionLevel.street, world.streets["east"]))
    west = headers(world.regulator(RegionLevel.street, world.streets["west"]))
    decision = {"veto": True, "reason": "虐待老人，一票否决"}
    r = await client.post(f"/incidents/{r1.json()['id']}/veto", json=decision, headers=east)
    assert r.status_code == 409 and r.json()["code"] == "veto_not_allowed"
    assert (
        await client.post(f"/incidents/{r2.json()['id']}/veto", json=decision, headers=op_a)
    ).status_code == 403
    assert (
        await client.post(f"/incidents/{r2.json()['id']}/veto", json=decision, headers=west)
    ).status_code == 404
    r = await client.post(f"/incidents/{r2.json()['id']}/veto", json=decision, headers=east)
    assert r.status_code == 200 and r.json()["veto"] is True and r.json()["veto_reason"] == decision["reason"]
    listed = (await client.get("/incidents", headers=east)).json()["items"]
    assert {i["id"]: i["veto"] for i in listed} == {r1.json()["id"]: False, r2.json()["id"]: True}
