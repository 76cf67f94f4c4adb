"""The community a resident chooses in their profile (GET/PATCH /me): it decides which street office may
record the family's 低保 / disability entitlements (issue 8)."""

from __future__ import annotations

import uuid

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.models import Resident
from tests.accounts.factories import make_resident, make_world, resident_headers


async def test_resident_chooses_changes_and_clears_their_community(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    w = await make_world(session)
    resident = await make_resident(session)
    h = resident_headers(resident)
    assert (await client.get("/me", headers=h)).json()["community_id"] is None

    r = await client.patch("/me", json={"community_id": str(w.community.id)}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["community_id"] == str(w.community.id)
    assert (await client.get("/me", headers=h)).json()["community_id"] == str(w.community.id)

    r = await client.patch("/me", json={"nickname": "老王"}, headers=h)  # other fields leave it alone
    assert r.json()["nickname"] == "老王" and r.json()["community_id"] == str(w.community.id)

    r = await client.patch("/me", json={"community_id": str(uuid.uuid4())}, headers=h)
    assert r.status_code == 404 and r.json()["code"] == "community_not_found"

    r = await client.patch("/me", json={"community_id": None}, headers=h)
    assert r.status_code == 200 and r.json()["community_id"] is None and r.json()["nickname"] == "老王"
    await session.refresh(resident)
    stored = await session.get(Resident, resident.id)
    assert stored is not None and stored.community_id is None


async def test_nickname_cannot_be_nulled(client: httpx.AsyncClient, session: AsyncSession) -> None:
    h = resident_headers(await make_resident(session))
    r = await client.patch("/me", json={"nickname": None}, headers=h)
    assert r.status_code == 422
