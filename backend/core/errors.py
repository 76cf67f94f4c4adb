"""One error hierarchy; one handler renders RFC 9457 problem details with a stable `code`."""

from __future__ import annotations

import logging
import re
from typing import Any, ClassVar

from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.core.i18n import Msg, current_language

log = logging.getLogger("backend.errors")

PROBLEM_JSON = "application/problem+json"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details as this API renders them."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    code: str = Field(description="Stable machine-readable error code (snake_case).")
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None

    model_config = {"extra": "allow"}


_RESERVED = frozenset({"type", "title", "status", "detail", "code", "instance", "request_id", "errors"})


class AppError(Exception):
    """Base of every error the API answers with. Subclasses set status, code and a bilingual title."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[Msg] = Msg("请求有误", "Bad request")

    def __init__(
        self,
        detail: Msg | None = None,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **params: object,
    ) -> None:
        self.detail = detail
        self.params = params
        self.extra = extra or {}
        self.headers = headers
        super().__init__(detail.en.format(**params) if detail else self.title.en)

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        # Extra members never replace the standard ones (a domain field named `status` once did).
        body: dict[str, Any] = {k: v for k, v in self.extra.items() if k not in _RESERVED}
        body.update(type="about:blank", title=self.title.render(), status=self.status, code=self.code)
        # Clients show `detail`; without a specific one it repeats the title rather than being absent.
        body["detail"] = (self.detail or self.title).render(**self.params)
        if instance:
            body["instance"] = instance
        return body


class BadRequest(AppError):
    pass


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    title = Msg("未登录或登录已失效", "Not signed in or the session has expired")


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    title = Msg("无权进行此操作", "You are not allowed to do this")


class NotFound(AppError):
    status = 404
    code = "not_found"
    title = Msg("未找到", "Not found")


class Conflict(AppError):
    status = 409
    code = "conflict"
    title = Msg("与当前状态冲突", "Conflicts with the current state")


class DataConflict(Conflict):
    code = "data_conflict"
    title = Msg("与现有数据冲突，请刷新后重试", "Conflicts with existing data; refresh and try again")


class Unprocessable(AppError):
    status = 422
    code = "unprocessable"
    title = Msg("无法处理该请求", "The request cannot be processed")


class InvalidRange(Unprocessable):
    code = "invalid_range"
    title = Msg("时间范围无效", "The time range is invalid")


class ValueOutOfRange(Unprocessable):
    code = "value_out_of_range"
    title = Msg("日期或数值超出允许范围", "A date or number is out of the supported range")


class InvalidValue(Unprocessable):
    code = "invalid_value"
    title = Msg(
        "输入中含有无法保存的字符或数值", "The input holds a character or number that cannot be stored"
    )


class TooManyRequests(AppError):
    status = 429
    code = "too_many_requests"
    title = Msg("操作过于频繁，请稍后再试", "Too many requests, try again later")


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"
    title = Msg("服务暂不可用，请稍后再试", "The service is unavailable, try again later")


class InternalError(AppError):
    status = 500
    code = "internal_error"
    title = Msg("服务器内部错误", "Internal server error")


_HTTP_CODES: dict[int, tuple[str, Msg]] = {
    400: ("bad_request", BadRequest.title),
    401: ("unauthorized", Unauthorized.title),
    403: ("forbidden", Forbidden.title),
    404: ("not_found", Msg("接口不存在", "No such endpoint")),
    405: ("method_not_allowed", Msg("不支持该请求方法", "Method not allowed")),
    406: ("not_acceptable", Msg("无法提供所需的格式", "Not acceptable")),
    413: ("payload_too_large", Msg("请求体过大", "Request body too large")),
    415: ("unsupported_media_type", Msg("不支持的内容类型", "Unsupported media type")),
}

# Chinese messages for the validation errors residents are likely to meet.
_VALIDATION_ZH: dict[str, str] = {
    "missing": "必填项",
    "json_invalid": "JSON 格式错误",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为布尔值",
    "uuid_parsing": "应为有效的 ID",
    "uuid_type": "应为有效的 ID",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为带时区的时间（ISO 8601）",
    "datetime_from_date_parsing": "应为带时区的时间（ISO 8601）",
    "timezone_aware": "时间须带时区",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
    "extra_forbidden": "不允许的字段",
    "model_attributes_type": "格式不正确",
    "dict_type": "应为对象",
    "list_type": "应为数组",
    "too_long": "项目过多",
    "too_short": "项目过少",
    "value_error": "取值无效",
    "string_pattern_mismatch": "格式不正确",
}


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    rid = correlation_id.get()
    if rid:
        body.setdefault("request_id", rid)
    return JSONResponse(body, status_code=body["status"], headers=headers, media_type=PROBLEM_JSON)


def _field_path(loc: tuple[Any, ...] | list[Any], error_type: str = "") -> str:
    if error_type == "json_invalid":
        return "body"  # the location is a character offset, meaningless as a field name
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:] or parts
    return ".".join(parts)


def validation_problem(errors: list[dict[str, Any]], instance: str) -> dict[str, Any]:
    lang = current_language()
    items = []
    for err in errors:
        message = err.get("msg", "")
        if lang != "en":
            message = _VALIDATION_ZH.get(err.get("type", ""), "取值无效")
        items.append({"field": _field_path(err.get("loc", ()), err.get("type", "")), "message": message})
    title = Msg("请求参数有误", "The request has invalid fields")
    return {
        "type": "about:blank",
        "title": title.render(),
        "status": 422,
        "code": "validation_error",
        "detail": "; ".join(f"{i['field']}: {i['message']}" for i in items),
        "instance": instance,
        "errors": items,
    }


_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def _allow_table(app: Any) -> list[tuple[re.Pattern[str], list[str]]]:
    """(path regex, methods) for every documented path, built once per application."""
    table = getattr(app.state, "allow_table", None)
    if table is None:
        table = []
        for path, item in app.openapi().get("paths", {}).items():
            regex = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path))
            methods = {m.upper() for m in item if m in _HTTP_METHODS}
            if "GET" in methods:
                methods.add("HEAD")
            table.append((re.compile(f"^{regex}$"), sorted(methods)))
        app.state.allow_table = table
    return table


def allowed_methods(request: Request) -> list[str]:
    """Every method the API answers on this request's path (FastAPI makes one route per method, and
    Starlette's 405 names only the first route's)."""
    for regex, methods in _allow_table(request.app):
        if regex.match(request.url.path):
            return methods
    return []


def sqlstate(exc: DBAPIError) -> str:
    """The SQLSTATE of a database error, from the driver's exception or the one it wraps (asyncpg)."""
    for err in (exc.orig, getattr(exc.orig, "__cause__", None)):
        state = getattr(err, "sqlstate", None) or getattr(err, "pgcode", None)
        if isinstance(state, str):
            return state
    return ""


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem_response(exc.to_problem(request.url.path), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(validation_problem(list(exc.errors()), request.url.path))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title = _HTTP_CODES.get(exc.status_code, ("http_error", Msg("请求失败", "Request failed")))
        body = {"type": "about:blank", "title": title.render(), "status": exc.status_code, "code": code}
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            # Starlette names only the methods of the first route matching the path; FastAPI makes one
            # route per method, so `Allow` must gather every route of the path.
            methods = allowed_methods(request)
            if methods:
                headers = {**(headers or {}), "Allow": ", ".join(methods)}
        return problem_response(body, headers)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # A race past a pre-check (two creates with one unique value): a conflict, not a server fault.
        log.warning("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
        return problem_response(DataConflict().to_problem(request.url.path))

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> JSONResponse:
        # A date or number past what the database or the calendar holds (year 9999 + 8 hours, …).
        log.warning("value out of range on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(ValueOutOfRange().to_problem(request.url.path))

    # Database errors and outages: `backend.core.faults.install_fault_handlers`. Anything else is answered
    # by `backend.core.faults.ErrorShieldMiddleware` (a 500 problem, never re-raised into the server).
