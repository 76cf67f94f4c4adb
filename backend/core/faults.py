"""Outages answer 503 with Retry-After; nothing unexpected ever escapes into the server.

`is_database_unavailable(exc)` recognises a database that cannot be reached or was lost mid-request
(asyncpg's `ConnectionRefusedError` / `OSError` / timeouts from connecting, SQLAlchemy's pool timeout, a
connection invalidated under a query, PostgreSQL refusing connections while starting or shutting down). The
error handlers answer those with the problem `database_unavailable` (503, `Retry-After`).

`ErrorShieldMiddleware` is the outermost middleware: any exception still propagating is answered with a
problem (500, or 503 for an outage) and never re-raised into the ASGI server. Starlette's own handler for
`Exception` re-raises after answering, and uvicorn then closes the keep-alive connection: clients saw
requests with no reply at all.
"""

from __future__ import annotations

import json
import logging

from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.errors import (
    AppError,
    InternalError,
    InvalidValue,
    ServiceUnavailable,
    problem_response,
    sqlstate,
)
from backend.core.i18n import Msg, negotiate

log = logging.getLogger("backend.faults")

RETRY_AFTER_SECONDS = 5

# SQLSTATE classes/codes meaning "the server cannot serve you now": connection exceptions (08), too many
# connections (53300), admin/crash shutdown and "cannot connect now" (57P01-57P03).
_UNAVAILABLE_SQLSTATES = ("08", "53300", "57P01", "57P02", "57P03")


class DatabaseUnavailable(ServiceUnavailable):
    code = "database_unavailable"
    title = Msg("数据库暂时无法访问，请稍后再试", "The database is unreachable for now, try again shortly")

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        if isinstance(current, sa_exc.DBAPIError) and isinstance(current.orig, BaseException):
            seen.append(current.orig)
        current = current.__cause__ or current.__context__
    return seen


def _is_unavailable_one(exc: BaseException) -> bool:
    if isinstance(exc, sa_exc.TimeoutError):  # the pool had no connection to give in time
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        if isinstance(exc, sa_exc.InterfaceError):
            return True
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    if type(exc) is OSError:  # "Multiple exceptions: [Errno 111] Connect call failed" from asyncpg
        return True
    state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    if isinstance(state, str) and state.startswith(_UNAVAILABLE_SQLSTATES):
        return True
    module = type(exc).__module__ or ""
    name = type(exc).__name__
    # asyncpg's InterfaceError family (ConnectionDoesNotExistError, "connection is closed", ...).
    return module.startswith("asyncpg") and (
        "Connection" in name or name in ("InterfaceError", "InternalClientError")
    )


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` (or what it wraps) means the database could not be reached or was lost."""
    return any(_is_unavailable_one(e) for e in _chain(exc))


def install_fault_handlers(app: FastAPI) -> None:
    @app.exception_handler(sa_exc.DBAPIError)
    async def _database_error(request: Request, exc: sa_exc.DBAPIError) -> JSONResponse:
        # SQLSTATE class 22 is "data exception": the database refused a value the schemas let through
        # (a number too large, ...): 422. A lost or refused connection is an outage: 503. Else: a 500.
        if sqlstate(exc).startswith("22"):
            log.warning("data exception on %s %s: %s", request.method, request.url.path, exc.orig)
            return problem_response(InvalidValue().to_problem(request.url.path))
        return _outage_or_fault(request, exc)

    @app.exception_handler(sa_exc.TimeoutError)
    @app.exception_handler(OSError)
    async def _unreachable(request: Request, exc: Exception) -> JSONResponse:
        # asyncpg raises ConnectionRefusedError / OSError / TimeoutError from connect, unwrapped; the
        # pool raises its own TimeoutError when no connection comes free in time.
        return _outage_or_fault(request, exc)


def _outage_or_fault(request: Request, exc: Exception) -> JSONResponse:
    if is_database_unavailable(exc):
        log.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
        error: AppError = DatabaseUnavailable()
    else:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        error = InternalError()
    return problem_response(error.to_problem(request.url.path), error.headers)


class ErrorShieldMiddleware:
    """Answer any escaping exception with a problem response; never re-raise into the server."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def _send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, _send)
        except Exception as exc:
            path = scope.get("path", "")
            if is_database_unavailable(exc):
                log.warning("database unavailable on %s %s: %r", scope.get("method"), path, exc)
                error: InternalError | DatabaseUnavailable = DatabaseUnavailable()
            else:
                log.error("unhandled error on %s %s", scope.get("method"), path, exc_info=exc)
                error = InternalError()
            if started:
                return  # the response is under way; nothing more can be said on this connection
            lang = negotiate(Headers(scope=scope).get("accept-language"))
            await _send_problem(send, error, path, lang)


async def _send_problem(send: Send, error: InternalError | DatabaseUnavailable, path: str, lang: str) -> None:
    body = error.to_problem(path)
    body["title"] = error.title.render(lang)
    body["detail"] = error.title.render(lang)
    rid = correlation_id.get()
    if rid:
        body["request_id"] = rid
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(raw)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in (error.headers or {}).items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": raw})
