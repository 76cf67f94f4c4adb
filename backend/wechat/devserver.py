"""An in-process WeChat that speaks the contract in ../shared/WECHAT.md, for offline development.

`WeChatStandIn` implements the five endpoints, the appid/secret checks and the access-token life cycle;
subclasses decide what codes mean. `DevWeChat` is the development stand-in (codes are documented in
backend/wechat/provider.py, which imports this module only when it picks the stand-in); the test fake
(tests/fakes/wechat.py) adds error scripting on the same base.
Reached through httpx.ASGITransport, never a socket, and refused outside APP_ENV=dev.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import secrets
import time
import uuid
from collections import Counter
from typing import Any

import httpx
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.core.settings import AppEnv, Settings
from backend.wechat.client import WeChatClient
from backend.wechat.errors import WeChatNotConfigured

log = logging.getLogger("backend.wechat.dev")

DEV_APPID = "wx-dev-appid"
DEV_SECRET = "wx-dev-secret"  # noqa: S105 - the stand-in's own, never a real secret
DEV_API_BASE = "http://wechat.dev"
TOKEN_TTL_SECONDS = 7200

Reply = dict[str, Any]


def error(errcode: int, errmsg: str | None = None) -> Reply:
    return {"errcode": errcode, "errmsg": errmsg or f"stand-in error {errcode}"}


OK: Reply = {"errcode": 0, "errmsg": "ok"}


class WeChatStandIn:
    """The endpoints and token rules; `login`, `phone`, `send`, `check` say what each code means."""

    def __init__(self, appid: str, secret: str) -> None:
        self.appid = appid
        self.secret = secret
        self.calls: Counter[str] = Counter()
        self.token: str | None = None
        self.token_expires_at = 0.0
        self.revoked: set[str] = set()
        self.app = Starlette(
            routes=[
                Route("/sns/jscode2session", self._code2session, methods=["GET"]),
                Route("/cgi-bin/stable_token", self._stable_token, methods=["POST"]),
                Route("/wxa/business/getuserphonenumber", self._phone, methods=["POST"]),
                Route("/cgi-bin/message/subscribe/send", self._send, methods=["POST"]),
                Route("/wxa/msg_sec_check", self._check, methods=["POST"]),
            ]
        )

    # ------------------------------------------------------------ hooks

    def now(self) -> float:
        return time.monotonic()

    def before(self, endpoint: str) -> Reply | None:
        """A reply that replaces the endpoint's normal answer (the test fake scripts errors here)."""
        return None

    def login(self, code: str) -> Reply:
        raise NotImplementedError

    def phone(self, code: str) -> Reply:
        raise NotImplementedError

    def send(self, body: dict[str, Any]) -> Reply:
        raise NotImplementedError

    def check(self, body: dict[str, Any]) -> Reply:
        raise NotImplementedError

    # ------------------------------------------------------------ tokens

    def token_valid(self, token: str) -> bool:
        return token == self.token and token not in self.revoked and self.now() < self.token_expires_at

    def issue_token(self, *, force: bool) -> Reply:
        """Like stable_token: the same token while it is valid, a new one when forced or gone."""
        if force or self.token is None or not self.token_valid(self.token):
            self.token = "stand-in-token-" + secrets.token_urlsafe(16)
            self.token_expires_at = self.now() + TOKEN_TTL_SECONDS
        return {"access_token": self.token, "expires_in": int(self.token_expires_at - self.now())}

    def _token_error(self, request: Request) -> Reply | None:
        token = request.query_params.get("access_token")
        if not token:
            return error(41001, "access_token missing")
        if token != self.token or token in self.revoked:
            return error(40001, "invalid credential, access_token is invalid or not latest")
        if self.now() >= self.token_expires_at:
            return error(42001, "access_token expired")
        return None

    # ------------------------------------------------------------ endpoints

    async def _code2session(self, request: Request) -> JSONResponse:
        self.calls["code2session"] += 1
        q = request.query_params
        reply = self.before("code2session")
        if reply is None:
            if q.get("appid") != self.appid:
                reply = error(40013, "invalid appid")
            elif q.get("secret") != self.secret:
                reply = error(40125, "invalid appsecret")
            elif q.get("grant_type") != "authorization_code":
                reply = error(40002, "invalid grant_type")
            elif not q.get("js_code"):
                reply = error(41008, "missing code")
            else:
                reply = self.login(q["js_code"])
        return JSONResponse(reply)

    async def _stable_token(self, request: Request) -> JSONResponse:
        self.calls["stable_token"] += 1
        reply = self.before("stable_token")
        if reply is None:
            body = await _json(request)
            if body is None:
                reply = error(47001, "data format error")
            elif body.get("grant_type") != "client_credential":
                reply = error(40002, "invalid grant_type")
            elif body.get("appid") != self.appid:
                reply = error(40013, "invalid appid")
            elif body.get("secret") != self.secret:
                reply = error(40125, "invalid appsecret")
            else:
                force = body.get("force_refresh") is True
                if force:
                    self.calls["force_refresh"] += 1
                reply = self.issue_token(force=force)
        return JSONResponse(reply)

    async def _business(self, request: Request, endpoint: str) -> Reply:
        self.calls[endpoint] += 1
        reply = self.before(endpoint)
        if reply is not None:
            return reply
        reply = self._token_error(request)
        if reply is not None:
            return reply
        body = await _json(request)
        if body is None:
            return error(47001, "data format error")
        if endpoint == "phone":
            code = body.get("code")
            return self.phone(code) if isinstance(code, str) and code else error(40029, "invalid code")
        if endpoint == "subscribe_send":
            return self.send(body)
        return self.check(body)

    async def _phone(self, request: Request) -> JSONResponse:
        return JSONResponse(await self._business(request, "phone"))

    async def _send(self, request: Request) -> JSONResponse:
        return JSONResponse(await self._business(request, "subscribe_send"))

    async def _check(self, request: Request) -> JSONResponse:
        return JSONResponse(await self._business(request, "msg_sec_check"))


async def _json(request: Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def phone_reply(pure: str, country_code: str | int, appid: str) -> Reply:
    return {
        **OK,
        "phone_info": {
            "phoneNumber": pure if str(country_code) == "86" else f"+{country_code}{pure}",
            "purePhoneNumber": pure,
            "countryCode": country_code,
            "watermark": {"timestamp": int(time.time()), "appid": appid},
        },
    }


def check_reply(suggest: str, label: int) -> Reply:
    detail = [{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label}]
    return {
        **OK,
        "trace_id": uuid.uuid4().hex,
        "result": {"suggest": suggest, "label": label},
        "detail": detail,
    }


# ---------------------------------------------------------------- the development stand-in

_ERR = re.compile(r"^dev-err-(-?\d{1,6})$")
_LOGIN = re.compile(r"^dev-([A-Za-z0-9_-]{1,32})$")
_PHONE = re.compile(r"^dev-phone-(\d{11})$")
_OPENID_ERR = re.compile(r"-err-(-?\d{1,6})$")


class DevWeChat(WeChatStandIn):
    """Codes mean what the provider.py docstring says; reusable, so a newcomer can log in again."""

    def login(self, code: str) -> Reply:
        if m := _ERR.match(code):
            return error(int(m.group(1)))
        if m := _LOGIN.match(code):
            name = m.group(1)
            key = base64.b64encode(hashlib.sha256(f"dev-session:{name}".encode()).digest()[:16]).decode()
            return {"openid": f"dev-openid-{name}", "session_key": key}
        return error(40029, "invalid code")

    def phone(self, code: str) -> Reply:
        if m := _ERR.match(code):
            return error(int(m.group(1)))
        if m := _PHONE.match(code):
            return phone_reply(m.group(1), "86", self.appid)
        return error(40029, "invalid code")

    def send(self, body: dict[str, Any]) -> Reply:
        if m := _OPENID_ERR.search(str(body.get("touser", ""))):
            return error(int(m.group(1)))
        log.info(
            "dev stand-in: subscription message to %s, template %s: %s",
            body.get("touser"),
            body.get("template_id"),
            body.get("data"),
        )
        return OK

    def check(self, body: dict[str, Any]) -> Reply:
        content = str(body.get("content", ""))
        if m := re.search(r"dev-err-(-?\d{1,6})", content):
            return error(int(m.group(1)))
        if "dev-risky" in content:
            return check_reply("risky", 20001)
        if "dev-review" in content:
            return check_reply("review", 21000)
        return check_reply("pass", 100)


def build_dev_client(settings: Settings) -> WeChatClient:
    """A WeChatClient wired to a DevWeChat over httpx.ASGITransport; only ever with APP_ENV=dev."""
    if settings.app_env != AppEnv.dev:
        raise WeChatNotConfigured("the offline WeChat stand-in runs only with APP_ENV=dev")

    stand_in = DevWeChat(DEV_APPID, DEV_SECRET)
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stand_in.app), timeout=settings.wechat_timeout_seconds
    )
    return WeChatClient(
        http=lambda: http,
        api_base=DEV_API_BASE,
        appid=DEV_APPID,
        secret=SecretStr(DEV_SECRET),
        miniprogram_state="developer",
    )
