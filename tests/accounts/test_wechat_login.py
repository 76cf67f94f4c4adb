"""Resident sign-in with WeChat, end to end against the fake WeChat server (tests/fakes/wechat.py)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.models import Resident
from backend.core.security import decode_access_token
from tests.fakes.wechat import FakeWeChat


async def login(client: httpx.AsyncClient, code: str) -> httpx.Response:
    return await client.post("/auth/wechat/login", json={"code": code})


async def test_first_login_creates_the_resident_and_returns_a_pair(
    client: httpx.AsyncClient, session: AsyncSession, wechat: FakeWeChat
) -> None:
    r = await login(client, wechat.issue_login_code("openid-alice", unionid="union-alice"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and 0 < body["expires_in"] <= 900
    assert body["resident"]["phone_masked"] is None
    assert "session_key" not in r.text and "openid" not in r.text
    claims = decode_access_token(body["access_token"])
    assert claims["role"] == "resident" and claims["sub"] == body["resident"]["id"]

    resident = (await session.exec(select(Resident).where(Resident.openid == "openid-alice"))).one()
    assert str(resident.id) == body["resident"]["id"] and resident.unionid == "union-alice"
    assert resident.session_key  # kept server-side, decrypted only in Python
    raw = (await session.execute(sa.text("SELECT session_key FROM resident"))).scalar_one()
    assert raw != resident.session_key and resident.session_key not in raw  # ciphertext at rest
    await session.commit()  # end the read (SQLite: let the app write)

    first = (resident.last_login_at, resident.session_key)

    # The second login finds the same resident: its login recorded, the new session key kept, the union
    # id WeChat did not send this time kept as it was.
    r2 = await login(client, wechat.issue_login_code("openid-alice", session_key="sk-second"))
    assert r2.json()["resident"]["id"] == body["resident"]["id"]
    count = (await session.execute(sa.text("SELECT count(*) FROM resident"))).scalar_one()
    assert count == 1
    await session.refresh(resident)
    assert resident.session_key == "sk-second" != first[1] and resident.unionid == "union-alice"
    assert first[0] is not None and resident.last_login_at is not None and resident.last_login_at >= first[0]
    await session.commit()

    me = await client.get("/me", headers={"Authorization": f"Bearer {r2.json()['access_token']}"})
    assert me.status_code == 200 and me.json()["phone_bound"] is False


async def test_a_double_tap_returns_the_first_result(client: httpx.AsyncClient, wechat: FakeWeChat) -> None:
    code = wechat.issue_login_code("openid-bob")
    first = await login(client, code)
    second = await login(client, code)  # WeChat would say 40163 now
    assert first.status_code == second.status_code == 200, second.text
    assert first.json()["resident"]["id"] == second.json()["resident"]["id"]
    assert wechat.calls["code2session"] == 1  # answered from the memory of the first result


async def test_concurrent_taps_sign_in_once(client: httpx.AsyncClient, wechat: FakeWeChat) -> None:
    code = wechat.issue_login_code("openid-carol")
    replies = await asyncio.gather(*(login(client, code) for _ in range(3)))
    assert [r.status_code for r in replies] == [200, 200, 200], [r.text for r in replies]
    assert len({r.json()["resident"]["id"] for r in replies}) == 1


async def test_a_used_code_never_seen_here_is_401(client: httpx.AsyncClient, wechat: FakeWeChat) -> None:
    wechat.fail_next("code2session", 40163)
    r = await login(client, "some-code-used-elsewhere")
    assert r.status_code == 401 and r.json()["code"] == "wechat_code_used"


@pytest.mark.parametrize(
    ("errcode", "status", "code"),
    [
        (40029, 401, "wechat_code_invalid"),
        (45011, 429, "wechat_rate_limited"),
        (40226, 403, "wechat_login_blocked"),
    ],
)
async def test_documented_errcodes(
    client: httpx.AsyncClient, wechat: FakeWeChat, errcode: int, status: int, code: str
) -> None:
    wechat.fail_next("code2session", errcode)
    r = await login(client, wechat.issue_login_code())
    assert r.status_code == status and r.json()["code"] == code
    assert r.headers["content-type"].startswith("application/problem+json")
    assert wechat.calls["code2session"] == 1  # never retried


async def test_busy_is_retried_once_then_503(client: httpx.AsyncClient, wechat: FakeWeChat) -> None:
    wechat.fail_next("code2session", -1)
    r = await login(client, wechat.issue_login_code("openid-dave"))
    assert r.status_code == 200, r.text
    wechat.fail_next("code2session", -1, times=2)
    r = await login(client, wechat.issue_login_code("openid-dave"))
    assert r.status_code == 503 and r.json()["code"] == "wechat_unavailable"


async def test_unknown_code_and_bad_input(client: httpx.AsyncClient) -> None:
    r = await login(client, "never-issued")
    assert r.status_code == 401 and r.json()["code"] == "wechat_code_invalid"
    r = await client.post("/auth/wechat/login", json={})
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    r = await client.post("/auth/wechat/login", json={"code": "x" * 500})
    assert r.status_code == 422
    r = await client.post("/auth/wechat/login", json={"code": "abc", "openid": "someone-else"})
    assert r.status_code == 422  # no extra fields


async def test_a_blocked_resident_cannot_sign_in(
    client: httpx.AsyncClient, session: AsyncSession, wechat: FakeWeChat
) -> None:
    r = await login(client, wechat.issue_login_code("openid-eve"))
    resident = (await session.exec(select(Resident).where(Resident.openid == "openid-eve"))).one()
    resident.status = "blocked"
    session.add(resident)
    await session.commit()
    first_login = resident.last_login_at
    r = await login(client, wechat.issue_login_code("openid-eve"))
    assert r.status_code == 403 and r.json()["code"] == "resident_blocked"
    await session.refresh(resident)
    assert resident.last_login_at == first_login  # the refused login changed nothing


# ---------------------------------------------------------------- phone


async def _signed_in(client: httpx.AsyncClient, wechat: FakeWeChat, openid: str) -> dict[str, str]:
    r = await login(client, wechat.issue_login_code(openid))
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.mark.parametrize("country_code", ["86", 86])
async def test_bind_phone(
    client: httpx.AsyncClient, session: AsyncSession, wechat: FakeWeChat, country_code: str | int
) -> None:
    headers = await _signed_in(client, wechat, "openid-frank")
    r = await client.post(
        "/me/phone",
        json={"code": wechat.register_phone_code("13812345678", country_code=country_code)},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["phone_masked"] == "138****5678" and r.json()["phone_bound"] is True
    assert "13812345678" not in r.text
    raw = (await session.execute(sa.text("SELECT phone, phone_hash FROM resident"))).one()
    assert "13812345678" not in raw[0] and "13812345678" not in raw[1]
    await session.commit()
    me = await client.get("/me", headers=headers)
    assert me.json()["phone_masked"] == "138****5678" and "13812345678" not in me.text
    relogin = await login(client, wechat.issue_login_code("openid-frank"))
    assert relogin.json()["resident"]["phone_masked"] == "138****5678"


async def test_phone_code_errors(client: httpx.AsyncClient, wechat: FakeWeChat) -> None:
    headers = await _signed_in(client, wechat, "openid-grace")
    r = await client.post("/me/phone", json={"code": "never-issued"}, headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "phone_code_invalid"
    foreign = wechat.register_phone_code("13900001111", watermark_appid="wx-another-app")
    r = await client.post("/me/phone", json={"code": foreign}, headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "phone_watermark_mismatch"
    me = await client.get("/me", headers=headers)
    assert me.json()["phone_bound"] is False
    r = await client.post("/me/phone", json={"code": wechat.register_phone_code()})
    assert r.status_code == 401  # not signed in


async def test_phone_binding_survives_a_revoked_access_token(
    client: httpx.AsyncClient, wechat: FakeWeChat
) -> None:
    headers = await _signed_in(client, wechat, "openid-heidi")
    assert (
        await client.post("/me/phone", json={"code": wechat.register_phone_code()}, headers=headers)
    ).is_success
    wechat.invalidate_token()  # 40001 on the next business call: refreshed once, retried once
    r = await client.post(
        "/me/phone", json={"code": wechat.register_phone_code("13700001234")}, headers=headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["phone_masked"] == "137****1234"


async def test_profile_nickname_and_english_errors(client: httpx.AsyncClient, wechat: FakeWeChat) -> None:
    headers = await _signed_in(client, wechat, "openid-ivan")
    r = await client.patch("/me", json={"nickname": "  小王  "}, headers=headers)
    assert r.status_code == 200 and r.json()["nickname"] == "小王"
    r = await client.patch("/me", json={"nickname": "x", "status": "active"}, headers=headers)
    assert r.status_code == 422
    r = await client.patch("/me", json={"nickname": ""}, headers={**headers, "Accept-Language": "en"})
    assert r.status_code == 422 and r.json()["title"] == "The request has invalid fields"


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_the_login_upsert_is_compiled_once(dialect: str) -> None:
    """SQLAlchemy caches a compiled statement by its cache key; an ON CONFLICT construct has none, so the
    login's upsert is rendered once per dialect and run as text (which has one)."""
    from backend.accounts.repository import _login_statement

    assert _login_statement(dialect)._generate_cache_key() is not None
