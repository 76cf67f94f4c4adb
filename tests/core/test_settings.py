"""Production refuses unsafe settings at start-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backend.core.i18n import negotiate
from backend.core.settings import Settings

SAFE_PROD = {
    "app_env": "prod",
    "database_url": "postgresql+asyncpg://app@db/app",
    "redis_url": "redis://redis:6379/0",
    "jwt_secret": "x" * 48,
    "data_keys": ["Zm9yLXRlc3RzLW9ubHktMzItYnl0ZXMtbG9uZy1rZXk="],
    "lookup_key": "a-real-lookup-key",
    "wechat_appid": "wx123",
    "wechat_secret": "s",
}


def test_safe_production_settings_start() -> None:
    Settings(**SAFE_PROD)


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"jwt_secret": "dev-only-jwt-secret-change-me-0123456789abcdef"}, "JWT_SECRET"),
        ({"jwt_secret": "short"}, "JWT_SECRET"),
        ({"database_url": "sqlite+aiosqlite:///./data/app.db"}, "SQLite"),
        ({"redis_url": None}, "REDIS_URL"),
        ({"data_keys": ["ZGV2LW9ubHktZGF0YS1rZXktY2hhbmdlLW1lLTAxMjM="]}, "DATA_KEYS"),
        ({"lookup_key": "dev-only-lookup-key-change-me"}, "LOOKUP_KEY"),
        ({"wechat_appid": None}, "WECHAT_APPID"),
    ],
)
def test_unsafe_production_settings_refuse_to_start(override: dict[str, object], complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        Settings(**{**SAFE_PROD, **override})


def test_dev_defaults_need_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "WECHAT_APPID", "WECHAT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    s = Settings(_env_file=None, app_env="dev")  # type: ignore[call-arg]
    assert s.is_sqlite and s.redis_url is None and s.run_scheduler_in_process


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "zh"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("fr", "zh"),
        ("en;q=0.5,zh;q=0.9", "zh"),
        ("en;q=bogus", "zh"),
    ],
)
def test_language_negotiation(header: str | None, lang: str) -> None:
    assert negotiate(header) == lang
