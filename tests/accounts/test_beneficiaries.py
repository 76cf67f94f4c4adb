"""Beneficiaries: a resident sees and changes only their own; entitlements are set by staff only."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import repository as repo
from backend.accounts.errors import BeneficiaryNotFound
from backend.accounts.models import Beneficiary
from backend.accounts.service import MAX_BENEFICIARIES, age_on, get_owned_beneficiary
from backend.core.clock import SHANGHAI
from tests.accounts.factories import make_beneficiary, make_resident, resident_headers


async def test_crud_of_own_beneficiaries(client: httpx.AsyncClient, session: AsyncSession) -> None:
    resident = await make_resident(session)
    h = resident_headers(resident)
    r = await client.post(
        "/me/beneficiaries",
        json={"name": "王秀英", "relation": "parent", "birth_date": "1948-05-02"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    parent = r.json()
    assert parent["relation"] == "parent" and parent["dibao"] is False and parent["disability"] is False
    r = await client.post(
        "/me/beneficiaries", json={"name": "小宝", "relation": "child", "birth_date": "2025-01-10"}, headers=h
    )
    child = r.json()

    page = (await client.get("/me/beneficiaries", headers=h)).json()
    assert [b["id"] for b in page["items"]] == [parent["id"], child["id"]] and page["next_cursor"] is None
    first = (await client.get("/me/beneficiaries?limit=1", headers=h)).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    rest = (await client.get(f"/me/beneficiaries?limit=1&cursor={first['next_cursor']}", headers=h)).json()
    assert [b["id"] for b in rest["items"]] == [child["id"]]

    r = await client.patch(f"/me/beneficiaries/{child['id']}", json={"name": "王小宝"}, headers=h)
    assert r.status_code == 200 and r.json()["name"] == "王小宝" and r.json()["relation"] == "child"
    r = await client.patch(f"/me/beneficiaries/{child['id']}", json={"name": None}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"

    assert (await client.delete(f"/me/beneficiaries/{child['id']}", headers=h)).status_code == 204
    page = (await client.get("/me/beneficiaries", headers=h)).json()
    assert [b["id"] for b in page["items"]] == [parent["id"]]
    # Soft delete: the row stays for the bookings that refer to it.
    deleted_at = (
        await session.exec(select(Beneficiary.deleted_at).where(Beneficiary.id == uuid.UUID(child["id"])))
    ).one()
    assert deleted_at is not None
    await session.commit()
    r = await client.patch(f"/me/beneficiaries/{child['id']}", json={"name": "x"}, headers=h)
    assert r.status_code == 404 and r.json()["code"] == "beneficiary_not_found"
    # Names are encrypted at rest.
    raw = (await session.execute(sa.text("SELECT name FROM beneficiary"))).scalars().all()
    assert all("王" not in value for value in raw)


async def test_another_residents_beneficiary_is_404(client: httpx.AsyncClient, session: AsyncSession) -> None:
    owner, other = await make_resident(session), await make_resident(session)
    b = await make_beneficiary(session, owner)
    h = resident_headers(other)
    assert (await client.patch(f"/me/beneficiaries/{b.id}", json={"name": "x"}, headers=h)).status_code == 404
    assert (await client.delete(f"/me/beneficiaries/{b.id}", headers=h)).status_code == 404
    assert (await client.get("/me/beneficiaries", headers=h)).json()["items"] == []
    assert (await client.get("/me/beneficiaries", headers=resident_headers(owner))).json()["items"][0][
        "id"
    ] == str(b.id)
    with pytest.raises(BeneficiaryNotFound):
        await get_owned_beneficiary(session, other.id, b.id)
    assert (await get_owned_beneficiary(session, owner.id, b.id)).id == b.id


def shanghai_today() -> date:
    return datetime.now(SHANGHAI).date()


@pytest.mark.parametrize(
    "body",
    [
        {"name": "甲", "relation": "parent", "birth_date": "1950-01-01", "dibao": True},
        {"name": "甲", "relation": "parent", "birth_date": "1950-01-01", "disability": True},
        {"name": "甲", "relation": "parent", "birth_date": "1950-01-01", "resident_id": str(uuid.uuid4())},
        {"name": "甲", "relation": "cousin", "birth_date": "1950-01-01"},
        {"name": "", "relation": "parent", "birth_date": "1950-01-01"},
        {"name": "甲" * 51, "relation": "parent", "birth_date": "1950-01-01"},
        # tomorrow in Shanghai (the service's today): from 16:00 UTC the UTC date is a day behind
        {
            "name": "甲",
            "relation": "parent",
            "birth_date": (shanghai_today() + timedelta(days=1)).isoformat(),
        },
        {"name": "甲", "relation": "parent", "birth_date": "1850-01-01"},
        {"name": "甲", "relation": "parent", "birth_date": "not-a-date"},
        {"relation": "parent", "birth_date": "1950-01-01"},
    ],
)
async def test_bad_or_privileged_fields_are_refused(
    client: httpx.AsyncClient, session: AsyncSession, body: dict[str, object]
) -> None:
    h = resident_headers(await make_resident(session))
    r = await client.post("/me/beneficiaries", json=body, headers=h)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "validation_error" and r.json()["errors"]


async def test_patch_cannot_grant_entitlements(client: httpx.AsyncClient, session: AsyncSession) -> None:
    resident = await make_resident(session)
    b = await make_beneficiary(session, resident)
    h = resident_headers(resident)
    r = await client.patch(f"/me/beneficiaries/{b.id}", json={"dibao": True}, headers=h)
    assert r.status_code == 422
    r = await client.patch(f"/me/beneficiaries/{b.id}", json={"id": str(uuid.uuid4())}, headers=h)
    assert r.status_code == 422
    await session.refresh(b)
    assert b.dibao is False


async def test_only_one_self(client: httpx.AsyncClient, session: AsyncSession) -> None:
    h = resident_headers(await make_resident(session))
    me = {"name": "本人", "relation": "self", "birth_date": "1980-01-01"}
    assert (await client.post("/me/beneficiaries", json=me, headers=h)).status_code == 201
    r = await client.post("/me/beneficiaries", json=me, headers=h)
    assert r.status_code == 409 and r.json()["code"] == "beneficiary_self_exists"
    other = (
        await client.post(
            "/me/beneficiaries",
            json={"name": "配偶", "relation": "spouse", "birth_date": "1981-01-01"},
            headers=h,
        )
    ).json()
    r = await client.patch(f"/me/beneficiaries/{other['id']}", json={"relation": "self"}, headers=h)
    assert r.status_code == 409


async def test_limit_on_beneficiaries(client: httpx.AsyncClient, session: AsyncSession) -> None:
    resident = await make_resident(session)
    for i in range(MAX_BENEFICIARIES):
        await make_beneficiary(session, resident, name=f"亲属{i}", relation="other")
    r = await client.post(
        "/me/beneficiaries",
        json={"name": "再一个", "relation": "other", "birth_date": "1990-01-01"},
        headers=resident_headers(resident),
    )
    assert r.status_code == 409 and r.json()["code"] == "too_many_beneficiaries"


async def test_bad_cursor_is_422(client: httpx.AsyncClient, session: AsyncSession) -> None:
    h = resident_headers(await make_resident(session))
    for cursor in ("%%%", "eyJ4IjoxfQ"):  # not base64 json; json without the fields
        r = await client.get(f"/me/beneficiaries?cursor={cursor}", headers=h)
        assert r.status_code == 422 and r.json()["code"] == "invalid_cursor"


def test_age_on() -> None:
    assert age_on(date(1950, 6, 15), date(2026, 6, 14)) == 75
    assert age_on(date(1950, 6, 15), date(2026, 6, 15)) == 76
    assert age_on(date(2024, 2, 29), date(2025, 2, 28)) == 0
    assert age_on(date(2024, 2, 29), date(2025, 3, 1)) == 1
    assert age_on(date(2025, 1, 1), date(2025, 12, 31)) == 0


async def test_a_twin_that_slips_past_the_check_is_refused_without_breaking_the_transaction(
    session: AsyncSession,
) -> None:
    """What a concurrent `self` meets (tests/accounts/test_races.py): a savepoint, on SQLite too."""
    resident = await make_resident(session)
    await make_beneficiary(session, resident, relation="self")
    twin = Beneficiary(resident_id=resident.id, name="本人", relation="self", birth_date=date(1960, 1, 1))
    assert await repo.save_unique(session, twin) is False
    assert await repo.count_live_beneficiaries(session, resident.id) == 1  # still usable
    await session.rollback()


async def test_text_with_a_nul_character_is_4xx_not_500(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # PostgreSQL cannot store NUL in text; the NUL guard refuses it in every field, on every database.
    resident = await make_resident(session)
    h = resident_headers(resident)
    r = await client.patch("/me", json={"nickname": "a\u0000b"}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "validation_error", r.text
    r = await client.post(
        "/me/beneficiaries",
        json={"name": "王\u0000", "relation": "parent", "birth_date": "1948-05-02"},
        headers=h,
    )
    assert r.status_code < 500, r.text
