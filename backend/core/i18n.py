"""Two languages: Chinese by default, English on `Accept-Language: en`."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

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
        primary = tag.strip().lower().split("-")[0]
        if primary in ("zh", "en") and weight > 0 and weight > best_q:
            best, best_q = primary, weight
    return best


def current_language() -> str:
    return _language.get()


def set_language(lang: str) -> None:
    _language.set(lang)
