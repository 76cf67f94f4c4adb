"""Which WeChat the process talks to: configured, the dev stand-in (dev only), never the network in tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import ValidationError

from backend.core.http import get_http_client
from backend.core.settings import AppEnv, Settings, get_settings
from backend.wechat.client import SendOutcome, WeChatClient
from backend.wechat.devserver import DEV_APPID, build_dev_client
from backend.wechat.errors import (
    WeChatCodeInvalid,
    WeChatCodeUsed,
    WeChatError,
    WeChatLoginBlocked,
    WeChatNotConfigured,
    WeChatRateLimited,
    WeChatUnavailable,
)
from backend.wechat.provider import build_wechat, get_wechat, reset_wechat
from tests.fakes.wechat import FakeWeChat


def test_configured_settings_use_the_configured_server() -> None:
    client = get_wechat()
    assert client is get_wechat()  # one per process
    assert client.appid == "wx-test-appid"
    assert "wx-test-secret" not in repr(client)


def test_prod_never_gets_the_stand_in() -> None:
    prod = Settings.model_construct(app_env=AppEnv.prod, wechat_appid=None, wechat_secret=None)
    with pytest.raises(WeChatNotConfigured):
        build_wechat(prod)
    with pytest.raises(WeChatNotConfigured):
        build_dev_client(prod)
    with pytest.raises(ValidationError):  # and settings refuse to load in the first place
        Settings(app_env=AppEnv.prod, wechat_appid=None, wechat_secret=None)


def test_get_wechat_refuses_without_configuration_outside_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WECHAT_APPID")
    monkeypatch.delenv("WECHAT_SECRET")
    try:
        get_settings.cache_clear()
        reset_wechat()
        with pytest.raises(WeChatNotConfigured):  # APP_ENV=test
            get_wechat()
        monkeypatch.setenv("APP_ENV", "prod")
        get_settings.cache_clear()
        with pytest.raises(ValueError, match="refusing to start in prod"):
            get_wechat()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        reset_wechat()
    assert get_wechat().appid == "wx-test-appid"


async def test_tests_cannot_reach_the_network(wechat: FakeWeChat) -> None:
    with pytest.raises(RuntimeError, match="never reach the network"):
        await get_http_client().get("https://api.weixin.qq.com/sns/jscode2session")


@pytest.fixture
async def dev() -> AsyncIterator[WeChatClient]:
    client = build_wechat(Settings(app_env=AppEnv.dev, wechat_appid=None, wechat_secret=None))
    yield client
    await client.tokens.reset()


async def test_dev_stand_in_login_and_phone(dev: WeChatClient, wechat: FakeWeChat) -> None:
    assert dev.appid == DEV_APPID
    session = await dev.code2session("dev-alice")
    assert session.openid == "dev-openid-alice" and session.session_key
    assert (await dev.code2session("dev-alice")).openid == "dev-openid-alice"  # reusable offline
    phone = await dev.get_phone_number("dev-phone-13800138000")
    assert (phone.pure_phone_number, phone.country_code) == ("13800138000", "86")
    for bad in ("alice", "dev-", "dev-a b", "dev-" + "x" * 33):
        with pytest.raises(WeChatCodeInvalid):
            await dev.code2session(bad)
    for bad in ("dev-phone-123", "dev-alice", "13800138000"):
        with pytest.raises(WeChatCodeInvalid):
            await dev.get_phone_number(bad)
    assert sum(wechat.calls.values()) == 0  # the stand-in, not the test fake


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("dev-err-40029", WeChatCodeInvalid),
        ("dev-err-40163", WeChatCodeUsed),
        ("dev-err-45011", WeChatRateLimited),
        ("dev-err-40226", WeChatLoginBlocked),
        ("dev-err--1", WeChatUnavailable),
    ],
)
async def test_dev_stand_in_reaches_every_login_error(
    dev: WeChatClient, code: str, error: type[WeChatError]
) -> None:
    with pytest.raises(error):
        await dev.code2session(code)
    with pytest.raises(WeChatError):
        await dev.get_phone_number(code)


async def test_dev_stand_in_messages_and_text_check(dev: WeChatClient) -> None:
    data = {"thing1": "助浴服务"}
    assert await dev.send_subscribe_message("dev-openid-alice", "tpl", data) == SendOutcome.sent
    assert (
        await dev.send_subscribe_message("dev-openid-a-err-43101", "tpl", data) == SendOutcome.not_subscribed
    )
    assert await dev.send_subscribe_message("dev-openid-a-err-47003", "tpl", data) == SendOutcome.rejected
    assert await dev.send_subscribe_message("dev-openid-a-err--1", "tpl", data) == SendOutcome.retry
    assert (await dev.msg_sec_check("dev-openid-alice", "很好")).suggest == "pass"
    assert (await dev.msg_sec_check("dev-openid-alice", "dev-review")).suggest == "review"
    assert (await dev.msg_sec_check("dev-openid-alice", "dev-risky")).suggest == "risky"
    assert not (await dev.msg_sec_check("dev-openid-alice", "dev-err-61010")).checked
