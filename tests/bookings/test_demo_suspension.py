"""The demo city holds a suspension notice on a subsidised service waiting for the street office's consent
(Wuhan art. 14), which the street office of 后湖街道 sees in its queue and can answer; seeding twice adds
nothing."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import demo as accounts_demo


async def _seed(session: AsyncSession) -> None:
    from backend.bookings import demo_suspension
    from backend.catalogue import demo as catalogue_demo
    from backend.rulesets import demo as rulesets_demo
    from backend.workdays import demo as workdays_demo

    for module in (workdays_demo, catalogue_demo, rulesets_demo, accounts_demo, demo_suspension):
        await module.seed(session)
    await session.commit()


async def _token(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await client.post("/auth/token", data={"username": username, "password": accounts_demo.DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def test_demo_notice_waits_for_the_street_offices_consent_wuhan_art_14(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _seed(session)
    await _seed(session)
    count = "SELECT count(*) FROM suspension WHERE consent_status = 'pending'"
    assert (await session.execute(sa.text(count))).scalar_one() == 1
    office = await _token(client, "regulator-street-1")
    r = await client.get("/suspensions?consent_status=pending", headers=office)
    assert r.status_code == 200, r.text
    [notice] = r.json()["items"]
    assert (notice["subsidised"], notice["in_force"], notice["consent_status"]) == (True, False, "pending")
    assert notice["report"]
    decided = await client.post(
        f"/suspensions/{notice['id']}/consent", json={"decision": "consent"}, headers=office
    )
    assert decided.status_code == 200, decided.text
    assert (decided.json()["consent_status"], decided.json()["in_force"]) == ("granted", True)
