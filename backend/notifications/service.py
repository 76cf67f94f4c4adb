"""The outbox: `enqueue` in the transaction of the change; `deliver_due` from the delivery job.

Delivery never blocks or fails a booking: it runs in its own job. Per message: no template configured ->
`skipped`; a value that breaks its key type's limit -> `rejected` before any credit is spent; WeChat's
43101 -> `not_subscribed` (the credit is used, never retried); a permanent refusal -> `rejected`; busy,
network or timeout -> tried again with exponential backoff, `failed` after `outbox_max_attempts`.
A send is at least once: if the job's transaction is lost after a send, that message may go again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import utcnow
from backend.core.settings import get_settings
from backend.notifications import repository as repo
from backend.notifications.messages import template_id
from backend.notifications.models import MessageKind as MessageKind
from backend.notifications.models import OutboxStatus
from backend.wechat.client import SendOutcome
from backend.wechat.provider import get_wechat
from backend.wechat.templates import validate_template_data

log = logging.getLogger("backend.notifications")


def message(
    resident_id: uuid.UUID | None,
    kind: MessageKind,
    data: Mapping[str, str],
    *,
    page: str | None = None,
    dedupe_key: str | None = None,
    now: datetime | None = None,
    staff_account_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """One outbox row, ready for `enqueue_many`: to a resident, or (`resident_id=None`) to a staff account."""
    now = now or utcnow()
    return {
        "id": uuid.uuid4(),
        "resident_id": resident_id,
        "staff_account_id": staff_account_id,
        "kind": kind.value,
        "data": dict(data),
        "page": page,
        "dedupe_key": dedupe_key,
        "status": OutboxStatus.pending.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }


def staff_message(
    staff_account_id: uuid.UUID,
    kind: MessageKind,
    data: Mapping[str, str],
    *,
    page: str | None = None,
    dedupe_key: str | None = None,
) -> dict[str, Any]:
    """One outbox row to a staff account (delivered to the WeChat it bound), ready for `enqueue_many`."""
    return message(None, kind, data, page=page, dedupe_key=dedupe_key, staff_account_id=staff_account_id)


async def enqueue(
    session: AsyncSession,
    resident_id: uuid.UUID,
    kind: MessageKind,
    data: Mapping[str, str],
    *,
    page: str | None = None,
    dedupe_key: str | None = None,
) -> bool:
    """Queue one message in the caller's transaction; False if `dedupe_key` was already queued."""
    row = message(resident_id, kind, data, page=page, dedupe_key=dedupe_key)
    return await repo.insert_messages(session, [row]) == 1


async def enqueue_many(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    return await repo.insert_messages(session, rows)


def _backoff(attempts: int) -> timedelta:
    base = get_settings().outbox_retry_base_seconds
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


async def deliver_due(session: AsyncSession, now: datetime, batch: int = 100) -> dict[str, int]:
    """Send what is due; returns how many messages ended in each status (and how many will retry)."""
    settings = get_settings()
    counts: dict[str, int] = {}
    rows = await repo.due(session, now, batch)
    client = get_wechat() if rows else None
    for row in rows:
        template = template_id(settings, row.kind)
        values: dict[str, Any] = {"updated_at": utcnow()}
        if not template or not row.openid:
            values.update(
                status=OutboxStatus.skipped.value, last_error="template not configured or no openid"
            )
        elif problems := validate_template_data(row.data):
            log.error("outbox message %s has values WeChat would refuse: %s", row.id, problems)
            values.update(status=OutboxStatus.rejected.value, last_error="; ".join(problems)[:500])
        else:
            assert client is not None
            try:
                outcome = await client.send_subscribe_message(row.openid, template, row.data, row.page)
            except Exception:
                # One broken message must not roll back the tick (and re-send what already went out).
                log.exception("outbox message %s: unexpected error while sending", row.id)
                outcome = SendOutcome.retry
            attempts = row.attempts + 1
            values["attempts"] = attempts
            if outcome == SendOutcome.sent:
                values.update(status=OutboxStatus.sent.value, sent_at=utcnow(), last_error=None)
            elif outcome == SendOutcome.not_subscribed:
                values.update(status=OutboxStatus.not_subscribed.value, last_error="43101 not subscribed")
            elif outcome == SendOutcome.rejected:
                values.update(status=OutboxStatus.rejected.value, last_error="refused by WeChat")
            elif attempts >= settings.outbox_max_attempts:
                values.update(status=OutboxStatus.failed.value, last_error="retries exhausted")
            else:
                values.update(next_attempt_at=now + _backoff(attempts), last_error="busy or unreachable")
                counts["retry"] = counts.get("retry", 0) + 1
        await repo.update(session, row.id, **values)
        status = values.get("status")
        if status:
            counts[status] = counts.get(status, 0) + 1
    return counts
