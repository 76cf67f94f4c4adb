"""Two concurrent escalations make one (PostgreSQL: a conditional UPDATE on the status and level read;
the loser waits for the winner's row lock, re-reads, matches nothing and answers 409)."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.complaints.models import ComplaintEvent
from tests.bookings.factories import World
from tests.complaints.factories import People, file, get_row, resident_headers
from tests.conftest import requires_postgres


@requires_postgres
async def test_concurrent_escalations_make_one(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    cid = (await file(client, people.resident, {"supplier_id": world.supplier.id})).json()["id"]
    replies = await asyncio.gather(
        *(
            client.post(
                f"/complaints/{cid}/escalate",
                json={"reason": "没人管"},
                headers=resident_headers(people.resident),
            )
            for _ in range(5)
        )
    )
    assert Counter(r.status_code for r in replies) == {200: 1, 409: 4}
    assert {r.json()["code"] for r in replies if r.status_code == 409} == {"complaint_state_conflict"}
    row = await get_row(session, cid)
    assert (row.status, row.escalation) == ("escalated", "operator")
    escalations = await session.scalar(
        sa.select(sa.func.count()).where(
            ComplaintEvent.complaint_id == row.id, ComplaintEvent.action == "escalate"
        )  # type: ignore[arg-type]
    )
    assert escalations == 1
