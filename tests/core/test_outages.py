"""A database that cannot be reached answers 503 `database_unavailable` with Retry-After, never a 500 or a
dropped connection, and the app recovers by itself (issue 15, finding 1).

The database "goes away" through a test-owned TCP proxy in front of PostgreSQL (cut: open connections
dropped, new ones refused; restored: the same port answers again). Nothing of ours is patched.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, Depends
from sqlalchemy import exc as sa_exc

from backend.core.access import PUBLIC
from backend.core.database import db
from backend.core.faults import is_database_unavailable
from backend.core.settings import get_settings
from backend.main import create_app
from tests.conftest import DATABASE_URL, requires_postgres
from tests.reliability.proxy import TcpProxy


@pytest.fixture
async def cut_db(app: object) -> AsyncIterator[TcpProxy]:
    """Point the app's engine at a proxy to PostgreSQL for the test; the real engine is put back after."""
    proxy = TcpProxy("127.0.0.1", 5432)
    port = await proxy.start()
    url = DATABASE_URL.replace("127.0.0.1:5432", f"127.0.0.1:{port}")
    settings = get_settings().model_copy(
        update={"database_url": url, "db_connect_timeout_seconds": 2.0, "db_pool_timeout_seconds": 2.0}
    )
    saved = (db._engine, db._sessionmaker)
    db.configure(settings)
    try:
        yield proxy
    finally:
        await proxy.stop()
        await db.engine.dispose()
        db._engine, db._sessionmaker = saved


@requires_postgres
async def test_database_cut_answers_503_with_retry_after_then_recovers(
    client: httpx.AsyncClient, cut_db: TcpProxy
) -> None:
    missing = "/services/00000000-0000-0000-0000-000000000001/slots"
    assert (await client.get(missing)).status_code == 404  # read from the database: a pooled connection

    await cut_db.cut()
    for method, path, kwargs in [
        ("GET", missing, {}),  # the pooled connection is dead: pre-ping, then a refused reconnect
        ("POST", "/auth/token", {"data": {"username": "nobody", "password": "x" * 12}}),
        ("GET", missing, {}),
    ]:
        r = await client.request(method, path, **kwargs)
        assert r.status_code == 503, (path, r.status_code, r.text)
        assert r.json()["code"] == "database_unavailable"
        assert int(r.headers["Retry-After"]) >= 1
        assert r.headers["content-type"] == "application/problem+json"

    await cut_db.restore()
    for _ in range(20):
        if (await client.get(missing)).status_code == 404:
            break
        await asyncio.sleep(0.25)
    assert (await client.get(missing)).status_code == 404


def _outage_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/outage", dependencies=[Depends(PUBLIC)])
    lost = asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation")

    @router.get("/refused")
    async def refused() -> None:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    @router.get("/pool")
    async def pool() -> None:
        raise sa_exc.TimeoutError("QueuePool limit of size 10 overflow 20 reached")

    @router.get("/lost")
    async def lost_mid_request() -> None:
        raise sa_exc.InterfaceError("SELECT 1", {}, lost, connection_invalidated=True)

    @router.get("/bug")
    async def bug() -> None:
        raise KeyError("not an outage")

    return router


@pytest.fixture(scope="module")
async def outage_client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(get_settings(), start_scheduler=False)
    app.include_router(_outage_router())
    transport = httpx.ASGITransport(app=app)  # raise_app_exceptions=True: nothing may escape the app
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver/api/v1/outage") as c:
        yield c


@pytest.mark.parametrize("path", ["/refused", "/pool", "/lost"])
async def test_connection_refused_pool_timeout_and_lost_connection_are_503(
    outage_client: httpx.AsyncClient, path: str
) -> None:
    r = await outage_client.get(path, headers={"Accept-Language": "en"})
    assert r.status_code == 503
    assert r.json()["code"] == "database_unavailable"
    assert r.headers["Retry-After"] == "5"


async def test_unexpected_error_is_answered_not_raised_into_the_server(
    outage_client: httpx.AsyncClient,
) -> None:
    # With raise_app_exceptions=True, an exception re-raised past the response would fail this request.
    r = await outage_client.get("/bug", headers={"X-Request-ID": "req-bug"})
    assert r.status_code == 500
    assert r.json()["code"] == "internal_error"
    assert r.headers["X-Request-ID"] == "req-bug"


def test_outage_classification() -> None:
    assert is_database_unavailable(OSError("Multiple exceptions: [Errno 111] Connect call failed"))
    assert is_database_unavailable(TimeoutError())
    assert not is_database_unavailable(KeyError("x"))
    assert not is_database_unavailable(sa_exc.IntegrityError("INSERT", {}, Exception("duplicate")))
