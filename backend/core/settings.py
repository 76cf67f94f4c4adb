"""Application settings, read from the environment and an optional `.env` file."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values shipped for development only; production refuses to start with any of them.
DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789abcdef"  # noqa: S105
DEV_DATA_KEY = "ZGV2LW9ubHktZGF0YS1rZXktY2hhbmdlLW1lLTAxMjM="  # urlsafe base64 of 32 bytes
DEV_LOOKUP_KEY = "dev-only-lookup-key-change-me"

ROOT_DIR = Path(__file__).resolve().parents[2]


class AppEnv(StrEnum):
    dev = "dev"
    test = "test"
    prod = "prod"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    app_env: AppEnv = AppEnv.dev
    database_url: str = f"sqlite+aiosqlite:///{ROOT_DIR / 'data' / 'app.db'}"
    redis_url: str | None = None
    redis_key_prefix: str = "csb:"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    db_pool_size: int = 10
    db_max_overflow: int = 20
    db_echo: bool = False
    db_connect_timeout_seconds: float = 15.0
    db_pool_timeout_seconds: float = 30.0
    # A pooled connection idle this long is checked (one round trip) before use; 0 checks every checkout.
    db_ping_idle_seconds: float = Field(default=1.0, ge=0)
    # Hot routes answer through a plan made once from their declarations (`backend.core.planned`); false
    # serves every route with FastAPI's own handler (the same answers, more CPU per request).
    planned_routes: bool = True

    # Tokens. `jwt_secret` signs HS256 access tokens; `jwt_previous_secrets` still verify during rotation.
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_key_id: str = "k1"
    jwt_previous_secrets: dict[str, SecretStr] = Field(default_factory=dict)
    jwt_issuer: str = "community-services"
    jwt_audience: str = "community-services-api"
    access_token_minutes: int = Field(default=15, ge=1, le=15)
    refresh_token_days: int = 30

    # Personal data at rest: Fernet keys, newest first (rotation-ready), and the keyed-hash key for lookups.
    data_keys: list[SecretStr] = Field(default_factory=lambda: [SecretStr(DEV_DATA_KEY)])
    lookup_key: SecretStr = SecretStr(DEV_LOOKUP_KEY)

    # WeChat mini-program.
    wechat_appid: str | None = None
    wechat_secret: SecretStr | None = None
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_timeout_seconds: float = 5.0
    wechat_miniprogram_state: str = "formal"

    # Scheduler: run in-process with the API (dev); production runs `python -m backend.scheduler`.
    scheduler_in_process: bool | None = None
    slot_horizon_days: int = 14

    # Bookings: reminders, idempotency records, the cached slot list (the suspension notice is the ruleset's).
    booking_reminder_minutes: int = 120
    idempotency_ttl_hours: int = 24
    idempotency_lease_seconds: int = 10
    slots_cache_seconds: int = 60

    # Subscription-message templates (WeChat console ids); empty means not configured: the message is skipped.
    wechat_template_booking_confirmed: str = ""
    wechat_template_booking_cancelled: str = ""
    wechat_template_waitlist_promoted: str = ""
    wechat_template_booking_reminder: str = ""
    wechat_template_suspension_notice: str = ""
    wechat_template_review_update: str = ""
    wechat_template_complaint_update: str = ""
    wechat_template_staff_task: str = ""  # to staff who bound their WeChat: review tasks
    outbox_max_attempts: int = 5
    outbox_retry_base_seconds: int = 30

    # Staff login throttling: failures counted per (account, client) and per client, never per account
    # alone (anyone could then lock a victim out). Past a limit the client cools down (429, Retry-After
    # counting down to when its oldest counted failure leaves the window).
    login_max_failures_per_account: int = 5  # per account from one client
    login_max_failures_per_ip: int = 30  # per client, all accounts
    login_failure_window_seconds: int = 900
    # Reverse proxies whose X-Forwarded-For is believed (addresses or networks); none by default.
    trusted_proxies: list[str] = Field(default_factory=list)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def run_scheduler_in_process(self) -> bool:
        if self.scheduler_in_process is not None:
            return self.scheduler_in_process
        return self.app_env == AppEnv.dev

    @property
    def wechat_configured(self) -> bool:
        return bool(self.wechat_appid and self.wechat_secret)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.app_env != AppEnv.prod:
            return self
        problems = []
        if self.jwt_secret.get_secret_value() in ("", DEV_JWT_SECRET) or len(self.jwt_secret) < 32:
            problems.append("JWT_SECRET is missing, the development default, or shorter than 32 characters")
        if any(k.get_secret_value() == DEV_DATA_KEY for k in self.data_keys) or not self.data_keys:
            problems.append("DATA_KEYS is missing or holds the development key")
        if self.lookup_key.get_secret_value() in ("", DEV_LOOKUP_KEY):
            problems.append("LOOKUP_KEY is missing or the development default")
        if self.is_sqlite:
            problems.append("DATABASE_URL points at SQLite; production needs PostgreSQL")
        if not self.redis_url:
            problems.append("REDIS_URL is not set; production needs Redis")
        if not self.wechat_configured:
            problems.append("WECHAT_APPID and WECHAT_SECRET are required in production")
        if problems:
            raise ValueError("refusing to start in prod: " + "; ".join(problems))
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
