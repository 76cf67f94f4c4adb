"""Login throttling that cannot lock a victim out (issue 15, finding 5: five wrong passwords from anywhere
locked any account, admin included, for 900 s, correct password included; Retry-After stayed 900; the
per-IP limit believed X-Forwarded-For from anyone)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request

from backend.core.access import Role
from backend.core.clientip import client_ip
from backend.core.settings import get_settings
from tests.accounts.factories import PASSWORD, make_staff

ClientAt = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client_at(app: object) -> ClientAt:
    """An API client whose requests come from the given address (the transport's peer address)."""

    def factory(address: str) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 40000), raise_app_exceptions=False)  # type: ignore[arg-type]
        return httpx.AsyncClient(transport=transport, base_url="http://testserver/api/v1")

    return factory


async def _sign_in(c: httpx.AsyncClient, username: str, password: str, **kw: object) -> httpx.Response:
    return await c.post("/auth/token", data={"username": username, "password": password}, **kw)  # type: ignore[arg-type]


async def test_failures_from_elsewhere_never_lock_out_the_right_password(
    session: AsyncSession, client_at: ClientAt
) -> None:
    """An attacker's wrong passwords throttle the attacker, not the admin signing in from their desk."""
    await make_staff(session, Role.admin, username="victim-admin")
    limit = get_settings().login_max_failures_per_account
    async with client_at("203.0.113.66") as attacker, client_at("198.51.100.7") as desk:
        for _ in range(limit + 3):
            assert (await _sign_in(attacker, "victim-admin", "wrong-password")).status_code in (401, 429)
        assert (await _sign_in(attacker, "victim-admin", PASSWORD)).status_code == 429
        r = await _sign_in(desk, "victim-admin", PASSWORD)
        assert r.status_code == 200, r.text


async def test_retry_after_counts_down(session: AsyncSession, client_at: ClientAt) -> None:
    await make_staff(session, Role.admin, username="counted-admin")
    s = get_settings()
    async with client_at("203.0.113.67") as c:
        for _ in range(s.login_max_failures_per_account):
            await _sign_in(c, "counted-admin", "wrong-password")
        first = await _sign_in(c, "counted-admin", PASSWORD)
        assert first.status_code == 429
        await asyncio.sleep(2.1)
        second = await _sign_in(c, "counted-admin", PASSWORD)
        assert second.status_code == 429
    before, after = int(first.headers["Retry-After"]), int(second.headers["Retry-After"])
    assert before <= s.login_failure_window_seconds
    assert 1 <= after <= before - 1  # it counts down; it is not a fixed 900


async def test_forwarded_for_from_a_direct_client_is_ignored(
    session: AsyncSession, client_at: ClientAt
) -> None:
    """Without configured proxies a client cannot pick a fresh identity per attempt with the header."""
    await make_staff(session, Role.admin, username="spoofed-admin")
    limit = get_settings().login_max_failures_per_account
    async with client_at("203.0.113.68") as c:
        for i in range(limit):
            forged = {"X-Forwarded-For": f"10.9.0.{i}"}
            await _sign_in(c, "spoofed-admin", "wrong-password", headers=forged)
        r = await _sign_in(c, "spoofed-admin", PASSWORD, headers={"X-Forwarded-For": "10.9.9.9"})
        assert r.status_code == 429


def _request(peer: str, forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "headers": headers, "client": (peer, 1234), "method": "GET", "path": "/"})


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    assert client_ip(_request("198.51.100.1", "10.0.0.5")) == "198.51.100.1"  # default: no proxies
    assert client_ip(_request("198.51.100.1", "10.0.0.5"), ["10.1.0.0/16"]) == "198.51.100.1"
    # Behind the proxy: the right-most address the proxy did not add itself.
    assert client_ip(_request("10.1.0.2", "1.2.3.4, 203.0.113.9"), ["10.1.0.0/16"]) == "203.0.113.9"
    assert client_ip(_request("10.1.0.2", "203.0.113.9, 10.1.0.3"), ["10.1.0.0/16"]) == "203.0.113.9"
    assert client_ip(_request("10.1.0.2", "not-an-ip"), ["10.1.0.0/16"]) == "10.1.0.2"
    assert client_ip(_request("10.1.0.2", None), ["10.1.0.0/16"]) == "10.1.0.2"


@pytest.fixture(autouse=True)
async def _settings_unchanged() -> AsyncIterator[None]:
    yield
    assert get_settings().trusted_proxies == []
