"""The access-token manager: one fetch for many callers, renewal after 40001/42001/40014, no loops."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from backend.core.kv import get_kv
from backend.wechat.client import SendOutcome
from backend.wechat.errors import WeChatUnavailable
from backend.wechat.provider import get_wechat
from backend.wechat.tokens import cache_ttl
from tests.fakes.wechat import FakeWeChat

DATA = {"thing1": "助餐服务", "time2": "2025年3月1日 11:30"}


def test_cache_ttl_keeps_a_five_minute_margin() -> None:
    assert cache_ttl(7200) == 6900
    assert cache_ttl(400) == 200  # short-lived tokens: half their life
    assert cache_ttl(1) == 1


async def test_token_is_fetched_once_and_cached(wechat: FakeWeChat) -> None:
    client = get_wechat()
    first = await client.tokens.get()
    assert await client.tokens.get() == first
    assert wechat.calls["stable_token"] == 1
    assert await get_kv().cache.get(client.tokens.cache_key) == first.encode()
    kv = get_kv()
    if kv.redis is not None:  # the central copy expires five minutes before WeChat's
        ttl = await kv.redis.ttl(await kv.cache.redis_key(client.tokens.cache_key))  # type: ignore[attr-defined]
        assert 6800 < ttl <= 6900


async def test_twenty_concurrent_callers_fetch_once(wechat: FakeWeChat) -> None:
    client = get_wechat()
    tokens = await asyncio.gather(*(client.tokens.get() for _ in range(20)))
    assert len(set(tokens)) == 1
    assert wechat.calls["stable_token"] == 1


async def test_twenty_concurrent_sends_share_one_token(wechat: FakeWeChat) -> None:
    client = get_wechat()
    outcomes = await asyncio.gather(*(client.send_subscribe_message(f"o{i}", "tpl", DATA) for i in range(20)))
    assert set(outcomes) == {SendOutcome.sent}
    assert wechat.calls["stable_token"] == 1 and len(wechat.sent) == 20


@pytest.mark.parametrize("errcode", [40001, 42001, 40014])
async def test_token_error_drops_refetches_and_retries_once(wechat: FakeWeChat, errcode: int) -> None:
    client = get_wechat()
    old = await client.tokens.get()
    if errcode == 40001:
        wechat.invalidate_token()
    elif errcode == 42001:
        wechat.expire_token()
    else:
        wechat.fail_next("subscribe_send", 40014)
        wechat.invalidate_token()  # WeChat also stops accepting it
    assert await client.send_subscribe_message("o1", "tpl", DATA) == SendOutcome.sent
    assert wechat.calls["subscribe_send"] == 2
    assert wechat.calls["stable_token"] == 2 and wechat.calls["force_refresh"] == 0
    assert await client.tokens.get() != old


async def test_renewal_keeps_a_token_another_worker_already_replaced(wechat: FakeWeChat) -> None:
    client = get_wechat()
    old = await client.tokens.get()
    await get_kv().cache.set(client.tokens.cache_key, b"newer-token", 60)
    assert await client.tokens.renew(old) == "newer-token"
    assert wechat.calls["stable_token"] == 1  # nothing dropped, nothing fetched


async def test_same_token_again_asks_for_force_refresh(wechat: FakeWeChat) -> None:
    client = get_wechat()
    await client.tokens.get()
    wechat.invalidate_token(sticky=True)  # plain stable_token keeps handing out the revoked one
    assert await client.send_subscribe_message("o1", "tpl", DATA) == SendOutcome.sent
    assert wechat.calls["force_refresh"] == 1
    assert wechat.calls["subscribe_send"] == 2


async def test_force_refresh_is_at_most_once_per_thirty_seconds(wechat: FakeWeChat) -> None:
    client = get_wechat()
    await client.tokens.get()
    wechat.invalidate_token(sticky=True)
    assert await client.send_subscribe_message("o1", "tpl", DATA) == SendOutcome.sent
    wechat.invalidate_token(sticky=True)
    # The second force_refresh inside 30 s is refused: no token, so the outbox retries later.
    assert await client.send_subscribe_message("o1", "tpl", DATA) == SendOutcome.retry
    assert wechat.calls["force_refresh"] == 1
    with pytest.raises(WeChatUnavailable):
        await client.get_phone_number(wechat.register_phone_code())


async def test_force_refresh_is_at_most_twenty_a_day(wechat: FakeWeChat) -> None:
    client = get_wechat()
    limiter = get_kv().limiter
    for _ in range(20):
        await limiter.hit("wechat:force_refresh:day:wx-test-appid", 20, 86400)
    await client.tokens.get()
    wechat.invalidate_token(sticky=True)
    assert await client.send_subscribe_message("o1", "tpl", DATA) == SendOutcome.retry
    assert wechat.calls["force_refresh"] == 0


async def test_a_second_token_error_is_not_retried_again(wechat: FakeWeChat) -> None:
    client = get_wechat()
    await client.tokens.get()
    wechat.fail_next("subscribe_send", 40001, times=5)
    assert await client.send_subscribe_message("o1", "tpl", DATA) == SendOutcome.retry
    assert wechat.calls["subscribe_send"] == 2  # the call and one retry, never a loop
    # WeChat still handed out the same token, so one force_refresh was spent, and no more.
    assert wechat.calls["stable_token"] == 3 and wechat.calls["force_refresh"] == 1


async def test_stable_token_failures_are_unavailable(wechat: FakeWeChat) -> None:
    client = get_wechat()
    wechat.fail_next("stable_token", 40125)  # wrong secret: nothing to retry
    with pytest.raises(WeChatUnavailable) as info:
        await client.tokens.get()
    assert info.value.errcode == 40125 and wechat.calls["stable_token"] == 1
    wechat.fail_next("stable_token", -1)  # busy once: retried
    assert await client.tokens.get()
    assert wechat.calls["stable_token"] == 3


@pytest.mark.parametrize(
    "reply",
    [{"errcode": 0}, {"access_token": "t", "expires_in": "7200"}, {"access_token": "", "expires_in": 1}],
)
async def test_unusable_token_replies_are_unavailable(wechat: FakeWeChat, reply: dict[str, object]) -> None:
    wechat.reply_next("stable_token", reply)
    with pytest.raises(WeChatUnavailable):
        await get_wechat().tokens.get()
    assert await get_kv().cache.get(get_wechat().tokens.cache_key) is None


async def test_stable_token_network_failure_is_unavailable(wechat: FakeWeChat) -> None:
    wechat.break_next("stable_token", httpx.ReadTimeout)
    with pytest.raises(WeChatUnavailable):
        await get_wechat().tokens.get()
    assert await get_wechat().tokens.get()  # and recovers on the next call
