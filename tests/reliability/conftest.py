"""The reliability drills: real app processes (uvicorn on free loopback ports) on a database of their
own, a test-owned redis-server, a test-owned TCP proxy in front of PostgreSQL; faults injected from
outside (kill -9, redis stopped, proxy cut). Each drill is bounded to 60 s.

They run with `make test-reliability` (CI runs it after `make test`), or `RUN_RELIABILITY=1 pytest
tests/reliability`; a plain `make test` skips them, saying so.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import HAVE_PG, PG_ADMIN_DSN, ROOT, RUN_ID, _pg_admin, alembic_config
from tests.reliability.servers import HAVE_REDIS_SERVER, RedisServer, free_port, wait_for_port

RUN = os.environ.get("RUN_RELIABILITY") == "1"
REL_DB = f"rel_{RUN_ID}"
REL_URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{REL_DB}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/reliability/" not in str(item.fspath).replace(os.sep, "/"):
            continue
        item.add_marker(pytest.mark.reliability)
        if not RUN:
            item.add_marker(pytest.mark.skip(reason="reliability drill: run `make test-reliability`"))
        elif not (HAVE_PG and HAVE_REDIS_SERVER):
            item.add_marker(pytest.mark.skip(reason="reliability drills need PostgreSQL and redis-server"))


@pytest.fixture(scope="session")
def rel_database() -> Iterator[str]:
    """A database of the drills' own (the app processes and the test share it), built by migrations."""
    from alembic import command

    asyncio.run(_pg_admin(f'CREATE DATABASE "{REL_DB}"'))
    command.upgrade(alembic_config(REL_URL), "head")
    yield REL_URL
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{REL_DB}" WITH (FORCE)'))


@pytest.fixture
async def rel_engine(rel_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(rel_database, pool_size=2, max_overflow=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def rel_session(rel_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with async_sessionmaker(rel_engine, class_=AsyncSession, expire_on_commit=False)() as s:
        yield s


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@dataclass
class AppProcess:
    port: int
    proc: subprocess.Popen[bytes]
    log_path: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass
class Launcher:
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "APP_ENV": "test",
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "REDIS_KEY_PREFIX": f"rel:{RUN_ID}:",
                "SCHEDULER_IN_PROCESS": "false",
                "LOG_LEVEL": "WARNING",
                "DB_POOL_SIZE": "8",
                "DB_MAX_OVERFLOW": "8",
                "DB_CONNECT_TIMEOUT_SECONDS": "2",
                "DB_POOL_TIMEOUT_SECONDS": "15",
                **extra,
            }
        )
        return env

    def app(self, database_url: str, redis_url: str, **extra: str) -> AppProcess:
        port = free_port()
        log_path = os.path.join(tempfile.gettempdir(), f"csb-rel-{RUN_ID}-{port}.log")
        cmd = [sys.executable, "-m", "uvicorn", "backend.main:app", "--host", "127.0.0.1"]
        cmd += ["--port", str(port), "--no-proxy-headers", "--no-access-log", "--log-level", "warning"]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(  # noqa: S603
                cmd, cwd=ROOT, env=self.env(database_url, redis_url, **extra), stdout=log, stderr=log
            )
        self.started.append(proc)
        wait_for_port(port, timeout=30)
        return AppProcess(port, proc, log_path)

    def scheduler(self, database_url: str, redis_url: str) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backend.scheduler"],
            cwd=ROOT,
            env=self.env(database_url, redis_url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.started.append(proc)
        return proc


@pytest.fixture
def launcher() -> Iterator[Launcher]:
    launch = Launcher()
    yield launch
    for proc in launch.started:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 10
    for proc in launch.started:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


async def wait_healthy(url: str, within: float = 20) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(base_url=url, timeout=2) as c:
        while time.monotonic() < deadline:
            try:
                if (await c.get("/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError(f"{url} never became healthy")


__all__ = ["PG_ADMIN_DSN", "AppProcess", "Launcher", "wait_healthy"]
