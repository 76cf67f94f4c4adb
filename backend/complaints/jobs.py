"""Scheduled work of the complaints domain; each tick runs exactly once across processes (core.jobs ledger).

Every tick: acknowledgements past their deadline are marked; answers past their deadline go one level up (the
street office's own lateness is marked), and
answers the resident did not confirm within the confirm window close as accepted. Each move is a conditional
update and each notice has a dedupe key, so a complaint is escalated and announced once whatever the ticks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.complaints import moves
from backend.complaints import repository as repo
from backend.core.jobs import Job

BATCH = 500


async def handle_deadlines(session: AsyncSession, tick: datetime) -> dict[str, Any]:
    summary = {"escalated": 0, "marked": 0, "unacknowledged": 0, "closed": 0, "skipped": 0}
    for c in await repo.unacknowledged(session, tick, BATCH):
        summary["unacknowledged" if await moves.mark_unacknowledged(session, c, tick) else "skipped"] += 1
    for c in await repo.overdue_unanswered(session, tick, BATCH):
        summary[await moves.escalate_overdue(session, c, tick)] += 1
    for c in await repo.unconfirmed(session, tick, BATCH):
        summary["closed" if await moves.close_unconfirmed(session, c, tick) else "skipped"] += 1
    return summary


HANDLE_DEADLINES = Job("complaints.handle_deadlines", handle_deadlines, every_seconds=300)

JOBS: list[Job] = [HANDLE_DEADLINES]
