"""The demo accounts sign in; the demo seed is idempotent and refuses prod; the create-admin command."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import cli, demo
from backend.core import settings as settings_module
from backend.core.security import decode_access_token


async def _seed(session: AsyncSession) -> None:
    from backend.catalogue import demo as catalogue_demo

    await catalogue_demo.seed(session)
    await demo.seed(session)
    await session.commit()


async def test_every_demo_staff_account_signs_in(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await _seed(session)
    await _seed(session)  # idempotent
    rows = demo.demo_staff()
    count = (await session.execute(sa.text("SELECT count(*) FROM staff_account"))).scalar_one()
    assert count == len(rows) == 1 + 2 + 4 + 5 + 12
    await session.commit()
    for row in rows:
        r = await client.post(
            "/auth/token", data={"username": row["username"], "password": demo.DEMO_PASSWORD}
        )
        assert r.status_code == 200, (row["username"], r.text)
        claims = decode_access_token(r.json()["access_token"])
        assert claims["role"] == row["role"].value  # type: ignore[attr-defined]
        me = await client.get("/staff/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
        assert me.status_code == 200 and me.json()["display_name"] == row["display_name"]


async def test_demo_resident_and_beneficiaries(session: AsyncSession, client: httpx.AsyncClient) -> None:
    await _seed(session)
    from tests.accounts.factories import resident_headers

    resident = await session.get(demo.Resident, demo.DEMO_RESIDENT_ID)
    assert resident is not None and resident.openid == "dev-openid-demo"
    await session.commit()
    h = resident_headers(resident)
    me = (await client.get("/me", headers=h)).json()
    assert me["phone_masked"] == "138****8000"
    items = (await client.get("/me/beneficiaries", headers=h)).json()["items"]
    assert {(b["relation"], b["dibao"]) for b in items} == {("parent", True), ("child", False)}


async def test_demo_refuses_prod(session: AsyncSession, monkeypatch: pytest.MonkeyPatch) -> None:
    class ProdLike:
        app_env = settings_module.AppEnv.prod

    monkeypatch.setattr("backend.accounts.demo.get_settings", lambda: ProdLike())
    with pytest.raises(RuntimeError, match="development only"):
        await demo.seed(session)


async def test_create_admin_command(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    account_id = await cli.create_admin("first-admin", "平台管理员", "a-long-admin-password")
    r = await client.post(
        "/auth/token", data={"username": "first-admin", "password": "a-long-admin-password"}
    )
    assert r.status_code == 200 and decode_access_token(r.json()["access_token"])["sub"] == account_id
    from backend.accounts.errors import UsernameTaken, WeakPassword

    with pytest.raises(UsernameTaken):
        await cli.create_admin("first-admin", "x", "a-long-admin-password")
    with pytest.raises(WeakPassword):
        await cli.create_admin("second-admin", "x", "short")


def test_password_comes_from_the_environment_or_a_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cli.PASSWORD_ENV, "from-the-environment")
    assert cli._read_password() == "from-the-environment"
    monkeypatch.delenv(cli.PASSWORD_ENV)
    answers = iter(["typed-password-1", "typed-password-1"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    assert cli._read_password() == "typed-password-1"
    answers = iter(["typed-password-1", "typo"])
    with pytest.raises(SystemExit):
        cli._read_password()
