"""Browser tests: the app served by uvicorn in a subprocess on its own database (migrated, demo city
loaded), driven by Playwright in Debian's headless Chromium (`/usr/bin/chromium`; Playwright never downloads a
browser).

Skipped with a message when Chromium or Playwright is missing; `REQUIRE_BROWSER=1` (CI) makes that a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import HAVE_PG, RUN_ID, _pg_admin

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
ROOT = Path(__file__).resolve().parents[2]
# Chromium as root, offline: no sandbox, and none of the background calls to Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (make install-dev)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing()
    if reason is None:
        return
    if REQUIRE_BROWSER:
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but {reason}")
    skip = pytest.mark.skip(reason=f"browser tests skipped: {reason}")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
async def live_server() -> AsyncIterator[str]:
    """Base URL of a real server on the demo city, on a database of its own."""
    if HAVE_PG:
        name = f"t_{RUN_ID}_web"
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    else:
        tmp = tempfile.mkdtemp(prefix="csb-web-")
        url = f"sqlite+aiosqlite:///{tmp}/web.db"
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "dev",
        "DATABASE_URL": url,
        "REDIS_KEY_PREFIX": f"test:{RUN_ID}:web:",
        "SCHEDULER_IN_PROCESS": "false",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "timeout": 300}
    for step in (["-m", "alembic", "upgrade", "head"], ["-m", "backend.demo"]):
        await asyncio.to_thread(subprocess.run, [sys.executable, *step], **run)
    log = tempfile.NamedTemporaryFile(prefix="csb-web-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(  # noqa: ASYNC220 - a long-lived child, started once per session
        [sys.executable, "-m", "backend"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not await asyncio.to_thread(_answers, f"{base}/healthz"):
            if server.poll() is not None or time.monotonic() > deadline:
                tail = await asyncio.to_thread(Path(log.name).read_text)
                raise RuntimeError(f"server did not start: {tail[-2000:]}")
            await asyncio.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
        if HAVE_PG:
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):  # noqa: S310
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser: Any, live_server: str) -> AsyncIterator[Any]:
    """A fresh page that refuses, and records, every request leaving the local server."""
    context = await browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
    outside: list[str] = []

    async def guard(route: Any) -> None:
        if route.request.url.startswith((live_server, "data:")):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    await context.route("**/*", guard)
    pg = await context.new_page()
    pg.outside_requests = outside
    yield pg
    await context.close()
