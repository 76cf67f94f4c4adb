"""Decisions only the street office (or a regulator above it) or an admin take: appeals, moderation, and
not-genuine flags. The operator and the supplier never decide."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.models import AuditEntry
from backend.core.access import Principal, RegionLevel, Role
from backend.core.clock import utcnow
from backend.reviews.models import Review
from tests.bookings.factories import bearer
from tests.fakes.wechat import FakeWeChat
from tests.reviews.factories import ReviewWorld, completed_booking, post_review, resident_headers


async def a_review(client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld, **body: object) -> str:
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    r = await post_review(client, booking_id, resident_id, **{"level": 1, **body})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def appeal_body() -> dict[str, str]:
    return {"reason": "not_our_service", "text": "该居民当天未到店用餐，评价针对的是其他机构"}


async def test_an_appeal_decided_by_an_operator_is_403_and_by_the_street_office_upheld(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    review_id = await a_review(client, session, rw)
    h = {**rw.supplier, "Idempotency-Key": uuid.uuid4().hex}
    r = await client.post(f"/reviews/{review_id}/appeal", json=appeal_body(), headers=h)
    assert (r.status_code, r.json()["status"]) == (201, "pending")
    appeal_id = r.json()["id"]
    r = await client.post(f"/reviews/{review_id}/appeal", json=appeal_body(), headers=rw.supplier)
    assert (r.status_code, r.json()["code"]) == (409, "already_appealed")

    decision = {"upheld": True, "reason": "核实：当日无该居民用餐记录"}
    for who in (rw.operator, rw.supplier):
        r = await client.post(f"/appeals/{appeal_id}/decision", json=decision, headers=who)
        assert (r.status_code, r.json()["code"]) == (403, "role_not_allowed")
    assert (
        await client.post(f"/appeals/{appeal_id}/decision", json=decision, headers=rw.other_street)
    ).status_code == 404

    r = await client.post(f"/appeals/{appeal_id}/decision", json=decision, headers=rw.street)
    assert (r.status_code, r.json()["status"]) == (200, "upheld")
    r = await client.post(
        f"/appeals/{appeal_id}/decision", json={**decision, "upheld": False}, headers=rw.admin
    )
    assert (r.status_code, r.json()["code"]) == (409, "appeal_already_decided")
    item = (await client.get(f"/services/{rw.w.meal.id}/reviews")).json()["items"][0]
    assert (item["counted"], item["excluded_reason"]) == (False, "申诉成立：核实：当日无该居民用餐记录")
    audited = await session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "decide_appeal"))  # type: ignore[arg-type]
    assert audited == 1


async def test_a_district_regulator_above_decides_and_a_rejected_appeal_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    review_id = await a_review(client, session, rw)
    appeal_id = (
        await client.post(f"/reviews/{review_id}/appeal", json=appeal_body(), headers=rw.supplier)
    ).json()["id"]
    district = bearer(
        Principal(
            id=uuid.uuid4(), role=Role.regulator, region_level=RegionLevel.district, region_id=rw.district_id
        )
    )
    r = await client.post(
        f"/appeals/{appeal_id}/decision", json={"upheld": False, "reason": "证据不足"}, headers=district
    )
    assert (r.status_code, r.json()["status"]) == (200, "rejected")
    item = (await client.get(f"/services/{rw.w.meal.id}/reviews")).json()["items"][0]
    assert (item["counted"], item["excluded_reason"]) == (True, None)


async def test_appeal_only_by_the_services_supplier_within_seven_days(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    review_id = await a_review(client, session, rw)
    assert (
        await client.post(f"/reviews/{review_id}/appeal", json=appeal_body(), headers=rw.other_supplier)
    ).status_code == 404
    r = await client.post(f"/reviews/{review_id}/appeal", json=appeal_body(), headers=rw.operator)
    assert r.status_code == 403
    await session.execute(
        sa.update(Review)
        .where(Review.id == uuid.UUID(review_id))
        .values(created_at=utcnow() - timedelta(days=7, minutes=1))  # type: ignore[arg-type]
    )
    await session.commit()
    r = await client.post(f"/reviews/{review_id}/appeal", json=appeal_body(), headers=rw.supplier)
    assert (r.status_code, r.json()["code"]) == (409, "appeal_window_closed")


async def test_moderation_publishes_or_rejects_a_held_text(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld, wechat: FakeWeChat
) -> None:
    wechat.set_verdict("待审", "review", 21000)
    first = await a_review(client, session, rw, level=4, text="待审内容一")
    second = await a_review(client, session, rw, level=2, text="待审内容二")
    queue = (await client.get("/reviews", params={"awaiting_moderation": "true"}, headers=rw.street)).json()[
        "items"
    ]
    assert {i["id"] for i in queue} == {first, second}
    r = await client.post(f"/reviews/{first}/moderation", json={"publish": True}, headers=rw.operator)
    assert r.status_code == 403
    r = await client.post(f"/reviews/{first}/moderation", json={"publish": True}, headers=rw.other_street)
    assert r.status_code == 404
    r = await client.post(f"/reviews/{first}/moderation", json={"publish": True}, headers=rw.street)
    assert (r.status_code, r.json()["status"]) == (200, "published")
    r = await client.post(f"/reviews/{second}/moderation", json={"publish": False}, headers=rw.street)
    assert (r.status_code, r.json()["code"]) == (422, "reason_required")
    r = await client.post(
        f"/reviews/{second}/moderation", json={"publish": False, "reason": "含个人信息"}, headers=rw.admin
    )
    assert (r.json()["status"], r.json()["counted"]) == ("rejected", True)
    r = await client.post(f"/reviews/{second}/moderation", json={"publish": True}, headers=rw.admin)
    assert (r.status_code, r.json()["code"]) == (409, "not_pending_moderation")
    items = {i["id"]: i for i in (await client.get(f"/services/{rw.w.meal.id}/reviews")).json()["items"]}
    assert (items[first]["text"], items[second]["text"], items[second]["level"]) == ("待审内容一", None, 2)


async def test_a_burst_of_reviews_is_flagged_not_counted_for_a_regulator_to_confirm(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    from backend.accounts.models import Resident

    resident = await session.get(Resident, resident_id)
    ids = [(await post_review(client, booking_id, resident_id, level=5)).json()["id"]]
    for _ in range(4):
        b, _r = await completed_booking(session, rw.w.meal, resident=resident)
        ids.append((await post_review(client, b, resident_id, level=5)).json()["id"])
    staff = (await client.get("/reviews", params={"flagged": "true"}, headers=rw.street)).json()["items"]
    assert sorted(i["id"] for i in staff) == sorted(ids)
    assert {(i["counted"], i["flag"], i["flag_status"]) for i in staff} == {(False, "burst", "pending")}
    r = await client.post(
        f"/reviews/{ids[0]}/genuineness", json={"genuine": True, "reason": "核实为本人"}, headers=rw.street
    )
    assert (r.json()["counted"], r.json()["flag_status"], r.json()["excluded_reason"]) == (
        True,
        "cleared",
        None,
    )
    r = await client.post(
        f"/reviews/{ids[1]}/genuineness", json={"genuine": False, "reason": "刷评"}, headers=rw.street
    )
    assert (r.json()["counted"], r.json()["flag_status"]) == (False, "confirmed")
    r = await client.post(
        f"/reviews/{ids[1]}/genuineness", json={"genuine": True, "reason": "x"}, headers=rw.street
    )
    assert (r.status_code, r.json()["code"]) == (409, "flag_not_pending")
    r = await client.post(
        f"/reviews/{ids[2]}/genuineness", json={"genuine": True, "reason": "x"}, headers=rw.operator
    )
    assert r.status_code == 403
    mine = (await client.get("/me/reviews", headers=resident_headers(resident_id))).json()["items"]
    assert len(mine) == 5


async def test_a_review_by_a_staff_members_own_phone_is_flagged_as_a_self_review(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    """自评: the operator's staff account carries the same phone as the reviewing resident."""
    from backend.accounts.models import Resident
    from backend.core.crypto import phone_lookup_hash

    r = await client.post(
        "/staff/accounts",
        json={"username": "yikang-ops-1", "password": "a-long-staff-password", "display_name": "运营员",
              "role": "operator_staff", "operator_id": str(rw.w.operator.id), "phone": "13900001111"},
        headers=rw.admin,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert "phone" not in r.json()
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    resident = await session.get(Resident, resident_id)
    assert resident is not None
    resident.phone_hash = phone_lookup_hash("13900001111", "86")
    session.add(resident)
    await session.commit()
    review = (await post_review(client, booking_id, resident_id, level=5)).json()
    assert (review["counted"], review["excluded_reason"]) == (
        False,
        "疑似自评：作者手机号与该服务方员工账号相同（待核实）",
    )
    staff = (await client.get(f"/reviews/{review['id']}", headers=rw.street)).json()
    assert (staff["flag"], staff["flag_status"]) == ("same_phone_staff", "pending")
    # Another operator's staff with a phone does not flag this resident's review of a third party.
    other_booking, other_resident = await completed_booking(session, rw.w.other_service)
    other = await session.get(Resident, other_resident)
    assert other is not None
    other.phone_hash = phone_lookup_hash("13900001111", "86")
    session.add(other)
    await session.commit()
    assert (await post_review(client, other_booking, other_resident, level=5)).json()["counted"] is True
