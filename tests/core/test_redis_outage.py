"""Redis is an accelerator, never a gate (issue 15, findings 2 and 3).

A test-owned `redis-server` on its own port is stopped and restarted, or reached through a test-owned TCP
proxy that is cut (a partition: Redis keeps its data) and restored. The app's KV is built against it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core import kv as kv_module
from backend.core.access import Role
from backend.core.kv import KV, build_kv
from tests.accounts.factories import PASSWORD, bearer, make_staff, make_world, principal_of
from tests.conftest import RUN_ID
from tests.fakes.wechat import FakeWeChat
from tests.reliability.proxy import TcpProxy
from tests.reliability.servers import HAVE_REDIS_SERVER, RedisServer

pytestmark = pytest.mark.skipif(not HAVE_REDIS_SERVER, reason="needs redis-server")


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


def _use_kv(url: str) -> KV:
    kv = build_kv(url, prefix=f"test:{RUN_ID}:own:", fail_closed=False)
    kv_module.set_kv(kv)
    return kv


@pytest.fixture
async def restore_kv(app: object) -> AsyncIterator[None]:
    saved = kv_module.get_kv()
    yield
    kv = kv_module.get_kv()
    if kv is not saved:
        await kv.close()
    kv_module.set_kv(saved)


async def test_wechat_login_works_with_redis_down(
    client: httpx.AsyncClient, wechat: FakeWeChat, redis_server: RedisServer, restore_kv: None
) -> None:
    """Finding 2: the per-code double-tap lock needs Redis; with Redis down sign-in proceeds without it."""
    _use_kv(redis_server.url)
    redis_server.stop()
    for i in range(3):
        code = wechat.issue_login_code(f"openid-down-{i}")
        r = await client.post("/auth/wechat/login", json={"code": code})
        assert r.status_code == 200, r.text
    redis_server.start()
    r = await client.post("/auth/wechat/login", json={"code": wechat.issue_login_code("openid-up")})
    assert r.status_code == 200


async def test_revoked_token_does_not_come_back_after_a_redis_partition(
    client: httpx.AsyncClient, session: AsyncSession, redis_server: RedisServer, restore_kv: None
) -> None:
    """Finding 3: a staff account deactivated while Redis was unreachable: the cached "active" state from
    before the partition must not be believed once Redis answers again."""
    proxy = TcpProxy("127.0.0.1", redis_server.port)
    port = await proxy.start()
    _use_kv(f"redis://127.0.0.1:{port}/0")
    try:
        w = await make_world(session)
        await make_staff(session, Role.supplier_staff, username="partitioned", supplier_id=w.supplier.id)
        operator = principal_of(await make_staff(session, Role.operator_staff, operator_id=w.operator.id))
        form = {"username": "partitioned", "password": PASSWORD}
        pair = (await client.post("/auth/token", data=form)).json()
        h = {"Authorization": f"Bearer {pair['access_token']}"}
        me = await client.get("/staff/me", headers=h)
        assert me.status_code == 200  # the account state is now cached as active, in Redis

        await proxy.cut()
        r = await client.post(f"/staff/accounts/{me.json()['id']}/deactivate", headers=bearer(operator))
        assert r.status_code == 200  # committed; dropping the cached state failed
        assert (await client.get("/staff/me", headers=h)).status_code == 401  # read from the database

        await proxy.restore()
        assert (await client.get("/staff/me", headers=h)).status_code == 401  # not the stale cache entry
    finally:
        await proxy.stop()


async def test_redis_restart_moves_the_cache_epoch(redis_server: RedisServer) -> None:
    """A Redis restarted (a new run_id) may hold entries from an old snapshot: the epoch moves on."""
    kv = build_kv(redis_server.url, prefix="epoch:", fail_closed=False)  # reconnects once per call
    kv.cache._check_every = 0  # type: ignore[attr-defined]  # read the epoch on every call
    try:
        await kv.cache.set("k", b"v", 60)
        assert await kv.cache.get("k") == b"v"
        assert kv.redis is not None
        # What a snapshot taken now would bring back after a restart: the entry and the epoch keys.
        snapshot = {key: await kv.redis.get(key) async for key in kv.redis.scan_iter(match="epoch:*")}
        assert len(snapshot) == 3
        redis_server.stop()
        redis_server.start()
        for key, value in snapshot.items():
            await kv.redis.set(key, value)
        assert await kv.cache.get("k") is None  # another instance (run_id): the old entries are left behind
        await kv.cache.set("k", b"new", 60)
        assert await kv.cache.get("k") == b"new"
    finally:
        await kv.close()
