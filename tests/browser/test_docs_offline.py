"""`/docs` renders from the app's own assets: with every outside request refused, Swagger UI still draws."""

from __future__ import annotations

from typing import Any


async def test_docs_render_without_internet(page: Any, live_server: str) -> None:
    await page.goto(f"{live_server}/docs")
    title = page.locator(".swagger-ui .info .title")
    await title.wait_for(timeout=20_000)
    assert "社区嵌入式服务设施" in await title.inner_text()
    # The operations are drawn from the live schema, e.g. the public facility list.
    await page.locator(".opblock-summary-path", has_text="/api/v1/facilities").first.wait_for(timeout=20_000)
    assert page.outside_requests == []
