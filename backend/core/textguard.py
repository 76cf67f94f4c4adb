"""A NUL character is refused the same way in every text field: 422 `validation_error`.

Before, a NUL in a beneficiary's name was stored (the column holds ciphertext) while one in a nickname
reached PostgreSQL, which refuses NUL in text (422 `invalid_value`): the answer depended on the column.
This middleware looks at the query string, JSON and form bodies before any route does; the schema says
the same (`backend.main` adds the pattern `^[^\\u0000]*$` to every free-text string).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_to_bytes

from asgi_correlation_id import correlation_id
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.errors import validation_problem
from backend.core.i18n import Msg, negotiate

NO_NUL_PATTERN = "^[^\\u0000]*$"
_MESSAGE = Msg("不能包含 NUL 字符", "must not contain the NUL character")


def _nul_path(value: Any, path: str) -> str | None:
    """The dotted path of the first string holding a NUL, keys included."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where
            found = _nul_path(item, where)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_path(item, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


def _body_field(body: bytes, content_type: str) -> str | None:
    if "json" in content_type:
        if b"\x00" in body:
            return "body"
        if b"\\u0000" not in body.lower():
            return None
        try:
            return _nul_path(json.loads(body), "") or None
        except ValueError:
            return None  # malformed JSON: the route's validation answers it
    if "x-www-form-urlencoded" in content_type:
        return "body" if b"\x00" in unquote_to_bytes(body) else None
    return None


class NulGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
            await self._refuse(scope, send, "query")
            return
        headers = Headers(scope=scope)
        content_type = headers.get("content-type", "").lower()
        if scope.get("method") not in ("POST", "PUT", "PATCH") or not (
            "json" in content_type or "x-www-form-urlencoded" in content_type
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        try:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    break
        except Exception as exc:  # a body over the limit: the app reads it again and answers as before
            failure = exc

            async def fail() -> Message:
                raise failure

            await self.app(scope, fail, send)
            return
        body = b"".join(chunks)
        field = _body_field(body, content_type)
        if field:
            await self._refuse(scope, send, field)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send, field: str) -> None:
        lang = negotiate(Headers(scope=scope).get("accept-language"))
        problem = validation_problem([], scope.get("path", ""))
        problem["errors"] = [{"field": field, "message": _MESSAGE.render(lang)}]
        problem["detail"] = f"{field}: {_MESSAGE.render(lang)}"
        problem["title"] = Msg("请求参数有误", "The request has invalid fields").render(lang)
        rid = correlation_id.get()
        if rid:
            problem["request_id"] = rid
        raw = json.dumps(problem, ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 422,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(raw)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": raw})


def add_no_nul_patterns(node: Any) -> None:
    """State the rule in the schema: every free-text string (no format, pattern, enum or const) gets
    the pattern `^[^\\u0000]*$`."""
    if isinstance(node, list):
        for item in node:
            add_no_nul_patterns(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not ({"format", "pattern", "enum", "const"} & node.keys()):
        node["pattern"] = NO_NUL_PATTERN
    for key, value in node.items():
        if key not in ("example", "examples", "default"):
            add_no_nul_patterns(value)
