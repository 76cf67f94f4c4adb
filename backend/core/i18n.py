"""Two languages: Chinese by default, English on `Accept-Language: en`."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_language: ContextVar[str] = ContextVar("language", default="zh")


@dataclass(frozen=True)
class Msg:
    zh: str
    en: str

    def render(self, lang: str | None = None, /, **params: object) -> str:
        text = self.en if (lang or current_language()) == "en" else self.zh
        return text.format(**params) if params else text


def negotiate(accept_language: str | None) -> str:
    """Pick `en` only when the client prefers English over Chinese."""
    if not accept_language:
        return "zh"
    best, best_q = "zh", -1.0
    for part in accept_language.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        primary = tag.strip().lower().replace("_", "-").split("-")[0]  # WeChat sends en_US
        if primary in ("zh", "en") and weight > 0 and weight > best_q:
            best, best_q = primary, weight
    return best


def current_language() -> str:
    return _language.get()


def set_language(lang: str) -> None:
    _language.set(lang)


class LanguageMiddleware:
    """Sets the request's language from `Accept-Language` and answers with `Content-Language`.

    Pure ASGI (not BaseHTTPMiddleware), so errors raised while the body streams reach the handlers intact.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = negotiate(Headers(scope=scope).get("accept-language"))
        set_language(lang)

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-language" not in headers:
                    headers["Content-Language"] = "en" if lang == "en" else "zh-CN"
            await send(message)

        await self.app(scope, receive, _send)
