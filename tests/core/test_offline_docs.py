"""The docs page and console assets come from the app itself (no CDN), without a browser."""

from __future__ import annotations

import re

import httpx


async def _root(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")  # type: ignore[arg-type]


async def test_docs_page_loads_only_local_assets(app: object) -> None:
    async with await _root(app) as c:
        page = await c.get("/docs")
        assert page.status_code == 200
        urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
        assert urls, page.text
        assert all(u.startswith("/") for u in urls), urls
        assert "cdn" not in page.text.lower()
        for url in urls:
            asset = await c.get(url)
            assert asset.status_code == 200, url
        assert (await c.get("/redoc")).status_code == 404


async def test_vendored_echarts_is_served_with_its_licence(app: object) -> None:
    async with await _root(app) as c:
        js = await c.get("/console/static/vendor/echarts/echarts.min.js")
        assert js.status_code == 200 and len(js.content) > 500_000
        licence = await c.get("/console/static/vendor/echarts/LICENSE")
        assert "Apache License" in licence.text
