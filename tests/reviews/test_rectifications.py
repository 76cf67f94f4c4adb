"""整改 of bad reviews: working-day deadlines (official calendar), the supplier's call-back and fix, the
resident's verdict, escalation to the operator and then the street office, and the overdue job."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.models import AuditEntry
from backend.core.clock import utcnow
from backend.core.jobs import run_tick
from backend.notifications.models import OutboxMessage
from backend.reviews.jobs import ESCALATE_OVERDUE
from backend.reviews.models import Rectification
from backend.workdays.queries import add_working_days
from tests.reviews.factories import ReviewWorld, completed_booking, post_review, resident_headers


async def bad_review(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> tuple[str, uuid.UUID]:
    booking_id, resident_id = await completed_booking(session, rw.w.meal)
    r = await post_review(client, booking_id, resident_id, level=1, text="饭菜凉了")
    assert r.status_code == 201, r.text
    return r.json()["rectification"]["id"], resident_id


async def messages_to(session: AsyncSession, resident_id: uuid.UUID) -> list[str]:
    rows = await session.execute(
        sa.select(OutboxMessage.data)
        .where(OutboxMessage.resident_id == resident_id)
        .order_by(OutboxMessage.created_at)  # type: ignore[call-overload,arg-type]
    )
    return [d["phrase2"] for (d,) in rows.all()]


async def test_deadlines_are_one_and_fifteen_working_days(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    """The national 好差评 practice: call back within 1 working day, fix within 15 (official calendar)."""
    before = utcnow()
    rect_id, _ = await bad_review(client, session, rw)
    row = await session.get(Rectification, uuid.UUID(rect_id))
    assert row is not None
    assert row.call_back_due_at == (await add_working_days(session, before, 1)).at
    assert row.fix_due_at == (await add_working_days(session, before, 15)).at


async def test_call_back_fix_and_a_satisfied_verdict_close_it(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    rect_id, resident_id = await bad_review(client, session, rw)
    base = f"/rectifications/{rect_id}"
    # Only the service's own supplier acts; another supplier does not even see it.
    assert (
        await client.post(f"{base}/call-back", json={"note": "x"}, headers=rw.other_supplier)
    ).status_code == 404
    r = await client.post(f"{base}/fix", json={"description": "先修"}, headers=rw.supplier)
    assert (r.status_code, r.json()["code"]) == (409, "rectification_step_not_allowed")
    r = await client.post(f"{base}/call-back", json={"note": "已电话联系王阿姨"}, headers=rw.supplier)
    assert (r.status_code, r.json()["status"]) == (200, "fixing")
    r = await client.post(f"{base}/fix", json={"description": "更换保温餐箱"}, headers=rw.supplier)
    assert (r.json()["status"], r.json()["fix_description"]) == ("awaiting_verdict", "更换保温餐箱")
    r = await client.post(
        f"{base}/verdict", json={"verdict": "satisfied"}, headers=resident_headers(resident_id)
    )
    assert (r.status_code, r.json()["status"], r.json()["verdict"]) == (200, "closed", "satisfied")
    assert await messages_to(session, resident_id) == ["已回访", "待评价"]
    mine = (await client.get("/me/reviews", headers=resident_headers(resident_id))).json()["items"][0]
    assert mine["rectification"]["status"] == "closed"


async def test_unsatisfied_twice_goes_to_the_operator_then_the_street_office(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    rect_id, resident_id = await bad_review(client, session, rw)
    base, me = f"/rectifications/{rect_id}", resident_headers(resident_id)
    await client.post(f"{base}/call-back", json={"note": "已回访"}, headers=rw.supplier)
    await client.post(f"{base}/fix", json={"description": "第一次整改"}, headers=rw.supplier)
    r = await client.post(f"{base}/verdict", json={"verdict": "unsatisfied", "comment": "还是凉"}, headers=me)
    assert (r.json()["status"], r.json()["escalated_to"]) == ("fixing", "operator")
    await client.post(f"{base}/fix", json={"description": "第二次整改"}, headers=rw.supplier)
    r = await client.post(f"{base}/verdict", json={"verdict": "unsatisfied"}, headers=me)
    assert (r.json()["status"], r.json()["escalated_to"]) == ("escalated", "street")
    r = await client.post(f"{base}/verdict", json={"verdict": "satisfied"}, headers=me)
    assert r.status_code == 409
    _, stranger = await completed_booking(session, rw.w.meal)
    assert (
        await client.post(
            f"{base}/verdict", json={"verdict": "satisfied"}, headers=resident_headers(stranger)
        )
    ).status_code == 404


async def test_an_overdue_step_escalates_to_the_street_office_exactly_once(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    rect_id, resident_id = await bad_review(client, session, rw)
    await session.execute(
        sa.update(Rectification)
        .where(Rectification.id == uuid.UUID(rect_id))  # type: ignore[arg-type]
        .values(call_back_due_at=utcnow() - timedelta(minutes=1))
    )
    await session.commit()
    overdue = (await client.get("/rectifications", params={"overdue": "true"}, headers=rw.operator)).json()[
        "items"
    ]
    assert [i["id"] for i in overdue] == [rect_id]
    now = utcnow()
    assert await run_tick(ESCALATE_OVERDUE, ESCALATE_OVERDUE.tick_for(now))
    assert await run_tick(ESCALATE_OVERDUE, ESCALATE_OVERDUE.tick_for(now + timedelta(minutes=5)))
    r = (await client.get(f"/rectifications/{rect_id}", headers=rw.street)).json()
    assert (r["escalated_to"], r["overdue_step"], r["status"]) == (
        "street",
        "call_back",
        "awaiting_call_back",
    )
    escalations = await session.scalar(
        sa.select(sa.func.count()).where(AuditEntry.action == "escalate_overdue")  # type: ignore[arg-type]
    )
    assert escalations == 1
    assert await messages_to(session, resident_id) == ["已升级"]
    # Late, but the supplier may still call back.
    r = await client.post(
        f"/rectifications/{rect_id}/call-back", json={"note": "迟到的回访"}, headers=rw.supplier
    )
    assert r.json()["status"] == "fixing" and r.json()["escalated_to"] == "street"


async def test_the_staff_queue_is_scoped(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    rect_id, _ = await bad_review(client, session, rw)
    assert [i["id"] for i in (await client.get("/rectifications", headers=rw.supplier)).json()["items"]] == [
        rect_id
    ]
    assert (await client.get("/rectifications", headers=rw.other_supplier)).json()["items"] == []
    assert [i["id"] for i in (await client.get("/rectifications", headers=rw.street)).json()["items"]] == [
        rect_id
    ]
    assert (await client.get("/rectifications", headers=rw.other_street)).json()["items"] == []
    r = await client.get("/rectifications", params={"status": "closed"}, headers=rw.admin)
    assert r.json()["items"] == []
    assert (await client.get(f"/rectifications/{rect_id}", headers=rw.other_supplier)).status_code == 404


async def test_the_facilitys_ruleset_sets_the_window_and_the_deadlines(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    """A city ruleset (rulesets domain) with a 7-day review window and 2/10 working days."""
    from backend.catalogue.models import District
    from backend.rulesets.document import DEFAULT_DOCUMENT
    from backend.rulesets.models import RulesetVersion

    city_id = await session.scalar(sa.select(District.city_id).where(District.id == rw.district_id))  # type: ignore[arg-type]
    document = DEFAULT_DOCUMENT.model_dump(mode="json")
    document["reviews"] = {"window_days": 7, "call_back_working_days": 2, "fix_working_days": 10}
    session.add(
        RulesetVersion(city_id=city_id, place_id=city_id, version=1, name="测试规则", document=document,
                       published_at=utcnow() - timedelta(days=1))
    )  # fmt: skip
    await session.commit()
    late, late_owner = await completed_booking(session, rw.w.meal, completed_at=utcnow() - timedelta(days=8))
    r = await post_review(client, late, late_owner, level=1)
    assert (r.status_code, r.json()["code"], r.json()["window_days"]) == (409, "review_window_closed", 7)
    before = utcnow()
    rect_id, _ = await bad_review(client, session, rw)
    row = await session.get(Rectification, uuid.UUID(rect_id))
    assert row is not None
    assert row.call_back_due_at == (await add_working_days(session, before, 2)).at
    assert row.fix_due_at == (await add_working_days(session, before, 10)).at
