"""msg_sec_check v2: verdicts pass through; anything else holds the text for a moderator."""

from __future__ import annotations

import httpx
import pytest

from backend.wechat.client import LABEL_UNCHECKED
from backend.wechat.provider import get_wechat
from tests.fakes.wechat import FakeWeChat


@pytest.mark.parametrize(
    ("suggest", "label"), [("pass", 100), ("review", 21000), ("risky", 20001), ("risky", 10001)]
)
async def test_verdicts(wechat: FakeWeChat, suggest: str, label: int) -> None:
    wechat.set_verdict("关键内容", suggest, label)
    result = await get_wechat().msg_sec_check("openid-1", "这是关键内容的评价")
    assert (result.suggest, result.label, result.checked) == (suggest, label, True)
    assert result.trace_id
    (body,) = wechat.checked
    assert body == {"version": 2, "openid": "openid-1", "scene": 2, "content": "这是关键内容的评价"}


async def test_plain_text_passes(wechat: FakeWeChat) -> None:
    result = await get_wechat().msg_sec_check("openid-1", "服务很好，阿姨很耐心")
    assert result.suggest == "pass" and result.label == 100


@pytest.mark.parametrize("errcode", [-1, 61010, 40003, 87014, 99999])
async def test_errors_hold_for_review(wechat: FakeWeChat, errcode: int) -> None:
    wechat.fail_next("msg_sec_check", errcode)
    result = await get_wechat().msg_sec_check("openid-1", "文本")
    assert (result.suggest, result.label, result.checked) == ("review", LABEL_UNCHECKED, False)


@pytest.mark.parametrize("exc", [httpx.ReadTimeout, httpx.ConnectError])
async def test_timeouts_hold_for_review(wechat: FakeWeChat, exc: type[httpx.TransportError]) -> None:
    wechat.break_next("msg_sec_check", exc)
    assert (await get_wechat().msg_sec_check("openid-1", "文本")).suggest == "review"


async def test_no_token_holds_for_review(wechat: FakeWeChat) -> None:
    wechat.fail_next("stable_token", 40164)  # our IP is not on the allow list
    assert (await get_wechat().msg_sec_check("openid-1", "文本")).suggest == "review"
    assert wechat.calls["msg_sec_check"] == 0


async def test_too_long_content_is_held_without_calling_wechat(wechat: FakeWeChat) -> None:
    result = await get_wechat().msg_sec_check("openid-1", "字" * 2501)
    assert result.suggest == "review" and not result.checked
    assert wechat.calls["msg_sec_check"] == 0
    assert (await get_wechat().msg_sec_check("openid-1", "字" * 2500)).suggest == "pass"


@pytest.mark.parametrize(
    "reply",
    [
        {"errcode": 0},
        {"errcode": 0, "result": {"suggest": "maybe", "label": 100}},
        {"errcode": 0, "result": {"suggest": "pass", "label": "100"}},
        {"errcode": 0, "result": "pass"},
    ],
)
async def test_unusable_results_hold_for_review(wechat: FakeWeChat, reply: dict[str, object]) -> None:
    wechat.reply_next("msg_sec_check", reply)
    assert (await get_wechat().msg_sec_check("openid-1", "文本")).suggest == "review"


async def test_token_renewal_applies(wechat: FakeWeChat) -> None:
    client = get_wechat()
    await client.tokens.get()
    wechat.expire_token()
    assert (await client.msg_sec_check("openid-1", "文本")).suggest == "pass"
    assert wechat.calls["msg_sec_check"] == 2
