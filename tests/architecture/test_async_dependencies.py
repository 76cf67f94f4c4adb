"""Every route's endpoint and dependencies are coroutines: FastAPI runs a plain `def` (or a class) in its
thread pool, a hop per request that cost about a quarter of the cached slot listing's CPU in `make bench`.
The one exception is FastAPI's own login form class (the password sign-in, not a hot path)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordRequestForm

from backend.api import api_routers

ALLOWED = {OAuth2PasswordRequestForm}


def _is_async(call: Any) -> bool:
    return (
        inspect.iscoroutinefunction(call)
        or inspect.isasyncgenfunction(call)
        or inspect.iscoroutinefunction(getattr(call, "__call__", None))  # noqa: B004 (an Access instance)
    )


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def test_no_route_runs_its_endpoint_or_a_dependency_in_the_thread_pool() -> None:
    sync = set()
    routes = [r for router in api_routers() for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) > 100
    for route in routes:
        for call in (route.endpoint, *_calls(route.dependant)):
            if call not in ALLOWED and not _is_async(call):
                sync.add(f"{route.path}: {getattr(call, '__qualname__', repr(call))}")
    assert sync == set()
