"""The demo city shows oversight: a failed fire inspection, a food grade C, an incident, a late report and a
pending function-change request; seeding twice adds nothing."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.demo_data import FACILITY_IDS
from backend.oversight.demo import HOUHU, YUCAI


async def _seed(session: AsyncSession) -> None:
    from backend.accounts import demo as accounts_demo
    from backend.catalogue import demo as catalogue_demo
    from backend.oversight import demo as oversight_demo
    from backend.workdays import demo as workdays_demo

    for module in (workdays_demo, catalogue_demo, accounts_demo, oversight_demo):
        await module.seed(session)
    await session.commit()


async def _count(session: AsyncSession, sql: str) -> int:
    return int((await session.execute(sa.text(sql))).scalar_one())


async def test_demo_oversight_records(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _seed(session)
    await _seed(session)
    assert (
        await _count(session, "SELECT count(*) FROM inspection WHERE kind = 'fire' AND result = 'fail'") == 1
    )
    assert await _count(session, "SELECT count(*) FROM inspection WHERE kind = 'food' AND result = 'C'") == 1
    assert await _count(session, "SELECT count(*) FROM incident") == 1
    assert await _count(session, "SELECT count(*) FROM operator_report WHERE late") == 1
    assert await _count(session, "SELECT count(*) FROM operator_report WHERE NOT late") == 1
    assert (
        await _count(session, "SELECT count(*) FROM facility_function_change WHERE status = 'pending'") == 1
    )
    page = (await client.get(f"/facilities/{FACILITY_IDS[HOUHU]}/safety")).json()
    assert page["fire"]["result"] == "fail" and page["emergency_plan_on_file"] is True
    assert page["last_drill"]["participants"] == 46
    assert (await client.get(f"/facilities/{FACILITY_IDS[YUCAI]}/safety")).json()["food"]["result"] == "C"
