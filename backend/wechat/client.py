"""The WeChat server APIs the backend calls: login, phone number, subscription messages, text check.

`WeChatClient` calls `WECHAT_API_BASE` through the shared httpx client. This module is the production
client only: the process-wide instance comes from `backend.wechat.provider.get_wechat()`, which picks this
client or (development without WeChat settings) the offline stand-in in backend/wechat/devserver.py.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import httpx
from pydantic import SecretStr

from backend.wechat.errors import (
    WeChatCodeInvalid,
    WeChatCodeUsed,
    WeChatError,
    WeChatLoginBlocked,
    WeChatRateLimited,
    WeChatUnavailable,
    WeChatWatermarkMismatch,
)
from backend.wechat.templates import validate_template_data
from backend.wechat.tokens import TOKEN_ERRCODES, AccessTokenManager, errcode_of

log = logging.getLogger("backend.wechat")

MAX_CHECK_CHARS = 2500
LABEL_UNCHECKED = 0  # TextCheck.label when WeChat gave no verdict
_MAX_CODE_LENGTH = 256
_CODE = re.compile(r"^[!-~]+$")

_LOGIN_ERRORS: dict[int, type[WeChatError]] = {
    40029: WeChatCodeInvalid,
    40163: WeChatCodeUsed,
    45011: WeChatRateLimited,
    40226: WeChatLoginBlocked,
}
_PHONE_ERRORS: dict[int, type[WeChatError]] = {40029: WeChatCodeInvalid, 45011: WeChatRateLimited}
_SEND_REJECTED = frozenset({47003, 40003, 40037, 41030})


@dataclass(frozen=True)
class Code2Session:
    openid: str
    session_key: str = field(repr=False)  # never leaves the server, never logged
    unionid: str | None = None


@dataclass(frozen=True)
class PhoneInfo:
    phone_number: str
    pure_phone_number: str
    country_code: str


class SendOutcome(StrEnum):
    sent = "sent"
    not_subscribed = "not_subscribed"  # 43101: the credit is gone; do not retry
    rejected = "rejected"  # a permanent problem (bad value, openid, template, page): log, do not retry
    retry = "retry"  # busy, network, timeout: the outbox tries again later


@dataclass(frozen=True)
class TextCheck:
    suggest: Literal["pass", "review", "risky"]
    label: int
    trace_id: str | None = None
    checked: bool = True  # False when WeChat gave no verdict (error, timeout, too long) and we hold it


class _Unreachable(Exception):
    """Network error, timeout, or a reply that is not a WeChat JSON object."""


class _RedactSecrets(logging.Filter):
    """httpx logs request URLs at INFO; code2Session carries the app secret in its query string."""

    _pattern = re.compile(r"((?:secret|access_token|js_code)=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._pattern.sub(r"\1***", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def _install_redaction() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactSecrets) for f in logger.filters):
        logger.addFilter(_RedactSecrets())


def _log_failure(api: str, reply: dict[str, Any], level: int = logging.WARNING) -> None:
    errcode, errmsg = errcode_of(reply), reply.get("errmsg")
    log.log(level, "wechat %s failed: errcode=%s errmsg=%s", api, errcode, errmsg, extra={"errcode": errcode})


class WeChatClient:
    def __init__(
        self,
        *,
        http: Callable[[], httpx.AsyncClient],
        api_base: str,
        appid: str,
        secret: SecretStr,
        miniprogram_state: str = "formal",
        lang: str = "zh_CN",
        busy_backoff_seconds: float = 0.2,
    ) -> None:
        _install_redaction()  # secrets travel in query strings: keep them out of httpx's logs
        self._http = http
        self._base = api_base.rstrip("/")
        self.appid = appid
        self._secret = secret
        self._state = miniprogram_state
        self._lang = lang
        self._backoff = busy_backoff_seconds
        self.tokens = AccessTokenManager(
            http=http,
            api_base=api_base,
            appid=appid,
            secret=secret,
            busy_backoff_seconds=busy_backoff_seconds,
        )

    def __repr__(self) -> str:
        return f"WeChatClient(api_base={self._base!r}, appid={self.appid!r})"

    # ------------------------------------------------------------ transport

    async def _request(
        self, method: str, path: str, *, params: dict[str, str], json: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        try:
            response = await self._http().request(method, self._base + path, params=params, json=json)
            if response.status_code >= 400:
                raise _Unreachable(f"HTTP {response.status_code}")
            reply = response.json()
        except httpx.HTTPError as exc:
            raise _Unreachable(type(exc).__name__) from None
        except ValueError:
            raise _Unreachable("reply is not JSON") from None
        if not isinstance(reply, dict):
            raise _Unreachable("reply is not an object")
        return reply

    async def _business(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """A call that needs the access token; on a token error renew it and retry once, never more."""
        token = await self.tokens.get()
        reply = await self._request("POST", path, params={"access_token": token}, json=body)
        if errcode_of(reply) in TOKEN_ERRCODES:
            _log_failure(path, reply)
            token = await self.tokens.renew(token)
            reply = await self._request("POST", path, params={"access_token": token}, json=body)
        return reply

    async def _busy_retry(self, call: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
        """-1 means WeChat is busy: wait a moment and try once more."""
        reply = await call()
        if errcode_of(reply) == -1:
            await asyncio.sleep(self._backoff)
            reply = await call()
        return reply

    # ------------------------------------------------------------ login

    async def code2session(self, code: str) -> Code2Session:
        """Exchange a wx.login code. Raises WeChatCodeInvalid/Used, RateLimited, LoginBlocked, Unavailable."""
        _check_code(code)
        params = {
            "appid": self.appid,
            "secret": self._secret.get_secret_value(),
            "js_code": code,
            "grant_type": "authorization_code",
        }
        try:
            reply = await self._busy_retry(lambda: self._request("GET", "/sns/jscode2session", params=params))
        except _Unreachable as exc:
            log.warning("wechat code2session unreachable: %s", exc)
            raise WeChatUnavailable() from None
        errcode = errcode_of(reply)
        if errcode != 0:
            _log_failure("code2session", reply, logging.INFO if errcode in _LOGIN_ERRORS else logging.ERROR)
            raise _LOGIN_ERRORS.get(errcode, WeChatUnavailable)(errcode=errcode)
        openid, session_key, unionid = reply.get("openid"), reply.get("session_key"), reply.get("unionid")
        if not (isinstance(openid, str) and openid and isinstance(session_key, str) and session_key):
            log.error("wechat code2session reply without openid or session_key")
            raise WeChatUnavailable()
        return Code2Session(
            openid=openid, session_key=session_key, unionid=unionid if isinstance(unionid, str) else None
        )

    # ------------------------------------------------------------ phone number

    async def get_phone_number(self, code: str) -> PhoneInfo:
        """Exchange a getPhoneNumber code. Raises WeChatCodeInvalid, WatermarkMismatch, Unavailable."""
        _check_code(code)
        try:
            reply = await self._busy_retry(
                lambda: self._business("/wxa/business/getuserphonenumber", {"code": code})
            )
        except _Unreachable as exc:
            log.warning("wechat getuserphonenumber unreachable: %s", exc)
            raise WeChatUnavailable() from None
        errcode = errcode_of(reply)
        if errcode != 0:
            _log_failure(
                "getuserphonenumber", reply, logging.INFO if errcode in _PHONE_ERRORS else logging.ERROR
            )
            raise _PHONE_ERRORS.get(errcode, WeChatUnavailable)(errcode=errcode)
        info = reply.get("phone_info")
        if not isinstance(info, dict):
            log.error("wechat getuserphonenumber reply without phone_info")
            raise WeChatUnavailable()
        watermark = info.get("watermark")
        if not isinstance(watermark, dict) or watermark.get("appid") != self.appid:
            log.warning("wechat phone number watermark does not match our appid")
            raise WeChatWatermarkMismatch()
        phone, pure, country = info.get("phoneNumber"), info.get("purePhoneNumber"), info.get("countryCode")
        if isinstance(country, int) and not isinstance(country, bool):
            country = str(country)  # WeChat sends it as a string or a number
        if not all(isinstance(v, str) and v for v in (phone, pure, country)):
            log.error("wechat getuserphonenumber reply with incomplete phone_info")
            raise WeChatUnavailable()
        return PhoneInfo(phone_number=str(phone), pure_phone_number=str(pure), country_code=str(country))

    # ------------------------------------------------------------ subscription messages

    async def send_subscribe_message(
        self, openid: str, template_id: str, data: dict[str, str], page: str | None = None
    ) -> SendOutcome:
        """Send one subscription message; never raises for WeChat's answers, see SendOutcome."""
        problems = validate_template_data(data)
        if not openid or not template_id:
            problems.append("touser and template_id are required")
        if problems:
            log.error("wechat subscription message not sent, bad values: %s", "; ".join(problems))
            return SendOutcome.rejected
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
            "miniprogram_state": self._state,
            "lang": self._lang,
        }
        if page:
            body["page"] = page
        try:
            reply = await self._business("/cgi-bin/message/subscribe/send", body)
        except _Unreachable as exc:
            log.warning("wechat subscribe send unreachable: %s", exc)
            return SendOutcome.retry
        except WeChatUnavailable:
            return SendOutcome.retry  # no access token right now
        errcode = errcode_of(reply)
        if errcode == 0:
            return SendOutcome.sent
        if errcode == 43101:
            _log_failure("subscribe send", reply, logging.INFO)
            return SendOutcome.not_subscribed
        if errcode in _SEND_REJECTED:
            _log_failure("subscribe send", reply, logging.ERROR)
            return SendOutcome.rejected
        # -1 (busy), token trouble that survived one renewal, quota (45009) and codes we do not know:
        # nothing was delivered, so a bounded retry from the outbox is safe.
        _log_failure("subscribe send", reply)
        return SendOutcome.retry

    # ------------------------------------------------------------ text check

    async def msg_sec_check(self, openid: str, content: str) -> TextCheck:
        """WeChat's verdict on user text (scene 2, comment). Any failure answers "review", never "pass"."""
        unchecked = TextCheck(suggest="review", label=LABEL_UNCHECKED, checked=False)
        if len(content) > MAX_CHECK_CHARS:
            return unchecked
        body = {"version": 2, "openid": openid, "scene": 2, "content": content}
        try:
            reply = await self._business("/wxa/msg_sec_check", body)
        except _Unreachable as exc:
            log.warning("wechat msg_sec_check unreachable: %s", exc)
            return unchecked
        except WeChatError:
            return unchecked
        if errcode_of(reply) != 0:
            _log_failure("msg_sec_check", reply)
            return unchecked
        result = reply.get("result")
        trace_id = reply.get("trace_id") if isinstance(reply.get("trace_id"), str) else None
        suggest = result.get("suggest") if isinstance(result, dict) else None
        label = result.get("label") if isinstance(result, dict) else None
        if (
            suggest not in ("pass", "review", "risky")
            or not isinstance(label, int)
            or isinstance(label, bool)
        ):
            log.error("wechat msg_sec_check reply without a usable result")
            return TextCheck(suggest="review", label=LABEL_UNCHECKED, trace_id=trace_id, checked=False)
        return TextCheck(suggest=suggest, label=label, trace_id=trace_id)


def _check_code(code: str) -> None:
    # Obviously broken input is the caller's mistake; no need to spend WeChat's quota on it.
    if not isinstance(code, str) or not code or len(code) > _MAX_CODE_LENGTH or not _CODE.match(code):
        raise WeChatCodeInvalid()
