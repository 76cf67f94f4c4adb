"""Staff paths onto residents: lookup by phone (keyed hash) and subsidy entitlements; data at rest."""

from __future__ import annotations

import uuid

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.models import AuditEntry
from backend.core import crypto
from backend.core.access import RegionLevel, Role
from backend.core.settings import Settings, get_settings
from tests.accounts.factories import (
    bearer,
    make_beneficiary,
    make_resident,
    make_staff,
    make_world,
    principal_of,
    resident_headers,
)


async def test_regulator_looks_up_by_phone_and_records_entitlements(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    w = await make_world(session)
    reg = principal_of(
        await make_staff(session, Role.regulator, region_level=RegionLevel.street, region_id=w.street.id)
    )
    # the street office records entitlements of residents who chose a community in its street
    resident = await make_resident(session, phone="13912345678", community_id=w.community.id)
    parent = await make_beneficiary(session, resident, name="王秀英")
    await make_resident(session, phone="13700000000")

    for phone in ("13912345678", "+8613912345678", "139 1234 5678"):
        r = await client.post("/staff/residents/lookup", json={"phone": phone}, headers=bearer(reg))
        assert r.status_code == 200, r.text
        found = r.json()
        assert [x["id"] for x in found] == [str(resident.id)]
    assert found[0]["phone_masked"] == "139****5678" and "13912345678" not in r.text
    assert found[0]["beneficiaries"][0]["name_masked"] == "王**" and "王秀英" not in r.text
    r = await client.post("/staff/residents/lookup", json={"phone": "13600000000"}, headers=bearer(reg))
    assert r.json() == []
    r = await client.post("/staff/residents/lookup", json={"phone": "drop table"}, headers=bearer(reg))
    assert r.status_code == 422

    r = await client.patch(
        f"/staff/beneficiaries/{parent.id}/entitlements", json={"dibao": True}, headers=bearer(reg)
    )
    assert r.status_code == 200, r.text
    assert (
        r.json()["dibao"] is True and r.json()["disability"] is False and r.json()["entitlements_verified_at"]
    )
    mine = (await client.get("/me/beneficiaries", headers=resident_headers(resident))).json()["items"][0]
    assert mine["dibao"] is True
    audit = (await session.exec(select(AuditEntry.action).where(AuditEntry.entity_id == parent.id))).all()
    assert "set_entitlements" in audit


@pytest.mark.parametrize("role", [Role.supplier_staff, Role.operator_staff])
async def test_suppliers_and_operators_cannot_see_or_set_entitlements(
    client: httpx.AsyncClient, session: AsyncSession, role: Role
) -> None:
    w = await make_world(session)
    scope = {"supplier_id": w.supplier.id} if role == Role.supplier_staff else {"operator_id": w.operator.id}
    caller = principal_of(await make_staff(session, role, **scope))  # type: ignore[arg-type]
    resident = await make_resident(session, phone="13912345678")
    b = await make_beneficiary(session, resident)
    r = await client.patch(
        f"/staff/beneficiaries/{b.id}/entitlements", json={"dibao": True}, headers=bearer(caller)
    )
    assert r.status_code == 403
    r = await client.post("/staff/residents/lookup", json={"phone": "13912345678"}, headers=bearer(caller))
    assert r.status_code == 403


async def test_entitlements_bad_input(client: httpx.AsyncClient, session: AsyncSession) -> None:
    admin = principal_of(await make_staff(session, Role.admin))
    resident = await make_resident(session)
    b = await make_beneficiary(session, resident)
    r = await client.patch(
        f"/staff/beneficiaries/{uuid.uuid4()}/entitlements", json={"dibao": True}, headers=bearer(admin)
    )
    assert r.status_code == 404 and r.json()["code"] == "beneficiary_not_found"
    r = await client.patch(
        f"/staff/beneficiaries/{b.id}/entitlements", json={"name": "改名"}, headers=bearer(admin)
    )
    assert r.status_code == 422
    r = await client.patch(
        f"/staff/beneficiaries/{b.id}/entitlements", json={"dibao": "maybe"}, headers=bearer(admin)
    )
    assert r.status_code == 422


# ---------------------------------------------------------------- crypto


def test_encryption_round_trip_and_rotation() -> None:
    old = Settings(data_keys=[SecretStr("old-key-material")])
    token = crypto.encrypt("13812345678", old)
    assert "13812345678" not in token and crypto.decrypt(token, old) == "13812345678"
    rotated = Settings(data_keys=[SecretStr("new-key-material"), SecretStr("old-key-material")])
    assert crypto.decrypt(token, rotated) == "13812345678"  # old ciphertext still reads
    re_encrypted = crypto.rotate(token, rotated)
    only_new = Settings(data_keys=[SecretStr("new-key-material")])
    assert crypto.decrypt(re_encrypted, only_new) == "13812345678"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, only_new)
    assert crypto.encrypt("x", old) != crypto.encrypt("x", old)  # randomised


def test_lookup_hash_is_keyed_and_normalised() -> None:
    assert crypto.phone_lookup_hash("13812345678") == crypto.phone_lookup_hash("+86 138-1234-5678")
    assert crypto.phone_lookup_hash("13812345678") == crypto.phone_lookup_hash("13812345678", 86)
    assert crypto.phone_lookup_hash("13812345678") != crypto.phone_lookup_hash("13812345678", "852")
    other = Settings(lookup_key=SecretStr("another-lookup-key"))
    assert crypto.lookup_hash("phone:+8613812345678", other) != crypto.lookup_hash(
        "phone:+8613812345678", get_settings()
    )


def test_masks() -> None:
    assert crypto.mask_phone("13812345678") == "138****5678"
    assert crypto.mask_phone(None) is None and crypto.mask_phone("123") == "*23"
    assert crypto.mask_name("张三丰") == "张**" and crypto.mask_name("李") == "李"
