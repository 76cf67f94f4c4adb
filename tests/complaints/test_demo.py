"""The demo city has complaints in every state, one mediated by the street office; seeding twice adds none."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import demo as accounts_demo
from backend.catalogue import demo as catalogue_demo
from backend.complaints import demo
from backend.complaints.models import Complaint, ComplaintStatus
from backend.core.access import Principal, RegionLevel, Role
from backend.core.demo_ids import demo_id
from tests.bookings.factories import bearer, resident_headers


async def test_demo_complaints_in_every_state(session: AsyncSession, client: httpx.AsyncClient) -> None:
    await catalogue_demo.seed(session)
    await accounts_demo.seed(session)
    await demo.seed(session)
    await demo.seed(session)
    await session.commit()
    rows = list((await session.execute(sa.select(Complaint))).scalars())
    assert {c.status for c in rows} == {s.value for s in ComplaintStatus}
    assert len(rows) == len(demo.PLANS)
    mine = await client.get("/me/complaints", headers=resident_headers(demo.RESIDENT))
    assert len(mine.json()["items"]) == len(rows)
    mediated = next(c for c in rows if c.status == "mediated")
    street = Principal(
        id=demo.STREET_STAFF,
        role=Role.regulator,
        region_level=RegionLevel.street,
        region_id=demo_id("street", "后湖街道"),
    )
    detail = (await client.get(f"/complaints/{mediated.id}", headers=bearer(street))).json()
    assert detail["escalation"] == "street" and detail["mediation"]["outcome"] == "agreement"
    assert [e["action"] for e in detail["history"]] == [
        "file",
        "acknowledge",
        "answer",
        "reject",
        "answer",
        "reject",
        "mediate",
    ]
