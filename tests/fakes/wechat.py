"""A scriptable fake WeChat server for tests, and the autouse `wechat` fixture that installs it.

The fake speaks the contract in ../shared/WECHAT.md over httpx's ASGI transport (it shares the endpoint
and token rules with the development stand-in, backend/wechat/devserver.py). Every test gets a fresh one;
requests to any other host fail loudly, so no test reaches the real network.

    code = wechat.issue_login_code("openid-1")          # single use, 5 minutes
    code = wechat.register_phone_code("13800138000", country_code=86)
    wechat.fail_next("code2session", 45011)             # or "stable_token", "phone", "subscribe_send",
    wechat.break_next("subscribe_send", httpx.ReadTimeout)  #    "msg_sec_check"
    wechat.set_verdict("广告", "risky", 10001)
    wechat.invalidate_token(); wechat.expire_token(); wechat.advance(301)
    wechat.calls["stable_token"], wechat.sent
"""

from __future__ import annotations

import secrets
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from backend.core import http as http_module
from backend.wechat.devserver import OK, Reply, WeChatStandIn, check_reply, error, phone_reply
from backend.wechat.errors import WeChatNotConfigured
from backend.wechat.provider import get_wechat, reset_wechat

APPID = "wx-test-appid"
SECRET = "wx-test-secret"
HOST = "wechat.fake"
CODE_LIFETIME_SECONDS = 300

ENDPOINTS = {
    "/sns/jscode2session": "code2session",
    "/cgi-bin/stable_token": "stable_token",
    "/wxa/business/getuserphonenumber": "phone",
    "/cgi-bin/message/subscribe/send": "subscribe_send",
    "/wxa/msg_sec_check": "msg_sec_check",
}


@dataclass
class _LoginCode:
    openid: str
    session_key: str
    unionid: str | None
    issued_at: float
    used: bool = False


@dataclass
class _PhoneCode:
    pure: str
    country_code: str | int
    watermark_appid: str
    issued_at: float
    used: bool = False


class FakeWeChat(WeChatStandIn):
    def __init__(self, appid: str = APPID, secret: str = SECRET) -> None:
        super().__init__(appid, secret)
        self._offset = 0.0
        self._forced: dict[str, deque[Reply]] = defaultdict(deque)
        self._broken: dict[str, deque[type[httpx.TransportError]]] = defaultdict(deque)
        self.login_codes: dict[str, _LoginCode] = {}
        self.phone_codes: dict[str, _PhoneCode] = {}
        self.verdicts: list[tuple[str, str, int]] = []
        self.not_subscribed: set[str] = set()
        self.sent: list[dict[str, Any]] = []
        self.checked: list[dict[str, Any]] = []
        self.sticky_revoked = False
        self.issued_tokens: list[str] = []

    # ------------------------------------------------------------ scripting

    def now(self) -> float:
        return super().now() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward (codes and tokens age)."""
        self._offset += seconds

    def issue_login_code(
        self, openid: str | None = None, *, unionid: str | None = None, session_key: str | None = None
    ) -> str:
        code = "login-" + secrets.token_hex(8)
        self.login_codes[code] = _LoginCode(
            openid=openid or "openid-" + secrets.token_hex(6),
            session_key=session_key or secrets.token_urlsafe(16),
            unionid=unionid,
            issued_at=self.now(),
        )
        return code

    def register_phone_code(
        self,
        pure: str = "13800138000",
        *,
        country_code: str | int = "86",
        watermark_appid: str | None = None,
    ) -> str:
        code = "phone-" + secrets.token_hex(8)
        self.phone_codes[code] = _PhoneCode(
            pure=pure,
            country_code=country_code,
            watermark_appid=self.appid if watermark_appid is None else watermark_appid,
            issued_at=self.now(),
        )
        return code

    def fail_next(self, endpoint: str, errcode: int, times: int = 1, errmsg: str | None = None) -> None:
        """The next `times` requests to `endpoint` answer `errcode` (before any other check)."""
        self._endpoint(endpoint)
        self._forced[endpoint].extend(error(errcode, errmsg) for _ in range(times))

    def reply_next(self, endpoint: str, reply: Reply, times: int = 1) -> None:
        """The next `times` requests to `endpoint` answer exactly `reply` (malformed answers, odd shapes)."""
        self._endpoint(endpoint)
        self._forced[endpoint].extend(dict(reply) for _ in range(times))

    def break_next(
        self, endpoint: str, exc: type[httpx.TransportError] = httpx.ConnectError, times: int = 1
    ) -> None:
        """The next `times` requests to `endpoint` fail in transport (connect error, timeout)."""
        self._endpoint(endpoint)
        self._broken[endpoint].extend(exc for _ in range(times))

    def set_verdict(self, substring: str, suggest: str, label: int) -> None:
        """Content containing `substring` gets this msg_sec_check result (first match wins)."""
        self.verdicts.append((substring, suggest, label))

    def invalidate_token(self, *, sticky: bool = False) -> None:
        """Revoke the current token (40001). `sticky`: plain stable_token keeps handing out the revoked
        token until someone asks with force_refresh."""
        if self.token:
            self.revoked.add(self.token)
        self.sticky_revoked = sticky

    def expire_token(self) -> None:
        """The current token has expired (42001)."""
        self.token_expires_at = self.now()

    @staticmethod
    def _endpoint(name: str) -> None:
        if name not in ENDPOINTS.values():
            raise ValueError(f"unknown endpoint {name!r}; one of {sorted(ENDPOINTS.values())}")

    # ------------------------------------------------------------ stand-in hooks

    def before(self, endpoint: str) -> Reply | None:
        forced = self._forced[endpoint]
        return forced.popleft() if forced else None

    def issue_token(self, *, force: bool) -> Reply:
        if not force and self.sticky_revoked and self.token is not None:
            return {"access_token": self.token, "expires_in": int(self.token_expires_at - self.now())}
        if force:
            self.sticky_revoked = False
        reply = super().issue_token(force=force)
        if not self.issued_tokens or self.issued_tokens[-1] != reply["access_token"]:
            self.issued_tokens.append(reply["access_token"])
        return reply

    def login(self, code: str) -> Reply:
        entry = self.login_codes.get(code)
        if entry is None or self.now() - entry.issued_at > CODE_LIFETIME_SECONDS:
            return error(40029, "invalid code")
        if entry.used:
            return error(40163, "code been used")
        entry.used = True
        reply: Reply = {"openid": entry.openid, "session_key": entry.session_key}
        if entry.unionid:
            reply["unionid"] = entry.unionid
        return reply

    def phone(self, code: str) -> Reply:
        entry = self.phone_codes.get(code)
        if entry is None or entry.used or self.now() - entry.issued_at > CODE_LIFETIME_SECONDS:
            return error(40029, "invalid code")
        entry.used = True
        return phone_reply(entry.pure, entry.country_code, entry.watermark_appid)

    def send(self, body: dict[str, Any]) -> Reply:
        if not body.get("touser"):
            return error(40003, "invalid openid")
        if not body.get("template_id"):
            return error(40037, "invalid template_id")
        if body["touser"] in self.not_subscribed:
            return error(43101, "user refuse to accept the msg")
        self.sent.append(body)
        return {**OK, "msgid": len(self.sent)}

    def check(self, body: dict[str, Any]) -> Reply:
        if body.get("version") != 2 or body.get("scene") not in (1, 2, 3, 4) or not body.get("openid"):
            return error(47001, "data format error")
        content = str(body.get("content", ""))
        if len(content) > 2500:
            return error(87014, "content too long")
        self.checked.append(body)
        for substring, suggest, label in self.verdicts:
            if substring in content:
                return check_reply(suggest, label)
        return check_reply("pass", 100)


class FakeTransport(httpx.AsyncBaseTransport):
    """Routes requests for the fake host to the fake; anything else is a test bug, not a network call."""

    def __init__(self, fake: FakeWeChat) -> None:
        self.fake = fake
        self._asgi = httpx.ASGITransport(app=fake.app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != HOST:
            raise RuntimeError(f"tests never reach the network (request to {request.url.host!r})")
        endpoint = ENDPOINTS.get(request.url.path)
        if endpoint and self.fake._broken[endpoint]:
            exc = self.fake._broken[endpoint].popleft()
            raise exc("fake network failure", request=request)
        return await self._asgi.handle_async_request(request)


async def _forget_tokens() -> None:
    reset_wechat()
    try:
        client = get_wechat()
    except (WeChatNotConfigured, ValueError):
        return  # a test changed the settings to something without WeChat; nothing cached to forget
    await client.tokens.reset()


@pytest.fixture(autouse=True)
async def wechat() -> AsyncIterator[FakeWeChat]:
    """A fresh fake WeChat for every test, installed as the shared outside-call client."""
    fake = FakeWeChat()
    previous = http_module._client
    client = httpx.AsyncClient(transport=FakeTransport(fake), timeout=5)
    http_module.set_http_client(client)
    await _forget_tokens()  # tokens cached by an earlier test belong to an earlier fake
    try:
        yield fake
    finally:
        await _forget_tokens()
        reset_wechat()
        http_module.set_http_client(previous)
        await client.aclose()
