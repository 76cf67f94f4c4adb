"""Review tasks reach staff as WeChat subscription messages (outbox), and the street office closes a
rectification it has (DOMAIN.md: a bad review opens a rectification; escalation goes to the operator, then the
street office)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.models import StaffAccount
from backend.accounts.tokens import staff_principal
from backend.audit.models import AuditEntry
from backend.core.access import RegionLevel, Role
from backend.core.clock import utcnow
from backend.core.jobs import run_tick
from backend.core.settings import get_settings
from backend.notifications.jobs import DELIVER_OUTBOX
from backend.notifications.models import OutboxMessage
from backend.reviews.jobs import ESCALATE_OVERDUE
from backend.reviews.models import Rectification
from tests.accounts.factories import make_staff
from tests.bookings.factories import bearer
from tests.reviews.factories import ReviewWorld, resident_headers
from tests.reviews.test_rectifications import bad_review, messages_to


@pytest.fixture
def staff_template() -> Iterator[None]:
    settings = get_settings()
    before = settings.wechat_template_staff_task
    settings.wechat_template_staff_task = "tpl-staff-task"
    yield
    settings.wechat_template_staff_task = before


def headers_of(account: StaffAccount) -> dict[str, str]:
    return bearer(staff_principal(account))


async def bind(client: httpx.AsyncClient, wechat: Any, account: StaffAccount, openid: str) -> None:
    r = await client.post(
        "/staff/me/wechat", json={"code": wechat.issue_login_code(openid)}, headers=headers_of(account)
    )
    assert r.status_code == 200, r.text
    assert r.json()["wechat_bound"] is True


async def staff_messages(session: AsyncSession) -> list[tuple[uuid.UUID, str]]:
    rows = await session.execute(
        sa.select(OutboxMessage.staff_account_id, OutboxMessage.data).where(
            OutboxMessage.staff_account_id.is_not(None)  # type: ignore[union-attr]
        )
    )
    return sorted((who, data["phrase2"]) for who, data in rows.all())  # type: ignore[misc]


async def test_a_bad_review_tells_the_operators_and_suppliers_staff_who_bound_their_wechat(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld, wechat: Any, staff_template: None
) -> None:
    w = rw.w
    operator = await make_staff(session, Role.operator_staff, operator_id=w.operator.id)
    unbound = await make_staff(session, Role.operator_staff, operator_id=w.operator.id)
    supplier = await make_staff(session, Role.supplier_staff, supplier_id=w.supplier.id)
    stranger = await make_staff(session, Role.operator_staff, operator_id=w.other_operator.id)
    street = await make_staff(
        session, Role.regulator, region_level=RegionLevel.street, region_id=rw.street_id
    )
    for account, openid in (
        (operator, "wx-op"),
        (supplier, "wx-sup"),
        (stranger, "wx-other"),
        (street, "wx-st"),
    ):
        await bind(client, wechat, account, openid)
    me = (await client.get("/staff/me", headers=headers_of(unbound))).json()
    assert me["wechat_bound"] is False

    rect_id, _ = await bad_review(client, session, rw)
    assert await staff_messages(session) == sorted([(operator.id, "待整改"), (supplier.id, "待整改")])
    tick = DELIVER_OUTBOX.tick_for(utcnow() + timedelta(seconds=DELIVER_OUTBOX.every_seconds))
    assert await run_tick(DELIVER_OUTBOX, tick)
    sent = {m["touser"]: m for m in wechat.sent}
    assert set(sent) == {"wx-op", "wx-sup"}
    assert sent["wx-op"]["template_id"] == "tpl-staff-task"
    assert sent["wx-op"]["data"]["phrase2"] == {"value": "待整改"}
    assert sent["wx-op"]["page"] == f"pages/staff/rectification?id={rect_id}"

    # The call back is overdue: the job hands it to the street office, whose staff are told.
    await session.execute(
        sa.update(Rectification)
        .where(Rectification.id == uuid.UUID(rect_id))  # type: ignore[arg-type]
        .values(call_back_due_at=utcnow() - timedelta(minutes=1))
    )
    await session.commit()
    assert await run_tick(ESCALATE_OVERDUE, ESCALATE_OVERDUE.tick_for(utcnow() + timedelta(minutes=5)))
    assert (street.id, "街道督办") in await staff_messages(session)
    assert (stranger.id, "街道督办") not in await staff_messages(session)


async def test_one_wechat_receives_one_accounts_tasks_and_unbinding_stops_them(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld, wechat: Any
) -> None:
    first = await make_staff(session, Role.operator_staff, operator_id=rw.w.operator.id)
    second = await make_staff(session, Role.operator_staff, operator_id=rw.w.operator.id)
    await bind(client, wechat, first, "wx-same")
    await bind(client, wechat, second, "wx-same")
    openids = await session.execute(
        sa.select(StaffAccount.id, StaffAccount.openid).where(
            StaffAccount.id.in_([first.id, second.id])  # type: ignore[attr-defined]
        )
    )
    assert dict(openids.tuples().all()) == {first.id: None, second.id: "wx-same"}
    r = await client.delete("/staff/me/wechat", headers=headers_of(second))
    assert r.json()["wechat_bound"] is False
    await bad_review(client, session, rw)
    assert await staff_messages(session) == []
    actions = (
        await session.execute(sa.select(AuditEntry.action).where(AuditEntry.entity_id == second.id))
    ).scalars()
    assert sorted(actions) == ["bind_wechat", "unbind_wechat"]


async def test_the_street_office_closes_a_rectification_once_it_has_it(
    client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld
) -> None:
    rect_id, resident_id = await bad_review(client, session, rw)
    close = f"/rectifications/{rect_id}/close"
    body = {"note": "街道已约谈供应方，更换送餐保温设备"}
    # Not the street's yet: 409; the operator never closes (403); another street does not see it (404).
    r = await client.post(close, json=body, headers=rw.street)
    assert (r.status_code, r.json()["code"]) == (409, "rectification_step_not_allowed")
    assert (await client.post(close, json=body, headers=rw.operator)).status_code == 403
    assert (await client.post(close, json=body, headers=rw.supplier)).status_code == 403
    assert (await client.post(close, json=body, headers=rw.other_street)).status_code == 404

    await session.execute(
        sa.update(Rectification)
        .where(Rectification.id == uuid.UUID(rect_id))  # type: ignore[arg-type]
        .values(call_back_due_at=utcnow() - timedelta(minutes=1))
    )
    await session.commit()
    assert await run_tick(ESCALATE_OVERDUE, ESCALATE_OVERDUE.tick_for(utcnow() + timedelta(minutes=5)))
    r = await client.post(close, json=body, headers=rw.street)
    assert r.status_code == 200, r.text
    closed = r.json()
    assert (closed["status"], closed["close_note"], closed["escalated_to"]) == (
        "closed",
        body["note"],
        "street",
    )
    assert closed["closed_at"].endswith("+08:00")
    assert (await client.post(close, json=body, headers=rw.street)).status_code == 409
    assert await messages_to(session, resident_id) == ["已升级", "已办结"]
    audit = await session.scalar(
        sa.select(sa.func.count()).where(
            AuditEntry.action == "close",
            AuditEntry.entity_id == uuid.UUID(rect_id),  # type: ignore[arg-type]
        )
    )
    assert audit == 1
    mine = (await client.get("/me/reviews", headers=resident_headers(resident_id))).json()["items"][0]
    assert mine["rectification"]["status"] == "closed"
