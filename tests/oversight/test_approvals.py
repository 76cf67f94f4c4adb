"""Approvals the catalogue owns: facility function changes need the street office (Wuhan art. 11); elder and
infant care services need a matching licence on file (Wuhan art. 9)."""

from __future__ import annotations

import uuid

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.models import AuditEntry
from backend.core.access import Principal, RegionLevel, Role
from tests.catalogue.world import World, headers

NEW_FUNCTIONS = ["culture", "elder_care", "health", "meal_aid"]


async def _functions(client: httpx.AsyncClient, world: World, caller: dict[str, str]) -> list[str]:
    r = await client.get(f"/facilities/{world.facilities['east']}/configuration", headers=caller)
    return sorted(r.json()["functions"])


async def test_operator_function_change_waits_for_the_street_office_wuhan_art_11(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    op_a = headers(world.operator_staff("A"))
    fid = world.facilities["east"]
    r = await client.patch(
        f"/facilities/{fid}", json={"functions": NEW_FUNCTIONS, "name": "东综合体（新）"}, headers=op_a
    )
    assert r.status_code == 200, r.text
    # The name changed at once; the functions did not: they wait as a pending request.
    assert r.json()["name"] == "东综合体（新）"
    assert sorted(r.json()["functions"]) == ["culture", "elder_care", "meal_aid"]
    pending = r.json()["pending_function_change"]
    assert pending["status"] == "pending" and pending["functions"] == NEW_FUNCTIONS
    assert pending["previous"] == ["culture", "elder_care", "meal_aid"]
    public = (await client.get(f"/facilities/{fid}")).json()
    assert "health" not in public["functions"]

    # The operator cannot decide (not even its own request); a street office elsewhere does not see it.
    decision = {"approved": True, "reason": "符合规划"}
    r = await client.post(f"/function-changes/{pending['id']}/decision", json=decision, headers=op_a)
    assert r.status_code == 403
    west = headers(world.regulator(RegionLevel.street, world.streets["west"]))
    r = await client.post(f"/function-changes/{pending['id']}/decision", json=decision, headers=west)
    assert r.status_code == 404 and r.json()["code"] == "function_change_not_found"
    assert (await client.get("/function-changes", headers=west)).json()["items"] == []

    east = headers(world.regulator(RegionLevel.street, world.streets["east"]))
    listed = (await client.get("/function-changes", params={"status": "pending"}, headers=east)).json()[
        "items"
    ]
    assert [c["id"] for c in listed] == [pending["id"]]
    r = await client.post(f"/function-changes/{pending['id']}/decision", json=decision, headers=east)
    assert (
        r.status_code == 200
        and r.json()["status"] == "approved"
        and r.json()["decision_reason"] == "符合规划"
    )
    assert await _functions(client, world, op_a) == NEW_FUNCTIONS
    assert "health" in (await client.get(f"/facilities/{fid}")).json()["functions"]
    r = await client.post(f"/function-changes/{pending['id']}/decision", json=decision, headers=east)
    assert r.status_code == 409 and r.json()["code"] == "change_already_decided"
    actions = (
        await session.exec(  # type: ignore[call-overload]
            sa.select(AuditEntry.entity, AuditEntry.action).order_by(AuditEntry.created_at)
        )
    ).all()
    assert ("facility_function_change", "request") in actions and (
        "facility_function_change",
        "approved",
    ) in actions
    assert ("facility", "update") in actions


async def test_rejected_request_changes_nothing_and_regulator_changes_directly(
    client: httpx.AsyncClient, world: World
) -> None:
    op_a = headers(world.operator_staff("A"))
    fid = world.facilities["east"]
    r = await client.post(
        f"/facilities/{fid}/function-changes",
        json={"functions": ["meal_aid"], "reason": "缩减"},
        headers=op_a,
    )
    assert r.status_code == 201 and r.json()["status"] == "pending"
    east = headers(world.regulator(RegionLevel.street, world.streets["east"]))
    r = await client.post(
        f"/function-changes/{r.json()['id']}/decision", json={"approved": False}, headers=east
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert await _functions(client, world, op_a) == ["culture", "elder_care", "meal_aid"]
    r = await client.patch(f"/facilities/{fid}", json={"functions": ["elder_care", "meal_aid"]}, headers=east)
    assert r.status_code == 200 and r.json()["pending_function_change"] is None
    assert sorted(r.json()["functions"]) == ["elder_care", "meal_aid"]
    other = headers(world.operator_staff("B"))
    r = await client.post(
        f"/facilities/{fid}/function-changes", json={"functions": ["meal_aid"]}, headers=other
    )
    assert r.status_code == 404


async def test_admin_cannot_decide_a_request_it_filed_itself(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """Nobody approves their own change: an operator never decides, and a decider never decides its own."""
    from backend.catalogue.models import FacilityFunctionChange

    admin = Principal(id=uuid.uuid4(), role=Role.admin)
    row = FacilityFunctionChange(
        facility_id=world.facilities["east"], functions=["meal_aid"], previous=[], requested_by=admin.id
    )
    session.add(row)
    await session.commit()
    r = await client.post(
        f"/function-changes/{row.id}/decision", json={"approved": True}, headers=headers(admin)
    )
    assert r.status_code == 403 and r.json()["code"] == "own_change"


async def test_elder_and_infant_care_services_need_a_matching_licence_wuhan_art_9(
    client: httpx.AsyncClient, world: World
) -> None:
    staff = headers(world.supplier_staff("A1"))
    svc = {
        "facility_id": str(world.facilities["east"]),
        "function": "elder_care",
        "service_class": "inclusive",
        "booking_mode": "full_day",
        "name": "长者日托",
    }
    r = await client.post("/services", json=svc, headers=staff)
    assert r.status_code == 409 and r.json()["code"] == "licence_missing"
    assert r.json()["required_licence"] == "elder_care_filing"
    # A licence of another kind, or one that has expired, does not count.
    op_a = headers(world.operator_staff("A"))
    sup = world.suppliers["A1"]
    for kind, until in (("food_business", None), ("elder_care_filing", "2020-12-31")):
        lic = {"kind": kind, "number": f"N-{kind}", "valid_from": "2019-01-01", "valid_until": until}
        assert (await client.post(f"/suppliers/{sup}/licences", json=lic, headers=op_a)).status_code == 201
    assert (await client.post("/services", json=svc, headers=staff)).status_code == 409
    lic = {"kind": "elder_care_filing", "number": "YL-2024-001", "valid_from": "2024-01-01"}
    assert (await client.post(f"/suppliers/{sup}/licences", json=lic, headers=op_a)).status_code == 201
    r = await client.post("/services", json=svc, headers=staff)
    assert r.status_code == 201, r.text
    # Meal aid needs no filing of this kind.
    r = await client.post(
        "/services", json={**svc, "function": "meal_aid", "booking_mode": "per_meal"}, headers=staff
    )
    assert r.status_code == 201
