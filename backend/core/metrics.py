"""Prometheus metrics: request count and latency by route template and status."""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class MetricsMiddleware:
    """Pure ASGI, so it adds almost nothing to the hot path. Unmatched paths share one label.

    `api_prefix` is the prefix the composing app mounts its routers under (core knows no router).
    """

    def __init__(self, app: ASGIApp, api_prefix: str = "") -> None:
        self.app = app
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            template = _route_template(scope, self.api_prefix)
            method = scope.get("method", "")
            REQUESTS.labels(method, template, str(status)).inc()
            LATENCY.labels(method, template).observe(time.perf_counter() - started)


def _route_template(scope: Scope, api_prefix: str) -> str:
    """The matched path template; routes of included routers report theirs without the API prefix."""
    template = getattr(scope.get("route"), "path", None)
    if not template:
        return "<unmatched>"
    if (
        api_prefix
        and scope.get("path", "").startswith(api_prefix + "/")
        and not template.startswith(api_prefix)
    ):
        template = api_prefix + template
    return str(template)


async def metrics_endpoint(_: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
