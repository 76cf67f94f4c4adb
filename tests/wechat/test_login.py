"""code2Session: success, every documented errcode, busy retry, network failures, malformed replies."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from backend.core.i18n import set_language
from backend.wechat.errors import (
    WeChatCodeInvalid,
    WeChatCodeUsed,
    WeChatLoginBlocked,
    WeChatRateLimited,
    WeChatUnavailable,
)
from backend.wechat.provider import get_wechat
from tests.fakes.wechat import FakeWeChat


async def test_code_gives_openid_session_key_and_unionid(wechat: FakeWeChat) -> None:
    code = wechat.issue_login_code("openid-a", unionid="union-a", session_key="sk-a")
    result = await get_wechat().code2session(code)
    assert (result.openid, result.session_key, result.unionid) == ("openid-a", "sk-a", "union-a")
    assert "sk-a" not in repr(result)  # the session key never shows up in logs or tracebacks


async def test_unionid_is_optional(wechat: FakeWeChat) -> None:
    result = await get_wechat().code2session(wechat.issue_login_code("openid-b"))
    assert result.openid == "openid-b" and result.unionid is None


@pytest.mark.parametrize(
    ("errcode", "error", "status", "code"),
    [
        (40029, WeChatCodeInvalid, 401, "wechat_code_invalid"),
        (40163, WeChatCodeUsed, 401, "wechat_code_used"),
        (45011, WeChatRateLimited, 429, "wechat_rate_limited"),
        (40226, WeChatLoginBlocked, 403, "wechat_login_blocked"),
        (40013, WeChatUnavailable, 503, "wechat_unavailable"),  # misconfigured appid
        (99999, WeChatUnavailable, 503, "wechat_unavailable"),  # an errcode we do not know
    ],
)
async def test_errcodes_map_to_stable_errors(
    wechat: FakeWeChat, errcode: int, error: type[Exception], status: int, code: str
) -> None:
    wechat.fail_next("code2session", errcode)
    with pytest.raises(error) as info:
        await get_wechat().code2session("any-code")
    exc = info.value
    assert exc.status == status and exc.code == code and exc.errcode == errcode  # type: ignore[attr-defined]
    assert wechat.calls["code2session"] == 1  # never retried
    if status == 429:
        assert exc.headers == {"Retry-After": "60"}  # type: ignore[attr-defined]


async def test_unknown_and_reused_and_expired_codes(wechat: FakeWeChat) -> None:
    client = get_wechat()
    with pytest.raises(WeChatCodeInvalid):
        await client.code2session("never-issued")
    code = wechat.issue_login_code()
    await client.code2session(code)
    with pytest.raises(WeChatCodeUsed):  # a double tap: the caller answers with the first result
        await client.code2session(code)
    stale = wechat.issue_login_code()
    wechat.advance(301)
    with pytest.raises(WeChatCodeInvalid):
        await client.code2session(stale)


async def test_malformed_codes_are_refused_without_calling_wechat(wechat: FakeWeChat) -> None:
    for bad in ("", "has space", "x" * 300, "换行\n"):
        with pytest.raises(WeChatCodeInvalid):
            await get_wechat().code2session(bad)
    assert wechat.calls["code2session"] == 0


async def test_busy_is_retried_once_then_succeeds(wechat: FakeWeChat) -> None:
    wechat.fail_next("code2session", -1)
    result = await get_wechat().code2session(wechat.issue_login_code("openid-busy"))
    assert result.openid == "openid-busy"
    assert wechat.calls["code2session"] == 2


async def test_busy_twice_is_503_after_one_short_backoff(wechat: FakeWeChat) -> None:
    wechat.fail_next("code2session", -1, times=3)
    started = time.monotonic()
    with pytest.raises(WeChatUnavailable) as info:
        await get_wechat().code2session("code")
    assert time.monotonic() - started >= 0.15  # it waited before the one retry
    assert info.value.status == 503 and info.value.errcode == -1
    assert wechat.calls["code2session"] == 2  # once and one retry, not three


@pytest.mark.parametrize("exc", [httpx.ConnectError, httpx.ReadTimeout, httpx.ConnectTimeout])
async def test_network_failures_are_503(wechat: FakeWeChat, exc: type[httpx.TransportError]) -> None:
    wechat.break_next("code2session", exc)
    with pytest.raises(WeChatUnavailable):
        await get_wechat().code2session(wechat.issue_login_code())


@pytest.mark.parametrize(
    "reply",
    [
        {"errcode": 0, "errmsg": "ok"},  # no openid
        {"openid": "o"},  # no session_key
        {"openid": 5, "session_key": "k"},
        {"errcode": "not-a-number"},
    ],
)
async def test_malformed_replies_are_503(wechat: FakeWeChat, reply: dict[str, object]) -> None:
    wechat.reply_next("code2session", reply)
    with pytest.raises(WeChatUnavailable):
        await get_wechat().code2session("code")


async def test_missing_errcode_means_success(wechat: FakeWeChat) -> None:
    wechat.reply_next("code2session", {"openid": "o-1", "session_key": "k-1"})
    assert (await get_wechat().code2session("code")).openid == "o-1"


async def test_errors_render_in_both_languages(wechat: FakeWeChat) -> None:
    wechat.fail_next("code2session", 45011)
    with pytest.raises(WeChatRateLimited) as info:
        await get_wechat().code2session("code")
    set_language("en")
    try:
        assert info.value.to_problem()["title"].startswith("Too many")
    finally:
        set_language("zh")
    assert info.value.to_problem()["title"] == "操作过于频繁，请稍后再试"


async def test_secret_never_reaches_the_logs(wechat: FakeWeChat, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await get_wechat().code2session(wechat.issue_login_code())
    wechat.fail_next("code2session", 99999)
    with pytest.raises(WeChatUnavailable):
        await get_wechat().code2session("code")
    assert "wx-test-secret" not in caplog.text
    assert "secret=***" in caplog.text  # httpx's own request log line, redacted
    assert "99999" in caplog.text  # the errcode is logged for operators
