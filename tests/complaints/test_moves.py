"""The complaint state machine (issue 10; Wuhan art. 15: mediation by the street office): every legal move,
409 on illegal ones, 403 when it is not the caller's turn, every step recorded with actor and time."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.bookings.factories import World
from tests.complaints.factories import (
    People,
    file,
    operator_headers,
    resident_headers,
    street_headers,
    supplier_headers,
)


async def _reply(
    client: httpx.AsyncClient, cid: str, headers: dict[str, str], kind: str, text: str = "已处理"
) -> httpx.Response:
    return await client.post(f"/complaints/{cid}/replies", json={"kind": kind, "text": text}, headers=headers)


async def _confirm(client: httpx.AsyncClient, cid: str, resident: Any, accepted: bool) -> httpx.Response:
    body = {"accepted": accepted, "comment": "好" if accepted else "不满意"}
    return await client.post(f"/complaints/{cid}/confirm", json=body, headers=resident_headers(resident))


async def _escalate(client: httpx.AsyncClient, cid: str, resident: Any) -> httpx.Response:
    return await client.post(
        f"/complaints/{cid}/escalate", json={"reason": "迟迟没有答复"}, headers=resident_headers(resident)
    )


async def _mediate(client: httpx.AsyncClient, cid: str, headers: dict[str, str]) -> httpx.Response:
    body = {"outcome": "agreement", "agreement": "退还本次服务费用并道歉", "mediated_on": "2026-12-02"}
    return await client.post(f"/complaints/{cid}/mediation", json=body, headers=headers)


async def test_the_whole_way_up_to_mediation(client: httpx.AsyncClient, world: World, people: People) -> None:
    """Supplier acknowledges and answers; rejected -> operator answers; rejected -> the street office
    mediates (Wuhan art. 15) and the complaint is closed as mediated."""
    supplier, operator = supplier_headers(world.supplier.id), operator_headers(world.operator.id)
    street = street_headers(people.street_id)
    cid = (
        await file(
            client, people.resident, {"supplier_id": world.supplier.id, "facility_id": world.facility.id}
        )
    ).json()["id"]

    r = await _reply(client, cid, supplier, "acknowledge", "已受理")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "acknowledged"
    r = await _reply(client, cid, supplier, "answer", "已安排专人上门道歉")
    assert r.json()["status"] == "answered" and r.json()["confirm_due_at"] is not None
    r = await _confirm(client, cid, people.resident, accepted=False)
    assert (r.json()["status"], r.json()["escalation"]) == ("escalated", "operator")
    assert (await _reply(client, cid, supplier, "answer")).status_code == 403  # the operator's turn now
    r = await _reply(client, cid, operator, "answer", "运营方已约谈服务商")
    assert (r.json()["status"], r.json()["escalation"]) == ("answered", "operator")
    r = await _confirm(client, cid, people.resident, accepted=False)
    assert (r.json()["status"], r.json()["escalation"]) == ("escalated", "street")
    assert (await _reply(client, cid, operator, "answer")).status_code == 403
    assert (await _mediate(client, cid, operator)).status_code == 403  # role: regulators and admins only
    r = await _mediate(client, cid, street)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "mediated" and body["resolved_at"] is not None
    assert body["mediation"] == {
        "outcome": "agreement",
        "agreement": "退还本次服务费用并道歉",
        "mediated_on": "2026-12-02",
    }
    assert [(x["by_role"], x["level"], x["text"]) for x in body["replies"]] == [
        ("supplier_staff", "none", "已受理"),
        ("supplier_staff", "none", "已安排专人上门道歉"),
        ("operator_staff", "operator", "运营方已约谈服务商"),
    ]
    history = [
        (e["action"], e["from_status"], e["to_status"], e["escalation"], e["actor_role"])
        for e in body["history"]
    ]
    assert history == [
        ("file", None, "submitted", "none", "resident"),
        ("acknowledge", "submitted", "acknowledged", "none", "supplier_staff"),
        ("answer", "acknowledged", "answered", "none", "supplier_staff"),
        ("reject", "answered", "escalated", "operator", "resident"),
        ("answer", "escalated", "answered", "operator", "operator_staff"),
        ("reject", "answered", "escalated", "street", "resident"),
        ("mediate", "escalated", "mediated", "street", "regulator"),
    ]
    assert all(e["actor_id"] and e["at"].endswith("+08:00") for e in body["history"])
    # The resident sees the history without staff ids.
    mine = (await client.get(f"/complaints/{cid}", headers=resident_headers(people.resident))).json()
    assert len(mine["history"]) == 7 and all(e["actor_id"] is None for e in mine["history"])
    # Final: nothing moves any more.
    assert (await _escalate(client, cid, people.resident)).status_code == 409
    assert (await _mediate(client, cid, street)).status_code == 409


async def test_accepting_the_answer_resolves_it(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    cid = (await file(client, people.resident, {"supplier_id": world.supplier.id})).json()["id"]
    await _reply(client, cid, supplier_headers(world.supplier.id), "answer", "已退款")
    r = await _confirm(client, cid, people.resident, accepted=True)
    assert r.status_code == 200 and r.json()["status"] == "resolved" and r.json()["resolved_at"]
    assert r.json()["history"][-1]["note"] == "好"


async def test_facility_level_complaints_are_answered_by_the_operator(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    cid = (await file(client, people.resident, {"facility_id": world.facility.id})).json()["id"]
    assert (await _reply(client, cid, supplier_headers(world.supplier.id), "answer")).status_code == 404
    r = await _reply(client, cid, operator_headers(world.operator.id), "answer", "已整改")
    assert r.status_code == 200 and r.json()["status"] == "answered"


async def test_resident_escalates_one_level_at_a_time_and_not_beyond_the_street(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    cid = (await file(client, people.resident, {"supplier_id": world.supplier.id})).json()["id"]
    assert (await _escalate(client, cid, people.resident)).json()["escalation"] == "operator"
    r = await _escalate(client, cid, people.resident)
    assert (r.json()["status"], r.json()["escalation"]) == ("escalated", "street")
    r = await _escalate(client, cid, people.resident)
    assert r.status_code == 409 and r.json()["code"] == "complaint_state_conflict"


@pytest.mark.parametrize(
    ("setup", "move", "expected"),
    [
        ([], "accept", 409),  # nothing to accept before an answer
        ([], "reject", 409),
        ([], "mediate", 409),  # not escalated to the street office
        (["acknowledge"], "acknowledge", 409),  # twice
        (["answer"], "acknowledge", 409),  # already answered
        (["answer"], "answer", 409),
        (["answer", "accept"], "escalate", 409),  # resolved is final
        (["answer", "accept"], "answer", 409),
        (["answer", "accept"], "reject", 409),
    ],
)
async def test_illegal_moves_are_409(
    client: httpx.AsyncClient, world: World, people: People, setup: list[str], move: str, expected: int
) -> None:
    cid = (await file(client, people.resident, {"supplier_id": world.supplier.id})).json()["id"]
    supplier = supplier_headers(world.supplier.id)

    async def do(name: str) -> httpx.Response:
        if name in ("acknowledge", "answer"):
            return await _reply(client, cid, supplier, name)
        if name in ("accept", "reject"):
            return await _confirm(client, cid, people.resident, accepted=name == "accept")
        if name == "escalate":
            return await _escalate(client, cid, people.resident)
        return await _mediate(client, cid, street_headers(people.street_id))

    for step in setup:
        assert (await do(step)).status_code == 200
    before = (await client.get(f"/complaints/{cid}", headers=resident_headers(people.resident))).json()
    r = await do(move)
    assert r.status_code == expected and r.json()["code"] == "complaint_state_conflict"
    after = (await client.get(f"/complaints/{cid}", headers=resident_headers(people.resident))).json()
    assert after["history"] == before["history"] and after["status"] == before["status"]


async def test_a_resident_cannot_act_on_anothers_complaint(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    cid = (await file(client, people.resident, {"supplier_id": world.supplier.id})).json()["id"]
    await _reply(client, cid, supplier_headers(world.supplier.id), "answer")
    assert (await _confirm(client, cid, people.other_resident, accepted=True)).status_code == 404
    assert (await _escalate(client, cid, people.other_resident)).status_code == 404


async def test_an_operator_cannot_act_on_another_operators_complaint(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    cid = (await file(client, people.resident, {"facility_id": world.facility.id})).json()["id"]
    r = await _reply(client, cid, operator_headers(world.other_operator.id), "answer")
    assert r.status_code == 404 and r.json()["code"] == "complaint_not_found"
    await _escalate(client, cid, people.resident)
    await _escalate(client, cid, people.resident)
    other_street = street_headers(world.other_operator.district_id)  # a street id that is not this one
    assert (await _mediate(client, cid, other_street)).status_code == 404
