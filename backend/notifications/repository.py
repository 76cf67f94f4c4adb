"""Queries of the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.queries import residents_sql, staff_openids_sql
from backend.core.database import insert_for
from backend.notifications.models import OutboxMessage, OutboxStatus

outbox_t: sa.Table = OutboxMessage.__table__  # type: ignore[attr-defined]
resident_t: sa.Subquery = residents_sql()  # the accounts' public SQL reads
staff_t: sa.Subquery = staff_openids_sql()


# A multi-row INSERT binds one parameter per column and row; PostgreSQL (asyncpg) takes at most 32,767
# per statement and SQLite 32,766, so a morning's reminders or a facility's suspension notices go in batches.
BATCH_ROWS = 1000


async def insert_messages(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Insert messages; one whose `dedupe_key` already exists is skipped. Returns how many were new."""
    if len(rows) == 1 and rows[0].get("dedupe_key") is None:
        # One message that cannot conflict (a booking's confirmation): a plain INSERT, whose compiled form
        # SQLAlchemy caches (an `on_conflict_do_nothing` statement is compiled anew on every call).
        await session.execute(sa.insert(outbox_t).values(**rows[0]))
        return 1
    inserted = 0
    for start in range(0, len(rows), BATCH_ROWS):
        stmt = (
            insert_for(session)(outbox_t)
            .values(rows[start : start + BATCH_ROWS])
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(outbox_t.c.id)
        )
        inserted += len((await session.execute(stmt)).scalars().all())
    return inserted


async def due(session: AsyncSession, now: datetime, limit: int) -> Sequence[sa.Row[Any]]:
    """Pending messages due now, oldest first, with the recipient's openid (the resident's, or the staff
    member's bound WeChat: null when not bound)."""
    stmt = (
        sa.select(outbox_t, sa.func.coalesce(resident_t.c.openid, staff_t.c.openid).label("openid"))
        .outerjoin(resident_t, resident_t.c.id == outbox_t.c.resident_id)
        .outerjoin(staff_t, staff_t.c.id == outbox_t.c.staff_account_id)
        .where(outbox_t.c.status == OutboxStatus.pending.value, outbox_t.c.next_attempt_at <= now)
        .order_by(outbox_t.c.next_attempt_at, outbox_t.c.id)
        .limit(limit)
        .with_for_update(of=outbox_t, skip_locked=True)
    )
    return (await session.execute(stmt)).all()


async def update(session: AsyncSession, message_id: uuid.UUID, **values: Any) -> None:
    await session.execute(sa.update(outbox_t).where(outbox_t.c.id == message_id).values(**values))
