"""One shared httpx.AsyncClient for outside calls, with timeouts."""

from __future__ import annotations

import httpx

_client: httpx.AsyncClient | None = None


def get_http_client() -> httpx.AsyncClient:
    global _client
    if _client is None:
        from backend.core.settings import get_settings

        timeout = get_settings().wechat_timeout_seconds
        _client = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)))
    return _client


def set_http_client(client: httpx.AsyncClient | None) -> None:
    """Tests point outside calls at a fake server through this."""
    global _client
    _client = client


async def close_http_client() -> None:
    global _client
    if _client is not None:
        await _client.aclose()
    _client = None
