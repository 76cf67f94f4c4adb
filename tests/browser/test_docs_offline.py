"""`/docs` renders from the app's own assets: with every outside request refused, Swagger UI still draws."""

from __future__ import annotations

from typing import Any


async def test_docs_render_without_internet(page: Any, live_server: str) -> None:
    await page.goto(f"{live_server}/docs")
    title = page.locator(".swagger-ui .info .title")
    await title.wait_for(timeout=20_000)
    assert "社区嵌入式服务设施" in await title.inner_text()
    # The operations are drawn from the live schema, e.g. the public facility list. From 150 tags and
    # operations on, Swagger UI (5.35) virtualizes the list and draws only what is on screen: scroll to it.
    path = page.locator(".opblock-summary-path", has_text="/api/v1/facilities").first
    await page.locator(".opblock-summary-path").first.wait_for(timeout=20_000)
    for _ in range(100):
        if await path.count():
            break
        await page.mouse.wheel(0, 600)
        await page.wait_for_timeout(100)
    await path.wait_for(timeout=20_000)
    assert page.outside_requests == []
