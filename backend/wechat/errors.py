"""WeChat failures as API errors with stable codes (see ../shared/WECHAT.md for the errcodes behind them)."""

from __future__ import annotations

from backend.core.errors import AppError, Forbidden, ServiceUnavailable, TooManyRequests, Unauthorized
from backend.core.i18n import Msg


class WeChatError(AppError):
    """Base of every WeChat error; `errcode` is WeChat's own code when there was one."""

    def __init__(self, detail: Msg | None = None, *, errcode: int | None = None, **kwargs: object) -> None:
        self.errcode = errcode
        super().__init__(detail, **kwargs)  # type: ignore[arg-type]


class WeChatCodeInvalid(WeChatError, Unauthorized):
    """40029: the login or phone code is wrong or has expired."""

    status = 401
    code = "wechat_code_invalid"
    title = Msg("微信授权码无效或已过期，请重试", "The WeChat code is invalid or has expired, try again")


class WeChatCodeUsed(WeChatError, Unauthorized):
    """40163: the code was already used (a double tap); the caller may answer with the first result."""

    status = 401
    code = "wechat_code_used"
    title = Msg("微信授权码已被使用，请重新登录", "The WeChat code was already used, sign in again")


class WeChatRateLimited(WeChatError, TooManyRequests):
    """45011: WeChat's per-user frequency limit."""

    status = 429
    code = "wechat_rate_limited"
    title = Msg("操作过于频繁，请稍后再试", "Too many attempts, try again later")

    def __init__(self, detail: Msg | None = None, *, errcode: int | None = None, **kwargs: object) -> None:
        super().__init__(detail, errcode=errcode, **kwargs)
        # WeChat counts per user per minute.
        self.headers = {"Retry-After": "60", **(self.headers or {})}


class WeChatLoginBlocked(WeChatError, Forbidden):
    """40226: WeChat marks the user high-risk and blocks the login."""

    status = 403
    code = "wechat_login_blocked"
    title = Msg("微信判定该账号存在风险，暂时无法登录", "WeChat has blocked this account from signing in")


class WeChatWatermarkMismatch(WeChatError, Unauthorized):
    """The phone number was issued for another mini-program."""

    status = 401
    code = "wechat_watermark_mismatch"
    title = Msg("手机号授权信息不属于本小程序", "The phone number was not issued for this mini-program")


class WeChatUnavailable(WeChatError, ServiceUnavailable):
    """WeChat is busy, unreachable, misconfigured or answered something we do not understand."""

    status = 503
    code = "wechat_unavailable"
    title = Msg("微信服务暂时不可用，请稍后再试", "WeChat is unavailable right now, try again shortly")


class WeChatNotConfigured(RuntimeError):
    """Raised at start-up when WeChat settings are missing outside development."""
