"""The role x route matrix, built from the app's own routes (new routes are covered automatically).

Every API route declares its audience exactly once, with `allow(...)` or `PUBLIC` (`Access`).
Each route is called as anonymous, resident and each staff role, with random UUIDs for path parameters
and an empty JSON body: a role outside the declared audience gets 401 (anonymous) or 403
`role_not_allowed` (signed in); a role inside it never gets either from the role check (it may get 404 or
422, since the ids are random), and nobody gets a 500.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from backend.api import API_PREFIX
from backend.core.access import Access, Principal, RegionLevel, Role, allow
from backend.core.security import create_access_token

CALLERS: dict[str, Principal | None] = {
    "anonymous": None,
    "resident": Principal(id=uuid.uuid4(), role=Role.resident),
    "supplier_staff": Principal(id=uuid.uuid4(), role=Role.supplier_staff, supplier_id=uuid.uuid4()),
    "operator_staff": Principal(id=uuid.uuid4(), role=Role.operator_staff, operator_id=uuid.uuid4()),
    "regulator": Principal(
        id=uuid.uuid4(), role=Role.regulator, region_level=RegionLevel.district, region_id=uuid.uuid4()
    ),
    "admin": Principal(id=uuid.uuid4(), role=Role.admin),
}
_PARAM = re.compile(r"{([^}:]+)(:[^}]+)?}")


def _access_deps(dependant: Dependant) -> Iterator[Access]:
    for dep in dependant.dependencies:
        if isinstance(dep.call, Access):
            yield dep.call
        yield from _access_deps(dep)


@dataclass(frozen=True)
class ApiRoute:
    path: str  # as mounted, prefix included
    methods: frozenset[str]
    dependant: Dependant


def api_routes(app: FastAPI) -> list[ApiRoute]:
    """Every APIRoute under the API prefix, as mounted (FastAPI resolves included routers lazily)."""
    found: list[ApiRoute] = []
    contexts = getattr(routing, "iter_route_contexts", None)
    if contexts is not None:
        for ctx in contexts(app.routes):
            if isinstance(ctx.original_route, APIRoute):
                found.append(ApiRoute(ctx.path, frozenset(ctx.methods or ()), ctx.dependant))
    else:  # FastAPI versions that flatten routers on include
        for r in app.routes:
            if isinstance(r, APIRoute):
                found.append(ApiRoute(r.path, frozenset(r.methods), r.dependant))
    return [r for r in found if r.path.startswith(API_PREFIX)]


def declared_access(route: ApiRoute) -> Access:
    found = {id(a): a for a in _access_deps(route.dependant)}
    assert len(found) == 1, f"{sorted(route.methods)} {route.path} declares {len(found)} Access dependencies"
    return next(iter(found.values()))


def _headers(principal: Principal | None) -> dict[str, str]:
    if principal is None:
        return {}
    token, _ = create_access_token(principal.id, principal.claims())
    return {"Authorization": f"Bearer {token}"}


def test_every_api_route_declares_its_audience(app: FastAPI) -> None:
    routes = api_routes(app)
    assert len(routes) > 10
    missing = []
    for route in routes:
        deps = {id(a) for a in _access_deps(route.dependant)}
        if len(deps) != 1:
            missing.append(f"{sorted(route.methods)} {route.path}: {len(deps)} Access dependencies")
    assert not missing, "routes without exactly one allow(...)/PUBLIC:\n" + "\n".join(missing)


def test_role_route_matrix_has_the_known_entries(app: FastAPI) -> None:
    """Anchors: a few declarations the matrix must see, so a broken walk cannot pass vacuously."""
    table = {(m, r.path): declared_access(r) for r in api_routes(app) for m in r.methods}
    assert table[("POST", f"{API_PREFIX}/auth/token")].public
    assert table[("GET", f"{API_PREFIX}/me")].roles == {Role.resident}
    assert table[("GET", f"{API_PREFIX}/staff/me")].roles == {
        Role.supplier_staff,
        Role.operator_staff,
        Role.regulator,
        Role.admin,
    }
    assert table[("PATCH", f"{API_PREFIX}/staff/beneficiaries/{{beneficiary_id}}/entitlements")].roles == {
        Role.regulator,
        Role.admin,
    }


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_role_route_matrix(app: FastAPI, client: httpx.AsyncClient, caller: str) -> None:
    principal = CALLERS[caller]
    headers = _headers(principal)
    failures: list[str] = []
    for route in api_routes(app):
        access = declared_access(route)
        path = _PARAM.sub(lambda _: str(uuid.uuid4()), route.path.removeprefix(API_PREFIX))
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            kwargs: dict[str, object] = {"headers": headers}
            if method in ("POST", "PUT", "PATCH"):
                kwargs["json"] = {}
            r = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
            code = (
                r.json().get("code")
                if r.headers.get("content-type", "").endswith("json") and r.content
                else None
            )
            where = f"{caller:15} {method:6} {route.path} -> {r.status_code} {code}"
            if r.status_code >= 500 and r.status_code != 503:
                failures.append(f"{where} (server error)")
            elif access.public:
                continue
            elif principal is None:
                if r.status_code != 401:
                    failures.append(f"{where} (anonymous must get 401)")
            elif principal.role not in access.roles:
                if (r.status_code, code) != (403, "role_not_allowed"):
                    failures.append(
                        f"{where} (outside {sorted(access.roles)}: must get 403 role_not_allowed)"
                    )
            elif r.status_code == 401 or code == "role_not_allowed":
                failures.append(f"{where} (allowed role refused)")
    assert not failures, "\n".join(failures)


async def _nested_admin(caller: Annotated[Principal, Depends(allow(Role.admin))]) -> Principal:
    return caller


async def _undeclared() -> None:
    return None


async def _nested_route(caller: Annotated[Principal, Depends(_nested_admin)]) -> None:
    return None


def test_the_walk_finds_missing_and_nested_declarations() -> None:
    """The checker itself: a route without Access is caught; one declared in a sub-dependency is found."""
    router = APIRouter(prefix=API_PREFIX)
    router.add_api_route("/undeclared", _undeclared)
    router.add_api_route("/nested", _nested_route)
    probe = FastAPI()
    probe.include_router(router)
    routes = {r.path: r for r in api_routes(probe)}
    with pytest.raises(AssertionError):
        declared_access(routes[f"{API_PREFIX}/undeclared"])
    assert declared_access(routes[f"{API_PREFIX}/nested"]).roles == {Role.admin}
