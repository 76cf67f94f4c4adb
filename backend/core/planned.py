"""`PlannedRoute`: FastAPI's route, its request handled by a plan made once from its declarations.

FastAPI resolves a route's parameters anew on every request: it walks the dependency tree, computes cache
keys and scopes, classifies each callable, and parses the content type with the email package; for the
booking write that was ~0.16 ms of CPU a request (docs/performance.md). A `PlannedRoute` keeps all FastAPI
derives from the declarations (the OpenAPI operation, validation, the error shapes, the response model) and
reads the tree once, when the route is built: each request then runs FastAPI's own parameter, body and
response functions, in the order FastAPI runs them.

Only simple shapes are planned: an `async def` endpoint taking the request, header, query and path
parameters and one JSON body, and `async` dependencies (functions or callable objects, no `yield`) taking
the request, header parameters and further such dependencies. Any other route (a generator dependency such
as `SessionDep`, a `Response` or `BackgroundTasks` parameter, security scopes, a form body, a custom response
class, streaming) keeps FastAPI's handler, as every route does while `app.dependency_overrides` is set or
with `PLANNED_ROUTES=false`. `tests/core/test_planned.py` checks request by request that both answer alike.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import routing as fastapi_routing
from fastapi._compat import field_annotation_is_sequence
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies import utils as fastapi_params
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_body_to_args, request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.params import Form
from fastapi.routing import APIRoute, serialize_response
from fastapi.utils import is_body_allowed_for_status_code
from pydantic_core import PydanticUndefined
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
_UNDEFINED: Any = PydanticUndefined  # "no body", as FastAPI passes it


@dataclass(frozen=True, slots=True)
class _Params:
    """The parameters read from one source (path, query or headers). Scalar ones have their request keys
    worked out once (FastAPI works them out on every request); with any other kind among them (a list, a
    parameter model), FastAPI's `request_params_to_args` reads them all."""

    scalars: tuple[tuple[Any, tuple[str, ...], str], ...]  # field, request keys by preference, location
    others: list[Any]

    @classmethod
    def of(cls, fields: list[Any]) -> _Params:
        if not all(_is_scalar(f) for f in fields):
            return cls((), fields)
        scalars = tuple(
            (f, tuple(key for _, key in fastapi_params._get_param_aliases(f)), f.field_info.in_.value)
            for f in fields
        )
        return cls(scalars, [])

    def read(self, source: Any, into: dict[str, Any], errors: list[Any]) -> None:
        """As `request_params_to_args(fields, source)` does, into `into` and `errors`."""
        if self.others:
            found, failed = request_params_to_args(self.others, source)
            into.update(found)
            errors += failed
            return
        values: dict[str, Any] = {}
        for field, keys, where in self.scalars:
            key = next((k for k in keys if k in source), keys[0])
            value = source.get(key)
            valid, failed = fastapi_params._validate_value_with_model_field(
                field=field, value=_UNDEFINED if value is None else value, values=values, loc=(where, key)
            )
            if failed:
                errors.extend(failed)
            else:
                values[field.name] = valid
        into.update(values)


def _is_scalar(field: Any) -> bool:
    return fastapi_params._get_param_model(field) is None and not field_annotation_is_sequence(
        field.field_info.annotation
    )


@dataclass(frozen=True, slots=True)
class _Step:
    """One dependency: its own dependencies first, then its header parameters, then the call."""

    name: str | None
    call: Callable[..., Awaitable[Any]]
    key: tuple[Any, ...]  # FastAPI's per-request cache key: the callable, its security scopes, its scope
    use_cache: bool
    steps: tuple[_Step, ...]
    headers: _Params
    request_params: tuple[str, ...]  # the request, declared as `Request` or `HTTPConnection`


@dataclass(frozen=True, slots=True)
class _Plan:
    steps: tuple[_Step, ...]
    path: _Params
    query: _Params
    headers: _Params
    body: list[Any]
    request_params: tuple[str, ...]
    call: Callable[..., Awaitable[Any]]
    embed_body: bool
    strict_content_type: bool
    status_code: int | None
    response_field: Any
    response_options: dict[str, Any]


class PlannedRoute(APIRoute):
    """An `APIRoute` whose handler follows a plan made once (see the module's docstring); a route it cannot
    plan keeps FastAPI's handler. `route_class_override=PlannedRoute` on a hot route's declaration."""

    def get_route_handler(self) -> Handler:
        generic = super().get_route_handler()
        plan = make_plan(_effective(self))
        return generic if plan is None else _planned_handler(plan, generic)


def _effective(route: APIRoute) -> Any:
    """The route as it is included (prefix, the including router's dependencies): FastAPI builds an included
    route's handler with that context current, and reads it the same way."""
    var = getattr(fastapi_routing, "_effective_route_context_var", None)
    context = var.get() if var is not None else None
    return context if context is not None and context.original_route is route else route


def make_plan(route: Any) -> _Plan | None:
    """The route's plan, or None when it has a shape only FastAPI's handler serves."""
    dependant: Dependant = route.dependant
    if not _is_async(dependant.call) or not _plain(dependant, top=True):
        return None
    if getattr(route, "is_sse_stream", False) or getattr(route, "is_json_stream", False):
        return None
    if not isinstance(route.response_class, DefaultPlaceholder) or getattr(route, "max_body_size", None):
        return None
    body_field = route.body_field
    if body_field is not None and isinstance(body_field.field_info, Form):
        return None
    steps = tuple(_step(sub) for sub in dependant.dependencies)
    if any(step is None for step in steps):
        return None
    strict = route.strict_content_type
    return _Plan(
        steps=steps,  # type: ignore[arg-type]
        path=_Params.of(list(dependant.path_params)),
        query=_Params.of(list(dependant.query_params)),
        headers=_Params.of(list(dependant.header_params)),
        body=list(dependant.body_params),
        request_params=_request_params(dependant),
        call=dependant.call,  # type: ignore[arg-type]
        embed_body=route._embed_body_fields,
        strict_content_type=strict.value if isinstance(strict, DefaultPlaceholder) else strict,
        status_code=route.status_code,
        response_field=route.response_field,
        response_options={
            "include": route.response_model_include,
            "exclude": route.response_model_exclude,
            "by_alias": route.response_model_by_alias,
            "exclude_unset": route.response_model_exclude_unset,
            "exclude_defaults": route.response_model_exclude_defaults,
            "exclude_none": route.response_model_exclude_none,
        },
    )


def _step(dependant: Dependant) -> _Step | None:
    if not _is_async(dependant.call) or not _plain(dependant, top=False):
        return None
    steps = tuple(_step(sub) for sub in dependant.dependencies)
    if any(step is None for step in steps):
        return None
    scopes = tuple(sorted(set((dependant.parent_oauth_scopes or []) + (dependant.own_oauth_scopes or []))))
    return _Step(
        name=dependant.name,
        call=dependant.call,  # type: ignore[arg-type]
        key=(dependant.call, scopes, dependant.scope or ""),
        use_cache=dependant.use_cache,
        steps=steps,  # type: ignore[arg-type]
        headers=_Params.of(list(dependant.header_params)),
        request_params=_request_params(dependant),
    )


def _request_params(dependant: Dependant) -> tuple[str, ...]:
    return tuple(n for n in (dependant.request_param_name, dependant.http_connection_param_name) if n)


def _plain(dependant: Dependant, *, top: bool) -> bool:
    """No parameter kind the plan leaves to FastAPI (cookies, among others; a dependency takes only the
    request, headers and further dependencies)."""
    if (
        dependant.cookie_params
        or dependant.websocket_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or dependant.own_oauth_scopes
        or getattr(dependant, "concurrency", None) is not None
    ):
        return False
    return top or not (dependant.path_params or dependant.query_params or dependant.body_params)


def _is_async(call: Any) -> bool:
    """A coroutine function or an object whose `__call__` is one; never a generator (`yield` dependencies
    need FastAPI's exit stacks)."""
    if call is None:
        return False
    if inspect.isroutine(call):
        return inspect.iscoroutinefunction(call)
    return inspect.iscoroutinefunction(getattr(call, "__call__", None))  # noqa: B004


def _planned_handler(plan: _Plan, generic: Handler) -> Handler:
    async def handler(request: Request) -> Response:
        app = request.scope.get("app")
        settings = getattr(getattr(app, "state", None), "settings", None)
        if settings is not None and settings.planned_routes and not app.dependency_overrides:  # type: ignore[union-attr]
            return await _run(plan, request)
        return await generic(request)

    return handler


async def _run(plan: _Plan, request: Request) -> Response:
    # FastAPI's order: the body is read first, then the dependencies are called, then the route's own
    # parameters and the body are validated, all their errors together.
    body = await _read_body(request, plan) if plan.body else _UNDEFINED
    values: dict[str, Any] = {}
    errors: list[Any] = []
    cache: dict[tuple[Any, ...], Any] = {}
    for step in plan.steps:
        await _solve(step, request, cache, values, errors)
    plan.path.read(request.path_params, values, errors)
    plan.query.read(request.query_params, values, errors)
    plan.headers.read(request.headers, values, errors)
    if plan.body:
        found, failed = await request_body_to_args(
            body_fields=plan.body, received_body=body, embed_body_fields=plan.embed_body
        )
        values.update(found)
        errors.extend(failed)
    if errors:
        raise RequestValidationError(errors, body=None if body is _UNDEFINED else body)
    for name in plan.request_params:
        values[name] = request
    raw = await plan.call(**values)
    if isinstance(raw, Response):
        return raw
    content = await serialize_response(
        field=plan.response_field,
        response_content=raw,
        dump_json=plan.response_field is not None,
        **plan.response_options,
    )
    status = plan.status_code or 200  # no status declared: the response class's default
    if plan.response_field is not None:
        response = Response(content=content, media_type="application/json", status_code=status)
    else:
        response = JSONResponse(content, status_code=status)
    if not is_body_allowed_for_status_code(response.status_code):
        response.body = b""
    return response


async def _solve(
    step: _Step, request: Request, cache: dict[tuple[Any, ...], Any], into: dict[str, Any], errors: list[Any]
) -> None:
    """FastAPI's `solve_dependencies` for one planned dependency: a dependency whose own parameters fail is
    not called (its errors are reported with the rest)."""
    values: dict[str, Any] = {}
    failed: list[Any] = []
    for sub in step.steps:
        await _solve(sub, request, cache, values, failed)
    step.headers.read(request.headers, values, failed)
    if failed:
        errors.extend(failed)
        return
    for name in step.request_params:
        values[name] = request
    if step.use_cache and step.key in cache:
        solved = cache[step.key]
    else:
        solved = await step.call(**values)
    if step.name is not None:
        into[step.name] = solved
    cache.setdefault(step.key, solved)


async def _read_body(request: Request, plan: _Plan) -> Any:
    """The body as FastAPI reads it for a JSON body parameter: JSON when the content type says so (or, not
    strict, when there is none), else the bytes, which then fail validation."""
    try:
        raw = await request.body()
        if not raw:
            return _UNDEFINED
        content_type = request.headers.get("content-type")
        if not content_type:
            return await request.json() if not plan.strict_content_type else raw
        return await request.json() if _is_json(content_type) else raw
    except json.JSONDecodeError as exc:
        error = {"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error", "input": {},
                 "ctx": {"error": exc.msg}}  # fmt: skip
        raise RequestValidationError([error], body=exc.doc) from exc
    except HTTPException:
        raise
    except Exception as exc:
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from exc


def _is_json(content_type: str) -> bool:
    """`application/json` or `application/*+json`, parameters and case aside (what FastAPI accepts)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    main, _, sub = kind.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))
