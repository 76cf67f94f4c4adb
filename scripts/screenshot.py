"""Screenshot of the console dashboard on the demo city, for the README tour (`make screenshot`).

Builds a throwaway SQLite database, loads the demo city, serves the app on a free port, signs in as
`operator-1` in headless Chromium and saves docs/console-dashboard.png.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "console-dashboard.png"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _shoot(base: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        page = await browser.new_page(viewport={"width": 1280, "height": 1100}, locale="zh-CN")
        await page.goto(f"{base}/console/")
        await page.fill("#username", "operator-1")
        await page.fill("#password", "demo-password")
        await page.click("#submit")
        await page.wait_for_selector("body[data-loaded=dashboard]", timeout=30_000)
        await page.wait_for_timeout(800)  # chart animations
        OUT.parent.mkdir(exist_ok=True)
        await page.screenshot(path=str(OUT), full_page=True)
        await browser.close()


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="csb-shot-")
    port = _port()
    env = {
        **os.environ,
        "APP_ENV": "dev",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/demo.db",
        "SCHEDULER_IN_PROCESS": "false",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    env.pop("REDIS_URL", None)
    for step in (["-m", "alembic", "upgrade", "head"], ["-m", "backend.demo"]):
        subprocess.run([sys.executable, *step], cwd=ROOT, env=env, check=True)  # noqa: S603
    server = subprocess.Popen([sys.executable, "-m", "backend"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.3)
        asyncio.run(_shoot(base))
        print(f"wrote {OUT.relative_to(ROOT)}")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
