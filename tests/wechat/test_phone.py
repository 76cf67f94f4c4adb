"""getuserphonenumber: country code as string or number, watermark check, errors."""

from __future__ import annotations

import httpx
import pytest

from backend.wechat.errors import (
    WeChatCodeInvalid,
    WeChatRateLimited,
    WeChatUnavailable,
    WeChatWatermarkMismatch,
)
from backend.wechat.provider import get_wechat
from tests.fakes.wechat import FakeWeChat


@pytest.mark.parametrize("country_code", ["86", 86])
async def test_country_code_as_string_or_number(wechat: FakeWeChat, country_code: str | int) -> None:
    info = await get_wechat().get_phone_number(
        wechat.register_phone_code("13912345678", country_code=country_code)
    )
    assert info.phone_number == "13912345678"
    assert info.pure_phone_number == "13912345678"
    assert info.country_code == "86"


async def test_foreign_number_keeps_its_prefix(wechat: FakeWeChat) -> None:
    info = await get_wechat().get_phone_number(wechat.register_phone_code("91234567", country_code=852))
    assert (info.phone_number, info.pure_phone_number, info.country_code) == (
        "+85291234567",
        "91234567",
        "852",
    )


async def test_watermark_of_another_app_is_refused(wechat: FakeWeChat) -> None:
    code = wechat.register_phone_code(watermark_appid="wx-someone-else")
    with pytest.raises(WeChatWatermarkMismatch) as info:
        await get_wechat().get_phone_number(code)
    assert info.value.status == 401 and info.value.code == "wechat_watermark_mismatch"


async def test_missing_watermark_is_refused(wechat: FakeWeChat) -> None:
    reply = {"errcode": 0, "phone_info": {"phoneNumber": "1", "purePhoneNumber": "1", "countryCode": "86"}}
    wechat.reply_next("phone", reply)
    with pytest.raises(WeChatWatermarkMismatch):
        await get_wechat().get_phone_number("code")


async def test_invalid_used_and_expired_codes(wechat: FakeWeChat) -> None:
    client = get_wechat()
    with pytest.raises(WeChatCodeInvalid) as info:
        await client.get_phone_number("never-issued")
    assert info.value.status == 401 and info.value.errcode == 40029
    code = wechat.register_phone_code()
    await client.get_phone_number(code)
    with pytest.raises(WeChatCodeInvalid):
        await client.get_phone_number(code)
    stale = wechat.register_phone_code()
    wechat.advance(301)
    with pytest.raises(WeChatCodeInvalid):
        await client.get_phone_number(stale)
    for bad in ("", "a b", "x" * 257):
        with pytest.raises(WeChatCodeInvalid):
            await client.get_phone_number(bad)


async def test_rate_limit_busy_and_unknown_errors(wechat: FakeWeChat) -> None:
    client = get_wechat()
    wechat.fail_next("phone", 45011)
    with pytest.raises(WeChatRateLimited):
        await client.get_phone_number(wechat.register_phone_code())
    wechat.fail_next("phone", -1)  # busy once: retried
    assert (await client.get_phone_number(wechat.register_phone_code("13700000000"))).pure_phone_number == (
        "13700000000"
    )
    wechat.fail_next("phone", -1, times=2)
    with pytest.raises(WeChatUnavailable):
        await client.get_phone_number(wechat.register_phone_code())
    wechat.fail_next("phone", 40013)
    with pytest.raises(WeChatUnavailable):
        await client.get_phone_number(wechat.register_phone_code())


async def test_phone_after_token_invalidated(wechat: FakeWeChat) -> None:
    client = get_wechat()
    await client.tokens.get()
    wechat.invalidate_token()
    assert (await client.get_phone_number(wechat.register_phone_code("13600000000"))).pure_phone_number == (
        "13600000000"
    )
    assert wechat.calls["phone"] == 2 and wechat.calls["stable_token"] == 2


@pytest.mark.parametrize(
    "phone_info",
    [
        None,
        {"purePhoneNumber": "1", "countryCode": "86", "watermark": {"appid": "wx-test-appid"}},
        {
            "phoneNumber": "1",
            "purePhoneNumber": "1",
            "countryCode": None,
            "watermark": {"appid": "wx-test-appid"},
        },
    ],
)
async def test_incomplete_replies_are_unavailable(wechat: FakeWeChat, phone_info: object) -> None:
    wechat.reply_next("phone", {"errcode": 0, "phone_info": phone_info})
    with pytest.raises(WeChatUnavailable):
        await get_wechat().get_phone_number("code")


async def test_network_failure_is_unavailable(wechat: FakeWeChat) -> None:
    await get_wechat().tokens.get()
    wechat.break_next("phone", httpx.ReadTimeout)
    with pytest.raises(WeChatUnavailable):
        await get_wechat().get_phone_number(wechat.register_phone_code())
