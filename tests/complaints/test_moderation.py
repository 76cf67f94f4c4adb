"""The moderation queue of complaint texts WeChat's check held (DOMAIN.md: a doubtful text waits for a human;
Wuhan art. 15: the street office handles what reaches it). A regulator over the facility shows the text or
withholds it with a reason; the complaint is handled either way; the decision is in the history."""

from __future__ import annotations

import uuid

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.models import AuditEntry
from backend.complaints.views import WITHHELD
from tests.bookings.factories import World, operator_headers
from tests.complaints.factories import (
    People,
    file,
    other_street_headers,
    resident_headers,
    street_headers,
    supplier_headers,
)
from tests.fakes.wechat import FakeWeChat


async def test_held_texts_are_queued_and_a_regulator_shows_or_withholds_them(
    client: httpx.AsyncClient, session: AsyncSession, wechat: FakeWeChat, world: World, people: People
) -> None:
    wechat.set_verdict("可疑", "review", 21000)
    target = {"facility_id": world.facility.id}
    first = (await file(client, people.resident, target, text="可疑的内容一")).json()["id"]
    second = (await file(client, people.resident, target, text="可疑的内容二")).json()["id"]
    clean = (await file(client, people.resident, target, text="正常投诉")).json()["id"]
    street = street_headers(people.street_id)

    queue = await client.get("/complaints", params={"text_held": "true"}, headers=street)
    assert sorted(i["id"] for i in queue.json()["items"]) == sorted([first, second])
    others = await client.get("/complaints", params={"text_held": "false"}, headers=street)
    assert [i["id"] for i in others.json()["items"]] == [clean]
    assert (
        await client.get("/complaints", params={"text_held": "true"}, headers=other_street_headers())
    ).json()["items"] == []

    path = f"/complaints/{first}/text-moderation"
    # The handlers never moderate; another street does not see it; withholding needs a reason.
    assert (
        await client.post(path, json={"show": True}, headers=operator_headers(world.operator.id))
    ).status_code == 403
    assert (
        await client.post(path, json={"show": True}, headers=supplier_headers(world.supplier.id))
    ).status_code == 403
    assert (await client.post(path, json={"show": True}, headers=other_street_headers())).status_code == 404
    r = await client.post(path, json={"show": False}, headers=street)
    assert (r.status_code, r.json()["code"]) == (422, "reason_required")

    r = await client.post(path, json={"show": True}, headers=street)
    assert r.status_code == 200, r.text
    assert (r.json()["text_held"], r.json()["text_withheld"], r.json()["text"]) == (
        False,
        False,
        "可疑的内容一",
    )
    assert r.json()["history"][-1]["action"] == "moderate_text"
    r = await client.post(path, json={"show": False, "reason": "x"}, headers=street)
    assert (r.status_code, r.json()["code"]) == (409, "complaint_text_not_held")

    r = await client.post(
        f"/complaints/{second}/text-moderation", json={"show": False, "reason": "含人身攻击"}, headers=street
    )
    assert r.status_code == 200 and r.json()["text_withheld"] is True
    # The handler (the operator, for a facility complaint) sees a placeholder and still answers; the
    # resident sees their own text.
    seen = (await client.get(f"/complaints/{second}", headers=operator_headers(world.operator.id))).json()
    assert seen["text"] == WITHHELD
    mine = (await client.get(f"/complaints/{second}", headers=resident_headers(people.resident))).json()
    assert mine["text"] == "可疑的内容二" and mine["text_withheld"] is True
    r = await client.post(
        f"/complaints/{second}/replies",
        json={"kind": "answer", "text": "已核实处理"},
        headers=operator_headers(world.operator.id),
    )
    assert r.status_code == 200 and r.json()["status"] == "answered"
    assert (await client.get("/complaints", params={"text_held": "true"}, headers=street)).json()[
        "items"
    ] == []
    decisions = await session.scalar(
        sa.select(sa.func.count()).where(
            AuditEntry.action == "moderate_text",  # type: ignore[arg-type]
            AuditEntry.entity_id.in_([uuid.UUID(first), uuid.UUID(second)]),  # type: ignore[attr-defined]
        )
    )
    assert decisions == 2
