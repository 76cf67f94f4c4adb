"""Error codes of the accounts domain."""

from __future__ import annotations

from backend.core.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized, Unprocessable
from backend.core.i18n import Msg


class BeneficiaryNotFound(NotFound):
    code = "beneficiary_not_found"
    title = Msg("未找到该服务对象", "Beneficiary not found")


class ResidentNotFound(NotFound):
    code = "resident_not_found"
    title = Msg("未找到该居民", "Resident not found")


class StaffAccountNotFound(NotFound):
    code = "staff_account_not_found"
    title = Msg("未找到该工作人员账号", "Staff account not found")


class SelfAlreadyExists(Conflict):
    code = "beneficiary_self_exists"
    title = Msg("已登记本人信息", "You are already listed as a beneficiary")


class TooManyBeneficiaries(Conflict):
    code = "too_many_beneficiaries"
    title = Msg("服务对象数量已达上限", "You have reached the maximum number of beneficiaries")


class ResidentBlocked(Forbidden):
    code = "resident_blocked"
    title = Msg("该账号已被停用", "This account has been suspended")


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    title = Msg("用户名或密码错误", "Wrong username or password")


class AccountDisabled(Forbidden):
    code = "account_disabled"
    title = Msg("该账号已停用", "This account has been deactivated")


class LoginThrottled(TooManyRequests):
    code = "login_throttled"
    title = Msg("登录失败次数过多，请稍后再试", "Too many failed sign-ins, try again later")


class InvalidRefreshToken(Unauthorized):
    code = "invalid_refresh_token"
    title = Msg("登录已失效，请重新登录", "The session has expired, please sign in again")


class RefreshTokenReused(Unauthorized):
    code = "refresh_token_reused"
    title = Msg(
        "登录凭证已被使用，为安全起见已退出所有相关登录",
        "This refresh token was already used; the session has been revoked for safety",
    )


class RefreshInProgress(Conflict):
    code = "refresh_in_progress"
    title = Msg("登录凭证刚刚已刷新，请使用最新的凭证", "This token was just refreshed; use the newest one")


class UsernameTaken(Conflict):
    code = "username_taken"
    title = Msg("用户名已被使用", "The username is already taken")


class WrongPassword(Unprocessable):
    code = "wrong_password"
    title = Msg("当前密码不正确", "The current password is wrong")


class WeakPassword(Unprocessable):
    code = "weak_password"
    title = Msg(
        "密码须为 10–128 个字符，且不能与用户名相同",
        "The password must be 10-128 characters and differ from the username",
    )


class CannotManageAccount(Forbidden):
    code = "cannot_manage_account"
    title = Msg("无权管理该类账号", "You may not manage this kind of account")


class ScopeNotFound(Unprocessable):
    code = "scope_not_found"
    title = Msg("所属单位或辖区不存在", "The organisation or region does not exist")


class PhoneCodeInvalid(Unprocessable):
    """The getPhoneNumber code was refused. Not a 401: the resident's own sign-in is still valid."""

    code = "phone_code_invalid"
    title = Msg(
        "手机号授权无效或已过期，请重新授权", "The phone authorisation is invalid or expired; try again"
    )


class PhoneNotForThisApp(Unprocessable):
    code = "phone_watermark_mismatch"
    title = Msg("手机号授权信息不属于本小程序", "The phone number was not issued for this mini-program")
