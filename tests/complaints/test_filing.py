"""Filing a complaint (issue 10): targets, numbers, the text check, phone complaints, who sees them."""

from __future__ import annotations

import re
import uuid

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.complaints.models import Complaint, ComplaintEvent
from backend.core.clock import to_shanghai, utcnow
from tests.bookings.factories import World
from tests.complaints.factories import (
    People,
    file,
    make_booking,
    operator_headers,
    resident_headers,
    street_headers,
    supplier_headers,
)
from tests.fakes.wechat import FakeWeChat


async def test_filed_complaint_has_the_contract_shape_and_a_number(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    r = await file(client, people.resident, {"facility_id": world.facility.id})
    assert r.status_code == 201, r.text
    body = r.json()
    today = to_shanghai(utcnow()).strftime("%Y%m%d")
    assert body["number"] == f"TS{today}0001"
    assert (body["status"], body["escalation"], body["category"], body["replies"]) == (
        "submitted",
        "none",
        "service_quality",
        [],
    )
    assert body["target"]["facility_id"] == str(world.facility.id)
    assert body["target"]["operator_id"] == str(world.operator.id)
    assert body["text"] == "服务人员迟到了一个小时" and body["text_held"] is False
    assert body["answer_due_at"].endswith("+08:00") and body["created_at"].endswith("+08:00")
    second = await file(client, people.resident, {"supplier_id": world.supplier.id})
    assert second.json()["number"] == f"TS{today}0002"


async def test_same_idempotency_key_returns_the_first_complaint(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    first = await file(client, people.resident, {"facility_id": world.facility.id}, key="k-1")
    again = await file(client, people.resident, {"facility_id": world.facility.id}, key="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert (await session.execute(sa.select(sa.func.count()).select_from(Complaint))).scalar_one() == 1


async def test_booking_target_derives_service_facility_and_supplier(
    client: httpx.AsyncClient, world: World, people: People, session: AsyncSession
) -> None:
    booking = await make_booking(session, world, people.resident, people.beneficiary)
    r = await file(client, people.resident, {"booking_id": booking.id})
    assert r.status_code == 201, r.text
    target = r.json()["target"]
    assert target == {
        "facility_id": str(world.facility.id),
        "supplier_id": str(world.supplier.id),
        "booking_id": str(booking.id),
        "service_id": str(world.elder_care.id),
        "operator_id": str(world.operator.id),
    }


async def test_another_residents_booking_is_not_found(
    client: httpx.AsyncClient, world: World, people: People, session: AsyncSession
) -> None:
    booking = await make_booking(session, world, people.resident, people.beneficiary)
    r = await file(client, people.other_resident, {"booking_id": booking.id})
    assert r.status_code == 404 and r.json()["code"] == "complaint_target_not_found"


async def test_targets_must_exist_belong_together_and_be_named(
    client: httpx.AsyncClient, world: World, people: People, session: AsyncSession
) -> None:
    assert (await file(client, people.resident, {})).status_code == 422
    missing = await file(client, people.resident, {"facility_id": uuid.uuid4()})
    assert missing.status_code == 404
    booking = await make_booking(session, world, people.resident, people.beneficiary)
    mismatch = await file(
        client, people.resident, {"booking_id": booking.id, "supplier_id": world.other_supplier.id}
    )
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "complaint_target_mismatch"
    bad_category = await file(client, people.resident, {"facility_id": world.facility.id}, category="noise")
    assert bad_category.status_code == 422


async def test_risky_text_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, session: AsyncSession, wechat: FakeWeChat, world: World, people: People
) -> None:
    wechat.set_verdict("违规", "risky", 20001)
    r = await file(client, people.resident, {"facility_id": world.facility.id}, text="这是违规内容")
    assert r.status_code == 422 and r.json()["code"] == "content_rejected"
    assert (await session.execute(sa.select(sa.func.count()).select_from(Complaint))).scalar_one() == 0
    (checked,) = wechat.checked
    assert checked["content"] == "这是违规内容" and checked["scene"] == 2


async def test_doubtful_or_unchecked_text_is_kept_and_held_for_a_human(
    client: httpx.AsyncClient, wechat: FakeWeChat, world: World, people: People
) -> None:
    wechat.set_verdict("可疑", "review", 21000)
    held = await file(client, people.resident, {"facility_id": world.facility.id}, text="可疑的内容")
    assert held.status_code == 201 and held.json()["text_held"] is True
    wechat.break_next("msg_sec_check", httpx.ReadTimeout)
    timed_out = await file(client, people.resident, {"facility_id": world.facility.id}, text="正常投诉")
    assert timed_out.status_code == 201 and timed_out.json()["text_held"] is True
    assert timed_out.json()["text"] == "正常投诉"


async def test_phone_complaint_is_bound_to_the_resident_with_that_phone(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    from backend.accounts.models import Resident
    from backend.core.crypto import phone_lookup_hash

    resident = await session.get(Resident, people.resident)
    assert resident is not None
    resident.phone, resident.phone_hash = "13812345678", phone_lookup_hash("13812345678")
    await session.commit()
    body = {
        "phone": "138 1234 5678",
        "target": {"facility_id": str(world.facility.id)},
        "category": "environment",
        "text": "活动室太吵",
    }
    headers = operator_headers(world.operator.id) | {"Idempotency-Key": "p-1"}
    r = await client.post("/complaints/phone", json=body, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["channel"] == "phone" and r.json()["phone"] == "138 1234 5678"
    assert r.json()["history"][0]["action"] == "record_phone"
    mine = (await client.get("/me/complaints", headers=resident_headers(people.resident))).json()["items"]
    assert [c["id"] for c in mine] == [r.json()["id"]]
    assert mine[0]["phone"] is None and mine[0]["phone_masked"] == "138****5678"
    listed = (await client.get("/complaints", headers=operator_headers(world.operator.id))).json()["items"]
    assert listed[0]["phone"] is None and listed[0]["phone_masked"] == "138****5678"
    # Outside the caller's scope the target does not exist.
    elsewhere = body | {"target": {"facility_id": str(world.facility.id)}}
    r = await client.post(
        "/complaints/phone",
        json=elsewhere,
        headers=operator_headers(world.other_operator.id) | {"Idempotency-Key": "p-2"},
    )
    assert r.status_code == 404


async def test_residents_and_other_operators_cannot_see_a_complaint(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    """A resident cannot see another's complaint; an operator sees only its own facilities' (404)."""
    cid = (await file(client, people.resident, {"facility_id": world.facility.id})).json()["id"]
    assert (
        await client.get(f"/complaints/{cid}", headers=resident_headers(people.resident))
    ).status_code == 200
    for headers in (
        resident_headers(people.other_resident),
        operator_headers(world.other_operator.id),
        supplier_headers(world.other_supplier.id),
        street_headers(uuid.uuid4()),
    ):
        r = await client.get(f"/complaints/{cid}", headers=headers)
        assert r.status_code == 404 and r.json()["code"] == "complaint_not_found"
    for headers in (operator_headers(world.operator.id), street_headers(people.street_id)):
        r = await client.get(f"/complaints/{cid}", headers=headers)
        assert r.status_code == 200 and r.json()["text"] == "服务人员迟到了一个小时"
    assert (await client.get("/complaints", headers=operator_headers(world.other_operator.id))).json()[
        "items"
    ] == []
    assert (await client.get("/me/complaints", headers=resident_headers(people.other_resident))).json()[
        "items"
    ] == []


async def test_supplier_sees_its_own_complaints_only(
    client: httpx.AsyncClient, world: World, people: People
) -> None:
    mine = (await file(client, people.resident, {"supplier_id": world.supplier.id})).json()["id"]
    await file(client, people.resident, {"facility_id": world.facility.id})  # facility-level: the operator's
    await file(client, people.resident, {"supplier_id": world.other_supplier.id})
    listed = (await client.get("/complaints", headers=supplier_headers(world.supplier.id))).json()["items"]
    assert [c["id"] for c in listed] == [mine]


async def test_filing_records_who_and_when(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    cid = (await file(client, people.resident, {"facility_id": world.facility.id})).json()["id"]
    (event,) = (await session.execute(sa.select(ComplaintEvent))).scalars().all()
    assert str(event.complaint_id) == cid
    assert (event.action, event.actor_role, event.actor_id, event.to_status) == (
        "file",
        "resident",
        people.resident,
        "submitted",
    )
    assert re.match(r"^TS\d{12}$", (await session.get(Complaint, uuid.UUID(cid))).number)  # type: ignore[union-attr]
