"""Test harness: a fresh database per run (PostgreSQL when it answers, else SQLite), built by migrations;
real Redis under a per-run key prefix when it answers; every table emptied after each test (but the
reference tables in KEEP_TABLES).

With REQUIRE_SERVICES=1 a missing PostgreSQL or Redis fails the run instead of falling back.
"""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.fakes.wechat"]

PG_ADMIN_DSN = os.environ.get("TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
RUN_ID = uuid.uuid4().hex[:10]


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


HAVE_PG = _answers("127.0.0.1", 5432) and os.environ.get("TEST_FORCE_SQLITE") != "1"
HAVE_REDIS = _answers("127.0.0.1", 6379) and os.environ.get("TEST_FORCE_SQLITE") != "1"
if REQUIRE_SERVICES and not (HAVE_PG and HAVE_REDIS):
    raise pytest.UsageError(
        f"REQUIRE_SERVICES=1 but PostgreSQL answers={HAVE_PG}, Redis answers={HAVE_REDIS} on 127.0.0.1"
    )

TEST_DB_NAME = f"t_{RUN_ID}"
if HAVE_PG:
    DATABASE_URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{TEST_DB_NAME}"
else:
    _tmp = Path(tempfile.mkdtemp(prefix="csb-test-"))
    DATABASE_URL = f"sqlite+aiosqlite:///{_tmp / 'test.db'}"

# Settings are read from the environment; set it before anything imports the backend.
os.environ.update(
    {
        "APP_ENV": "test",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_KEY_PREFIX": f"test:{RUN_ID}:",
        "WECHAT_APPID": "wx-test-appid",
        "WECHAT_SECRET": "wx-test-secret",
        "WECHAT_API_BASE": "http://wechat.fake",
        "LOG_LEVEL": "WARNING",
    }
)
if HAVE_REDIS:
    os.environ["REDIS_URL"] = REDIS_URL
else:
    os.environ.pop("REDIS_URL", None)

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import backend.models  # noqa: E402,F401
from backend.core import kv as kv_module  # noqa: E402
from backend.core.database import db  # noqa: E402
from backend.core.settings import get_settings  # noqa: E402
from tests.shanghai import check_response  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def is_postgres() -> bool:
    return HAVE_PG


requires_postgres = pytest.mark.skipif(not HAVE_PG, reason="needs PostgreSQL")
requires_redis = pytest.mark.skipif(not HAVE_REDIS, reason="needs Redis")


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["database_url"] = url
    cfg.attributes["skip_logging"] = True
    return cfg


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[str]:
    """Create this run's database and build its schema by running the migrations."""
    from alembic import command

    get_settings.cache_clear()
    if HAVE_PG:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{TEST_DB_NAME}"'))
    command.upgrade(alembic_config(DATABASE_URL), "head")
    yield DATABASE_URL
    if HAVE_PG:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{TEST_DB_NAME}" WITH (FORCE)'))


@pytest.fixture(scope="session")
async def app(database: str) -> AsyncIterator[object]:
    from backend.main import create_app

    application = create_app(get_settings(), start_scheduler=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    hooks = {"response": [check_response]}  # every successful answer's times are at +08:00
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver/api/v1", event_hooks=hooks
    ) as c:
        yield c


@pytest.fixture
async def session(app: object) -> AsyncIterator[object]:
    """A session for arranging and inspecting data directly; commit what the API must see.

    On SQLite every statement runs in autocommit: the app's transactions begin with BEGIN IMMEDIATE, and
    a read left open by the test would hold the write lock they queue on."""
    if HAVE_PG:
        async with db.sessionmaker() as s:
            yield s
        return
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
    from sqlmodel.ext.asyncio.session import AsyncSession

    engine = create_async_engine(DATABASE_URL, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _autocommit(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    async with async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)() as s:
        yield s
    await engine.dispose()


# Reference data seeded by the migrations, kept between tests (a test that changes it restores it).
KEEP_TABLES = frozenset({"calendar_day"})


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    if "app" not in request.fixturenames:
        return
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    async with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        else:
            for t in tables:
                await conn.execute(sa.text(f'DELETE FROM "{t}"'))
    kv = kv_module.get_kv()
    if kv.redis is not None:
        keys = [k async for k in kv.redis.scan_iter(match=f"test:{RUN_ID}:*", count=1000)]
        if keys:
            await kv.redis.delete(*keys)
        if kv.near is not None:
            kv.near.forget()  # its bodies' counters were deleted above without a bump
    else:
        kv_module.set_kv(None)  # fresh in-process stand-ins
