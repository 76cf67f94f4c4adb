"""Every time the API answers with is in Asia/Shanghai with its offset (CONTRACT.md): no `Z`, no `+00:00`,
no naive times. `check_response` is a response hook of the test client, so every test of the suite checks
every successful JSON answer it gets."""

from __future__ import annotations

import re

import httpx

# An ISO 8601 date-time inside a JSON string, with its offset (if any).
ISO_TIME = re.compile(r'"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"')


def foreign_times(body: str) -> list[str]:
    """The date-times in a JSON text that are not shown at +08:00."""
    return [m.group(0) for m in ISO_TIME.finditer(body) if m.group(1) != "+08:00"]


async def check_response(response: httpx.Response) -> None:
    """Fail the request on a successful JSON answer holding a time not at +08:00 (error bodies may echo
    the client's input, so they are not checked)."""
    if response.status_code >= 400 or "json" not in response.headers.get("content-type", ""):
        return
    await response.aread()
    bad = foreign_times(response.text)
    if bad:
        raise AssertionError(
            f"{response.request.method} {response.request.url.path}: times not in +08:00: {bad}"
        )
