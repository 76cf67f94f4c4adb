"""`PlannedRoute` answers exactly as FastAPI's own handler does, request by request; it plans only the
shapes it knows and leaves every other route to FastAPI."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, BackgroundTasks, Cookie, Depends, FastAPI, Header, Query, Request, Response
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, Field

from backend.core.errors import Unauthorized, install_error_handlers
from backend.core.i18n import Msg
from backend.core.planned import PlannedRoute, make_plan

scheme = OAuth2PasswordBearer(tokenUrl="/token", auto_error=False)
calls: list[str] = []


class Caller:
    """Like `backend.core.access.Access`: a callable object over the bearer scheme."""

    async def __call__(self, request: Request, token: Annotated[str | None, Depends(scheme)]) -> str:
        calls.append("caller")
        if token is None:
            raise Unauthorized(Msg("请先登录", "Please sign in first"))
        return token


CALLER = Caller()


async def tenant(
    x_tenant: Annotated[str, Header(pattern=r"^t-\d+$")], caller: Annotated[str, Depends(CALLER)]
) -> str:
    return f"{caller}@{x_tenant}"


class ThingIn(BaseModel):
    name: str = Field(min_length=1, max_length=5)
    count: int = Field(ge=0)


class ThingOut(BaseModel):
    id: uuid.UUID
    name: str
    count: int
    tenant: str
    limit: int
    key: str | None


async def create_thing(
    thing_id: uuid.UUID,
    request: Request,
    body: ThingIn,
    owner: Annotated[str, Depends(tenant)],
    caller: Annotated[str, Depends(CALLER)],  # the same dependency again: called once per request
    limit: Annotated[int, Query(ge=1, le=10)] = 5,
    key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=8)] = None,
) -> Any:
    if body.name == "resp":
        return Response(b"raw", status_code=202, headers={"X-Raw": "1"})
    if body.name == "bad":
        return {"id": "not-a-uuid"}  # fails the response model: FastAPI answers 500
    assert request.url.path.endswith(str(thing_id))
    return ThingOut(id=thing_id, name=body.name, count=body.count, tenant=owner, limit=limit, key=key)


async def no_content(
    caller: Annotated[str, Depends(CALLER)], tag: Annotated[list[int] | None, Query()] = None
) -> None:
    return None


async def session_like() -> AsyncIterator[str]:
    yield "s"


async def with_generator(s: Annotated[str, Depends(session_like)]) -> dict[str, str]:
    return {"s": s}


async def with_background(tasks: BackgroundTasks) -> dict[str, str]:
    return {}


async def with_cookie(session_id: Annotated[str | None, Cookie()] = None) -> dict[str, str]:
    return {}


def build(planned: bool) -> FastAPI:
    app = FastAPI()
    app.state.settings = SimpleNamespace(planned_routes=planned)
    install_error_handlers(app)
    router = APIRouter()
    router.add_api_route("/things/{thing_id}", create_thing, methods=["POST"], response_model=ThingOut,
                         status_code=201, route_class_override=PlannedRoute)  # fmt: skip
    router.add_api_route(
        "/empty", no_content, methods=["POST"], status_code=204, route_class_override=PlannedRoute
    )
    app.include_router(router, prefix="/api")
    return app


THING = f"/api/things/{uuid.uuid4()}"
GOOD = {"Authorization": "Bearer tok", "X-Tenant": "t-1", "Content-Type": "application/json"}
REQUESTS: list[tuple[str, str, dict[str, str], bytes]] = [
    ("POST", THING, GOOD, b'{"name": "a", "count": 1}'),
    ("POST", THING + "?limit=3", {**GOOD, "Idempotency-Key": "k1"}, b'{"name": "a", "count": 1}'),
    (
        "POST",
        THING,
        {**GOOD, "Content-Type": "application/json; charset=utf-8"},
        b'{"name": "a", "count": 1}',
    ),
    ("POST", THING, {**GOOD, "Content-Type": "Application/Merge-Patch+JSON"}, b'{"name": "a", "count": 1}'),
    ("POST", THING, {**GOOD, "Content-Type": "text/plain"}, b'{"name": "a", "count": 1}'),
    ("POST", THING, {k: v for k, v in GOOD.items() if k != "Content-Type"}, b'{"name": "a", "count": 1}'),
    ("POST", THING, GOOD, b""),
    ("POST", THING, GOOD, b'{"name": "a", '),
    ("POST", THING, GOOD, b"[1, 2]"),
    ("POST", THING, GOOD, b'{"name": "", "count": -1, "extra": 1}'),
    (
        "POST",
        THING + "?limit=0",
        {**GOOD, "X-Tenant": "x", "Idempotency-Key": "far-too-long"},
        b'{"count": "x"}',
    ),
    ("POST", "/api/things/not-a-uuid", GOOD, b'{"name": "a", "count": 1}'),
    ("POST", THING, {k: v for k, v in GOOD.items() if k != "Authorization"}, b'{"name": "a", "count": 1}'),
    ("POST", THING, {k: v for k, v in GOOD.items() if k != "Authorization"}, b'{"name": '),
    ("POST", THING, {k: v for k, v in GOOD.items() if k != "X-Tenant"}, b'{"name": "a", "count": 1}'),
    ("POST", THING, GOOD, b'{"name": "resp", "count": 1}'),
    ("POST", THING, GOOD, b'{"name": "bad", "count": 1}'),
    ("POST", "/api/empty", GOOD, b""),
    ("POST", "/api/empty?tag=1&tag=2", GOOD, b""),
    ("POST", "/api/empty?tag=1&tag=x", GOOD, b""),
    ("POST", "/api/empty", {}, b""),
]


async def answer(
    app: FastAPI, method: str, path: str, headers: dict[str, str], body: bytes
) -> tuple[Any, ...]:
    calls.clear()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.request(method, path, headers=headers, content=body)
    kept = sorted((k, v) for k, v in response.headers.items() if k not in ("date",))
    return response.status_code, kept, response.content, list(calls)


@pytest.mark.parametrize(("method", "path", "headers", "body"), REQUESTS)
async def test_a_planned_route_answers_as_fastapi_does(
    method: str, path: str, headers: dict[str, str], body: bytes
) -> None:
    planned = await answer(build(True), method, path, headers, body)
    generic = await answer(build(False), method, path, headers, body)
    assert planned == generic


async def test_a_dependency_declared_twice_runs_once_per_request() -> None:
    status, _, content, seen = await answer(build(True), *REQUESTS[1])
    assert status == 201, content
    assert seen == ["caller"]  # `tenant`'s caller and the route's caller: one call, cached for the request


@pytest.mark.parametrize("name", ["create_booking", "list_my_bookings"])
def test_the_morning_rush_routes_are_planned(name: str) -> None:
    from backend.bookings.router import router

    route = next(r for r in router.routes if getattr(r, "name", "") == name)
    assert isinstance(route, PlannedRoute) and make_plan(route) is not None


@pytest.mark.parametrize(
    ("endpoint", "planned"),
    [
        (create_thing, True),
        (no_content, True),
        (with_generator, False),
        (with_background, False),
        (with_cookie, False),
    ],
)
def test_only_known_shapes_are_planned(endpoint: Any, planned: bool) -> None:
    router = APIRouter()
    router.add_api_route("/x/{thing_id}", endpoint, methods=["POST"], route_class_override=PlannedRoute)
    assert (make_plan(router.routes[0]) is not None) is planned


async def test_dependency_overrides_are_served_by_fastapi() -> None:
    app = build(True)

    async def fake_caller() -> str:
        return "override"

    app.dependency_overrides[CALLER] = fake_caller
    status, _, content, _ = await answer(app, *REQUESTS[0])
    assert status == 201 and b"override@t-1" in content
