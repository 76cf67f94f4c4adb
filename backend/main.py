"""The FastAPI application."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from fastapi.routing import APIRoute

from backend.api import API_PREFIX, api_routers, figure_sources, principal_checks
from backend.console.web import install_console
from backend.core import http, kv
from backend.core.database import db
from backend.core.errors import PROBLEM_JSON, Problem, install_error_handlers
from backend.core.faults import ErrorShieldMiddleware, install_fault_handlers
from backend.core.heap import freeze_startup_heap
from backend.core.i18n import LanguageMiddleware
from backend.core.limits import BodySizeLimitMiddleware
from backend.core.logging import configure_logging
from backend.core.metrics import MetricsMiddleware, metrics_endpoint
from backend.core.settings import Settings, get_settings
from backend.core.textguard import NulGuardMiddleware, add_no_nul_patterns
from backend.ops.router import router as ops_router

log = logging.getLogger("backend")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _operation_id(route: APIRoute) -> str:
    return route.name


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    db.configure(settings)
    await db.warm(settings.db_pool_size)
    kv.get_kv().start()  # cached bodies kept in process while Redis says they are current
    freeze_startup_heap()
    scheduler = None
    if settings.run_scheduler_in_process and app.state.start_scheduler:
        from backend.scheduler import build_scheduler

        scheduler = build_scheduler()
        scheduler.start()
    try:
        yield
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        await http.close_http_client()
        await kv.get_kv().close()
        kv.set_kv(None)
        await db.dispose()


def create_app(settings: Settings | None = None, *, start_scheduler: bool = True) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="社区嵌入式服务设施 API",
        summary="Community embedded service facilities: catalogue, bookings, reviews, complaints, grading.",
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        # Served by backend.console from vendored assets: the default pages load Swagger UI from a CDN.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.start_scheduler = start_scheduler
    app.state.principal_checks = principal_checks()
    app.state.figure_sources = figure_sources()
    install_error_handlers(app)
    install_fault_handlers(app)

    # Outermost last: metrics, request id, the error shield, body size, the NUL guard, language.
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(NulGuardMiddleware)  # inside the body size limit: it reads the (limited) body
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(ErrorShieldMiddleware)  # inside the request id, so a 500 still carries it
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name="X-Request-ID",
        validator=lambda value: bool(_REQUEST_ID.match(value)),
        update_request_header=True,
    )
    app.add_middleware(MetricsMiddleware, api_prefix=API_PREFIX)

    app.include_router(ops_router)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    for router in api_routers():
        app.include_router(router, prefix=API_PREFIX)
    install_console(app, openapi_url="/openapi.json")
    app.openapi = lambda: _openapi_with_problems(app)  # type: ignore[method-assign]
    return app


def _openapi_with_problems(app: FastAPI) -> dict[str, Any]:
    """Document the problem schema on every error response, replacing FastAPI's default 422 shape."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        routes=app.routes,
        description=app.description,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in problem_schema.pop("$defs", {}).items():
        components[name] = sub
    components["Problem"] = problem_schema
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    problem_ref = {"content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status, response in list(responses.items()):
                if status.startswith(("4", "5")) and "Problem" not in str(response) and status != "503":
                    responses[status] = {"description": response.get("description", "Problem"), **problem_ref}
            if "parameters" in operation or "requestBody" in operation:
                responses.setdefault("422", {"description": "Validation error", **problem_ref})
            responses.setdefault("4XX", {"description": "Client error", **problem_ref})
            responses.setdefault("5XX", {"description": "Server error", **problem_ref})
    # Problems echo what was sent (a field's name may hold a NUL): they are not free text of ours.
    add_no_nul_patterns({k: v for k, v in components.items() if k not in ("Problem", "FieldError")})
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                add_no_nul_patterns(parameter.get("schema"))
    app.openapi_schema = schema
    return schema


app = create_app()
