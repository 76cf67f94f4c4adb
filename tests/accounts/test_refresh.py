"""Refresh tokens: opaque, hashed at rest, rotated on use; reuse revokes the family; logout revokes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.models import RefreshToken
from backend.accounts.tokens import hash_token
from tests.fakes.wechat import FakeWeChat


async def _pair(client: httpx.AsyncClient, wechat: FakeWeChat, openid: str = "openid-rt") -> dict[str, str]:
    r = await client.post("/auth/wechat/login", json={"code": wechat.issue_login_code(openid)})
    assert r.status_code == 200, r.text
    return r.json()


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/auth/refresh", json={"refresh_token": token})


async def _age_spent_tokens(session: AsyncSession) -> None:
    """Move every spend out of the grace period, as if the reuse came minutes later."""
    rows = (await session.exec(select(RefreshToken).where(RefreshToken.used_at.is_not(None)))).all()  # type: ignore[union-attr]
    for row in rows:
        assert row.used_at is not None
        row.used_at = row.used_at - timedelta(hours=1)
        session.add(row)
    await session.commit()


async def test_rotation(client: httpx.AsyncClient, session: AsyncSession, wechat: FakeWeChat) -> None:
    first = await _pair(client, wechat)
    r = await refresh(client, first["refresh_token"])
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"] and second["access_token"]
    me = await client.get("/me", headers={"Authorization": f"Bearer {second['access_token']}"})
    assert me.status_code == 200
    stored = (await session.exec(select(RefreshToken.token_hash))).all()
    assert first["refresh_token"] not in stored and hash_token(first["refresh_token"]) in stored
    await session.commit()
    assert (await refresh(client, second["refresh_token"])).status_code == 200


async def test_reuse_of_a_spent_token_revokes_the_family(
    client: httpx.AsyncClient, session: AsyncSession, wechat: FakeWeChat
) -> None:
    first = await _pair(client, wechat)
    second = (await refresh(client, first["refresh_token"])).json()
    other_session = await _pair(client, wechat)  # another device: another family
    await _age_spent_tokens(session)

    r = await refresh(client, first["refresh_token"])  # the thief (or the victim) replays a spent token
    assert r.status_code == 401 and r.json()["code"] == "refresh_token_reused"
    r = await refresh(client, second["refresh_token"])  # the whole family is gone, committed despite the 401
    assert r.status_code == 401 and r.json()["code"] == "invalid_refresh_token"
    assert (await refresh(client, other_session["refresh_token"])).status_code == 200


async def test_a_quick_second_use_is_409_and_keeps_the_winner(
    client: httpx.AsyncClient, wechat: FakeWeChat
) -> None:
    first = await _pair(client, wechat)
    winner = (await refresh(client, first["refresh_token"])).json()
    r = await refresh(client, first["refresh_token"])
    assert r.status_code == 409 and r.json()["code"] == "refresh_in_progress"
    assert (await refresh(client, winner["refresh_token"])).status_code == 200


async def test_concurrent_refreshes_produce_exactly_one_pair(
    client: httpx.AsyncClient, session: AsyncSession, wechat: FakeWeChat
) -> None:
    first = await _pair(client, wechat)
    replies = await asyncio.gather(*(refresh(client, first["refresh_token"]) for _ in range(5)))
    statuses = sorted(r.status_code for r in replies)
    assert statuses == [200, 409, 409, 409, 409], [r.text for r in replies]
    winner = next(r for r in replies if r.status_code == 200).json()
    count = (await session.execute(sa.text("SELECT count(*) FROM refresh_token"))).scalar_one()
    assert count == 2  # the sign-in's token and exactly one successor
    await session.commit()
    assert (await refresh(client, winner["refresh_token"])).status_code == 200


async def test_logout_revokes(client: httpx.AsyncClient, wechat: FakeWeChat) -> None:
    pair = await _pair(client, wechat)
    r = await client.post("/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 204 and r.content == b""
    assert (await refresh(client, pair["refresh_token"])).status_code == 401
    # Unknown tokens: still 204 (no oracle); bad bodies: 422.
    assert (await client.post("/auth/logout", json={"refresh_token": "nope"})).status_code == 204
    assert (await client.post("/auth/logout", json={})).status_code == 422


async def test_unknown_expired_and_malformed(
    client: httpx.AsyncClient, session: AsyncSession, wechat: FakeWeChat
) -> None:
    assert (await refresh(client, "not-a-token")).status_code == 401
    assert (await client.post("/auth/refresh", json={"refresh_token": ""})).status_code == 422
    assert (await client.post("/auth/refresh", json={"refresh_token": "x" * 300})).status_code == 422
    pair = await _pair(client, wechat)
    row = (await session.exec(select(RefreshToken))).one()
    row.expires_at = row.expires_at - timedelta(days=365)
    session.add(row)
    await session.commit()
    r = await refresh(client, pair["refresh_token"])
    assert r.status_code == 401 and r.json()["code"] == "invalid_refresh_token"
    # An access token is not a refresh token.
    assert (await refresh(client, pair["access_token"][:256])).status_code == 401
