"""Subscription messages: value rules checked before sending, and each errcode's outcome."""

from __future__ import annotations

import httpx
import pytest

from backend.wechat.client import SendOutcome
from backend.wechat.provider import get_wechat
from backend.wechat.templates import key_type, truncate_thing, validate_template_data
from tests.fakes.wechat import FakeWeChat

GOOD = {
    "thing1": "社区长者食堂助餐服务",
    "time2": "2025年3月1日 11:30~12:00",
    "character_string3": "BK-20250301-0001",
    "phrase4": "已确认",
    "amount5": "12.50元",
    "name6": "张三",
    "phone_number7": "+86-0766-66888866",
    "date8": "2025-03-01",
    "number9": "3",
    "letter10": "A",
}


def test_good_values_pass() -> None:
    assert validate_template_data(GOOD) == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("thing1", "一" * 21),
        ("thing1", ""),
        ("thing1", "   "),
        ("thing1", "换行\n不行"),
        ("character_string2", "A" * 33),
        ("character_string2", "中文编号"),
        ("number3", "1" * 33),
        ("number3", "12a"),
        ("letter4", "abc1"),
        ("phrase5", "已经确认完毕了"),
        ("phrase5", "ok"),
        ("name6", "欧阳司马诸葛东方上官"),  # 10 is fine, see below
        ("name6", "欧阳司马诸葛东方上官端"),
        ("phone_number7", "1" * 18),
        ("phone_number7", "138-abc"),
        ("time8", "明天上午"),
        ("time8", "25:00"),
        ("date9", "2025-02-30"),
        ("date9", "11:30"),
        ("amount10", "十二元"),
        ("amount10", "12.5.0"),
        ("amount10", "12345678901"),
        ("unknown11", "x"),
        ("thing", "no number"),
    ],
)
def test_bad_values_are_named(key: str, value: str) -> None:
    problems = validate_template_data({key: value})
    if value == "欧阳司马诸葛东方上官":
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith(f"{key}:")


def test_time_and_date_shapes() -> None:
    for value in ("15:01", "2019年10月1日 15:01", "2019-10-01 15:01:30", "9:00~11:30", "2025/3/1"):
        assert validate_template_data({"time1": value}) == [], value
    for value in ("2019年10月1日", "2019-10-01 15:01", "2019年10月1日~2019年10月3日"):
        assert validate_template_data({"date1": value}) == [], value
    assert validate_template_data({"time1": "1~2~3"}) != []


def test_key_types() -> None:
    assert key_type("thing12") == "thing"
    assert key_type("character_string3") == "character_string"
    assert key_type("phone_number1") == "phone_number"
    assert key_type("Thing1") is None and key_type("thing") is None


def test_the_characters_cleaned_from_values_are_exactly_the_control_and_separator_categories() -> None:
    import sys
    import unicodedata

    from backend.wechat.templates import _CONTROLS

    wanted = {c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in ("Cc", "Zl", "Zp")}
    assert set(_CONTROLS) == wanted


def test_truncate_thing() -> None:
    assert truncate_thing("短名称") == "短名称"
    cut = truncate_thing("社区长者食堂午餐助餐服务（周一至周五）每日供应")
    assert len(cut) == 20 and cut.endswith("…") and validate_template_data({"thing1": cut}) == []
    assert truncate_thing("第一行\n第二行\t 尾") == "第一行 第二行 尾"
    flag = "\U0001f1e8\U0001f1f3"
    assert truncate_thing("a" * 18 + flag + "bc") == "a" * 18 + "…"  # never half a flag
    assert truncate_thing("e\u0301" * 15).endswith("e…")  # no accent left hanging
    assert truncate_thing("x" * 30, limit=10) == "x" * 9 + "…"


async def test_sent_message_carries_the_contract_fields(wechat: FakeWeChat) -> None:
    outcome = await get_wechat().send_subscribe_message(
        "openid-1", "tpl-1", GOOD, page="pages/booking/detail?id=1"
    )
    assert outcome == SendOutcome.sent
    (body,) = wechat.sent
    assert body["touser"] == "openid-1" and body["template_id"] == "tpl-1"
    assert body["page"] == "pages/booking/detail?id=1"
    assert body["data"]["thing1"] == {"value": GOOD["thing1"]}
    assert body["miniprogram_state"] == "formal" and body["lang"] == "zh_CN"


async def test_page_is_optional(wechat: FakeWeChat) -> None:
    assert await get_wechat().send_subscribe_message("o", "t", {"thing1": "x"}) == SendOutcome.sent
    assert "page" not in wechat.sent[0]


async def test_bad_values_are_rejected_without_calling_wechat(wechat: FakeWeChat) -> None:
    client = get_wechat()
    assert await client.send_subscribe_message("o", "t", {"thing1": "一" * 21}) == SendOutcome.rejected
    assert await client.send_subscribe_message("o", "t", {}) == SendOutcome.rejected
    assert await client.send_subscribe_message("", "t", {"thing1": "x"}) == SendOutcome.rejected
    assert wechat.calls["subscribe_send"] == 0 and wechat.calls["stable_token"] == 0


async def test_not_subscribed(wechat: FakeWeChat) -> None:
    wechat.not_subscribed.add("openid-2")
    assert await get_wechat().send_subscribe_message("openid-2", "t", {"thing1": "x"}) == (
        SendOutcome.not_subscribed
    )
    assert wechat.calls["subscribe_send"] == 1 and wechat.sent == []


@pytest.mark.parametrize(
    ("errcode", "outcome"),
    [
        (43101, SendOutcome.not_subscribed),
        (47003, SendOutcome.rejected),
        (40003, SendOutcome.rejected),
        (40037, SendOutcome.rejected),
        (41030, SendOutcome.rejected),
        (-1, SendOutcome.retry),
        (45009, SendOutcome.retry),
    ],
)
async def test_errcode_outcomes(wechat: FakeWeChat, errcode: int, outcome: SendOutcome) -> None:
    wechat.fail_next("subscribe_send", errcode)
    assert await get_wechat().send_subscribe_message("o", "t", {"thing1": "x"}) == outcome
    assert wechat.calls["subscribe_send"] == 1  # the outbox decides about retries, not the client


@pytest.mark.parametrize("exc", [httpx.ConnectError, httpx.ReadTimeout])
async def test_network_failures_ask_for_a_retry(wechat: FakeWeChat, exc: type[httpx.TransportError]) -> None:
    wechat.break_next("subscribe_send", exc)
    assert await get_wechat().send_subscribe_message("o", "t", {"thing1": "x"}) == SendOutcome.retry
    wechat.break_next("stable_token", exc)
    await get_wechat().tokens.reset()
    assert await get_wechat().send_subscribe_message("o", "t", {"thing1": "x"}) == SendOutcome.retry
    assert wechat.sent == []
