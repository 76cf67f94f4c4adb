"""Which WeChat this process talks to, chosen by settings: `get_wechat()` is what other domains call.

- WECHAT_APPID and WECHAT_SECRET set: the real client (backend/wechat/client.py) on `WECHAT_API_BASE`
  through the shared httpx client.
- Not set, APP_ENV=dev (`make run` on a laptop): the offline stand-in (backend/wechat/devserver.py),
  reached in-process over httpx.ASGITransport, so the resident flow works without WeChat:

    login code (wx.login)     dev-<name>                -> openid dev-openid-<name>
    phone code                dev-phone-<11 digits>     -> that number, country code 86
    any code                  dev-err-<errcode>         -> WeChat answers that errcode, e.g. dev-err-40029
                                                           (invalid), dev-err-40163 (used), dev-err-45011
                                                           (rate limit), dev-err-40226 (blocked), dev-err--1
                                                           (busy)
    subscription message      to an openid ending in -err-<errcode> (log in with dev-alice-err-43101)
                              -> that errcode (43101 not subscribed, 47003 bad value, -1 busy)
    text check content        containing dev-review / dev-risky -> that verdict; dev-err-<errcode> -> error
    (names: letters, digits, _ and -, up to 32 characters)

- Not set, any other APP_ENV: `WeChatNotConfigured`. The stand-in can never serve production: it is imported
  only when chosen here (never on the production import path) and refuses anything but APP_ENV=dev itself.
"""

from __future__ import annotations

import logging

from backend.core.http import get_http_client
from backend.core.settings import AppEnv, Settings, get_settings
from backend.wechat.client import WeChatClient
from backend.wechat.errors import WeChatNotConfigured

log = logging.getLogger("backend.wechat")

_client: WeChatClient | None = None


def build_wechat(settings: Settings) -> WeChatClient:
    """The client for these settings: real WeChat when configured, the offline stand-in only in dev."""
    if settings.wechat_configured:
        assert settings.wechat_appid is not None and settings.wechat_secret is not None
        return WeChatClient(
            http=get_http_client,
            api_base=settings.wechat_api_base,
            appid=settings.wechat_appid,
            secret=settings.wechat_secret,
            miniprogram_state=settings.wechat_miniprogram_state,
        )
    if settings.app_env != AppEnv.dev:
        raise WeChatNotConfigured(
            f"WECHAT_APPID and WECHAT_SECRET are required when APP_ENV={settings.app_env.value}; "
            "the offline WeChat stand-in runs only with APP_ENV=dev"
        )
    from backend.wechat.devserver import build_dev_client  # development only: off the production path

    log.warning("WeChat is not configured: using the offline development stand-in")
    return build_dev_client(settings)


def get_wechat() -> WeChatClient:
    """The process-wide client (built on first use from the current settings)."""
    global _client
    if _client is None:
        _client = build_wechat(get_settings())
    return _client


def reset_wechat() -> None:
    """Forget the cached client (tests, or after settings change)."""
    global _client
    _client = None
