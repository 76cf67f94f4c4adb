"""Residents' hazard reports (安全隐患, Baotou art. 41): text checked like a review's, answered by the
operator within the ruleset's working days, overdue ones taken over by the street office; never public."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.access import RegionLevel
from backend.core.clock import SHANGHAI, utcnow
from backend.core.jobs import run_tick
from backend.oversight.jobs import ESCALATE_HAZARDS
from backend.oversight.models import Hazard, OversightEvent
from backend.oversight.rules import DEFAULT_RULES
from backend.workdays.queries import add_working_days
from tests.bookings.factories import make_resident, resident_headers
from tests.catalogue.world import World, headers
from tests.fakes.wechat import FakeWeChat


async def _report(
    client: httpx.AsyncClient, session: AsyncSession, world: World, text: str
) -> httpx.Response:
    resident, _ = await make_resident(session)
    body = {"facility_id": str(world.facilities["east"]), "text": text}
    return await client.post("/safety/hazards", json=body, headers=resident_headers(resident.id))


async def test_hazard_opens_with_a_working_day_deadline_and_the_operator_answers_baotou_art_41(
    client: httpx.AsyncClient, session: AsyncSession, world: World, wechat: FakeWeChat
) -> None:
    before = utcnow()
    r = await _report(client, session, world, "二楼消防通道被杂物堵住")
    assert r.status_code == 201, r.text
    hazard = r.json()
    assert hazard["status"] == "open" and hazard["answer"] is None
    expected = await add_working_days(session, before, DEFAULT_RULES.hazard_answer_working_days)
    assert hazard["answer_due_at"] == expected.at.astimezone(SHANGHAI).isoformat()
    assert wechat.checked and wechat.checked[-1]["content"] == "二楼消防通道被杂物堵住"

    # Another operator and a street office elsewhere do not see it; the facility's operator answers it.
    answer = {"answer": "已清理，并安排每日巡查"}
    for other in (world.operator_staff("B"), world.regulator(RegionLevel.street, world.streets["west"])):
        r = await client.post(f"/safety/hazards/{hazard['id']}/answer", json=answer, headers=headers(other))
        assert r.status_code == 404
        assert (await client.get("/safety/hazards", headers=headers(other))).json()["items"] == []
    op_a = headers(world.operator_staff("A"))
    assert [h["id"] for h in (await client.get("/safety/hazards", headers=op_a)).json()["items"]] == [
        hazard["id"]
    ]
    r = await client.post(f"/safety/hazards/{hazard['id']}/answer", json=answer, headers=op_a)
    assert (
        r.status_code == 200 and r.json()["status"] == "answered" and r.json()["answer"] == answer["answer"]
    )
    r = await client.post(f"/safety/hazards/{hazard['id']}/answer", json=answer, headers=op_a)
    assert r.status_code == 409 and r.json()["code"] == "hazard_state_conflict"
    # The public safety page says nothing about residents' reports.
    assert "消防通道" not in (await client.get(f"/facilities/{world.facilities['east']}/safety")).text


async def test_risky_text_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, session: AsyncSession, world: World, wechat: FakeWeChat
) -> None:
    wechat.set_verdict("辱骂", "risky", 20003)
    r = await _report(client, session, world, "辱骂内容")
    assert r.status_code == 422 and r.json()["code"] == "content_rejected"
    assert (await session.exec(sa.select(sa.func.count()).select_from(Hazard))).one()[0] == 0  # type: ignore[call-overload]


async def test_doubtful_or_unchecked_text_waits_for_the_street_office(
    client: httpx.AsyncClient, session: AsyncSession, world: World, wechat: FakeWeChat
) -> None:
    wechat.set_verdict("可疑", "review", 21000)
    held = (await _report(client, session, world, "可疑的隐患描述")).json()
    wechat.break_next("msg_sec_check", httpx.ReadTimeout)
    unchecked = (await _report(client, session, world, "检查超时的隐患")).json()
    for h in (held, unchecked):
        assert h["status"] == "pending_moderation" and h["answer_due_at"] is None
    op_a = headers(world.operator_staff("A"))
    listed = (await client.get("/safety/hazards", headers=op_a)).json()["items"]
    assert {h["text"] for h in listed} == {""}  # the operator sees that reports wait, not what they say
    r = await client.post(f"/safety/hazards/{held['id']}/answer", json={"answer": "好"}, headers=op_a)
    assert r.status_code == 409
    east = headers(world.regulator(RegionLevel.street, world.streets["east"]))
    assert (
        await client.post(f"/safety/hazards/{held['id']}/moderation", json={"accept": True}, headers=op_a)
    ).status_code == 403
    r = await client.post(f"/safety/hazards/{held['id']}/moderation", json={"accept": True}, headers=east)
    assert r.status_code == 200 and r.json()["status"] == "open" and r.json()["answer_due_at"] is not None
    r = await client.post(
        f"/safety/hazards/{unchecked['id']}/moderation",
        json={"accept": False, "reason": "无关内容"},
        headers=east,
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"


async def test_overdue_hazard_goes_to_the_street_office_once(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    hazard = (await _report(client, session, world, "燃气味道")).json()
    await session.exec(  # type: ignore[call-overload]
        sa.update(Hazard)
        .where(Hazard.id == uuid.UUID(hazard["id"]))
        .values(answer_due_at=utcnow() - timedelta(minutes=10))
    )
    await session.commit()
    tick = ESCALATE_HAZARDS.tick_for(utcnow())
    assert await run_tick(ESCALATE_HAZARDS, tick)
    assert not await run_tick(ESCALATE_HAZARDS, tick)  # the same tick runs once
    resident_view = (
        await client.get("/me/hazards", headers=resident_headers(await _owner(session, hazard["id"])))
    ).json()
    assert resident_view["items"][0]["status"] == "escalated"
    east = headers(world.regulator(RegionLevel.street, world.streets["east"]))
    listed = (await client.get("/safety/hazards", params={"status": "escalated"}, headers=east)).json()[
        "items"
    ]
    assert [h["id"] for h in listed] == [hazard["id"]]
    r = await client.post(
        f"/safety/hazards/{hazard['id']}/answer", json={"answer": "街道已派人处理"}, headers=east
    )
    assert r.status_code == 200 and r.json()["status"] == "answered"
    actions = (await session.exec(sa.select(OversightEvent.action).order_by(OversightEvent.at))).all()  # type: ignore[call-overload]
    assert [a[0] for a in actions] == ["reported", "escalated", "answered"]


async def _owner(session: AsyncSession, hazard_id: str) -> object:
    return (await session.exec(sa.select(Hazard.resident_id).where(Hazard.id == uuid.UUID(hazard_id)))).one()[
        0
    ]  # type: ignore[call-overload]
