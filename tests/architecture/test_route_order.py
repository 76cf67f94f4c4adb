"""The routers' order (`backend.api.api_routers`) is a matter of speed only: no URL matches routes of two
routers, so putting the rush's routers first never changes which route answers."""

from __future__ import annotations

import re

from starlette.routing import compile_path

from backend.api import API_PREFIX, api_routers

SAMPLE = "00000000-0000-0000-0000-000000000001"


def test_no_url_matches_routes_of_two_routers() -> None:
    routes = [
        (i, method, API_PREFIX + route.path, compile_path(API_PREFIX + route.path)[0])
        for i, router in enumerate(api_routers())
        for route in router.routes
        for method in getattr(route, "methods", None) or {"*"}
    ]
    clashes = set()
    for i, method, path, _ in routes:
        url = re.sub(r"\{[^}]+\}", SAMPLE, path)
        for j, other_method, other_path, regex in routes:
            if i != j and method == other_method and regex.match(url):
                clashes.add((method, path, other_path))
    assert clashes == set()


def test_the_rush_routers_come_first() -> None:
    first = api_routers()[0]
    paths = {route.path for route in first.routes}
    assert {"/bookings", "/services/{service_id}/slots", "/me/bookings"} <= paths
