"""Outbox delivery through WeChat subscription messages, and the reminder job."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.jobs import SEND_REMINDERS
from backend.core.clock import utcnow
from backend.core.jobs import run_tick
from backend.core.settings import get_settings
from backend.notifications.jobs import DELIVER_OUTBOX
from backend.notifications.models import MessageKind, OutboxMessage
from backend.notifications.service import enqueue
from tests.bookings.factories import World, make_resident, make_slot, make_world, resident_headers


@pytest.fixture
def templates() -> Iterator[None]:
    settings = get_settings()
    before = (settings.wechat_template_booking_confirmed, settings.wechat_template_booking_reminder)
    settings.wechat_template_booking_confirmed = "tpl-confirmed"
    settings.wechat_template_booking_reminder = "tpl-reminder"
    yield
    settings.wechat_template_booking_confirmed, settings.wechat_template_booking_reminder = before


async def _message(session: AsyncSession, data: dict[str, str] | None = None) -> tuple[str, uuid.UUID]:
    resident, _ = await make_resident(session)
    openid = resident.openid
    await enqueue(
        session,
        resident.id,
        MessageKind.booking_confirmed,
        data or {"thing1": "日间照料", "time2": "2026年12月1日 08:00", "thing3": "王秀英"},
        page="pages/booking/detail?id=1",
    )
    await session.commit()
    return openid, (await session.scalar(sa.select(OutboxMessage.id)))  # type: ignore[return-value]


async def _deliver(offset_seconds: int = 0) -> bool:
    tick = DELIVER_OUTBOX.tick_for(
        utcnow() + timedelta(seconds=offset_seconds + DELIVER_OUTBOX.every_seconds)
    )
    return await run_tick(DELIVER_OUTBOX, tick)


async def _status(session: AsyncSession, message_id: uuid.UUID) -> OutboxMessage:
    session.expire_all()
    return (
        await session.execute(sa.select(OutboxMessage).where(OutboxMessage.id == message_id))
    ).scalar_one()


async def test_delivers_once_per_tick(
    app: object, session: AsyncSession, wechat: Any, templates: None
) -> None:
    openid, message_id = await _message(session)
    tick = DELIVER_OUTBOX.tick_for(utcnow() + timedelta(seconds=DELIVER_OUTBOX.every_seconds))
    assert await run_tick(DELIVER_OUTBOX, tick)
    assert not await run_tick(DELIVER_OUTBOX, tick)
    row = await _status(session, message_id)
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None
    assert len(wechat.sent) == 1
    sent = wechat.sent[0]
    assert sent["touser"] == openid and sent["template_id"] == "tpl-confirmed"
    assert sent["data"]["thing1"] == {"value": "日间照料"}


async def test_not_configured_is_skipped(app: object, session: AsyncSession, wechat: Any) -> None:
    _, message_id = await _message(session)
    assert await _deliver()
    assert (await _status(session, message_id)).status == "skipped"
    assert wechat.sent == []


async def test_43101_uses_the_credit_and_is_not_retried(
    app: object, session: AsyncSession, wechat: Any, templates: None
) -> None:
    openid, message_id = await _message(session)
    wechat.not_subscribed.add(openid)
    assert await _deliver()
    row = await _status(session, message_id)
    assert row.status == "not_subscribed" and row.attempts == 1
    assert await _deliver(60)
    assert (await _status(session, message_id)).attempts == 1


async def test_busy_retries_with_backoff_then_fails(
    app: object, session: AsyncSession, wechat: Any, templates: None
) -> None:
    _, message_id = await _message(session)
    wechat.fail_next("subscribe_send", -1, times=10)
    assert await _deliver()
    row = await _status(session, message_id)
    assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at > utcnow()
    assert await _deliver(DELIVER_OUTBOX.every_seconds)  # a later tick, but not due yet: untouched
    assert (await _status(session, message_id)).attempts == 1
    base = get_settings().outbox_retry_base_seconds
    offset = 0
    for attempt in range(2, get_settings().outbox_max_attempts + 1):
        offset += base * 2 ** (attempt - 2) + DELIVER_OUTBOX.every_seconds
        assert await _deliver(offset)
        assert (await _status(session, message_id)).attempts == attempt
    assert (await _status(session, message_id)).status == "failed"


async def test_network_failure_is_retried(
    app: object, session: AsyncSession, wechat: Any, templates: None
) -> None:
    _, message_id = await _message(session)
    wechat.break_next("subscribe_send", httpx.ReadTimeout)
    assert await _deliver()
    row = await _status(session, message_id)
    assert row.status == "pending" and row.attempts == 1
    assert await _deliver(get_settings().outbox_retry_base_seconds + DELIVER_OUTBOX.every_seconds)
    assert (await _status(session, message_id)).status == "sent"
    assert len(wechat.sent) == 1


async def test_values_over_their_limit_are_rejected_before_sending(
    app: object, session: AsyncSession, wechat: Any, templates: None
) -> None:
    _, message_id = await _message(session, {"thing1": "字" * 21, "time2": "明天上午"})
    assert await _deliver()
    row = await _status(session, message_id)
    assert row.status == "rejected" and "thing1" in (row.last_error or "")
    assert wechat.sent == []


async def test_one_reminder_per_booking(
    client: httpx.AsyncClient, session: AsyncSession, wechat: Any, templates: None
) -> None:
    world: World = await make_world(session)
    resident, ben = await make_resident(session)
    resident_id = resident.id
    soon = await make_slot(session, world.elder_care, starts_in=timedelta(minutes=150))
    far = await make_slot(session, world.elder_care, starts_in=timedelta(days=2))
    for slot in (soon, far):
        r = await client.post(
            "/bookings",
            json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id)},
            headers=resident_headers(resident.id),
        )
        assert r.status_code == 201
    tick = SEND_REMINDERS.tick_for(utcnow() + timedelta(minutes=40))
    assert await run_tick(SEND_REMINDERS, tick)
    assert not await run_tick(SEND_REMINDERS, tick)
    assert await run_tick(SEND_REMINDERS, tick + timedelta(seconds=SEND_REMINDERS.every_seconds))
    reminders = (
        (await session.execute(sa.select(OutboxMessage).where(OutboxMessage.kind == "booking_reminder")))
        .scalars()
        .all()
    )
    assert len(reminders) == 1 and reminders[0].resident_id == resident_id
    assert await _deliver(40 * 60)
    assert {m["template_id"] for m in wechat.sent} == {"tpl-confirmed", "tpl-reminder"}


async def test_thousands_of_messages_are_queued_in_batches(app: object, session: AsyncSession) -> None:
    """A morning's reminders (or a facility's suspension notices) in one call: more rows than one INSERT
    can bind parameters for (11 a row; PostgreSQL takes 32,767), queued all the same."""
    from backend.notifications.service import enqueue_many, message

    resident, _ = await make_resident(session)
    rows = [
        message(
            resident.id,
            MessageKind.booking_reminder,
            {"thing1": "长者午餐", "time2": "2026年12月1日 11:30", "thing3": "王秀英"},
            dedupe_key=f"reminder:{i}",
        )
        for i in range(3500)
    ]
    assert await enqueue_many(session, rows) == 3500
    assert await enqueue_many(session, rows[:10]) == 0  # deduplicated
    await session.commit()
    assert await session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 3500
