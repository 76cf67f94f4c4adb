"""One Shanghai datetime type for all API output (issue 8; CONTRACT.md: times are ISO 8601 shown in
Asia/Shanghai with the offset). The response models are walked: every datetime they hold must be
`core.clock.ShanghaiDateTime`. The test client's response hook (tests/shanghai.py) checks the answers."""

from __future__ import annotations

import types
import typing
from datetime import UTC, datetime
from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel, PlainSerializer

from backend.core.clock import ShanghaiDateTime, shanghai_iso
from backend.main import create_app
from tests.shanghai import foreign_times


def _is_shanghai(metadata: list[Any]) -> bool:
    return any(isinstance(m, PlainSerializer) and m.func is shanghai_iso for m in metadata)


def _bad_times(tp: Any, where: str, seen: set[type]) -> list[str]:
    """Paths of datetimes in `tp` (a model, or a type that may hold models) that are not ShanghaiDateTime."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        inner, *metadata = typing.get_args(tp)
        if inner is datetime:
            return [] if _is_shanghai(metadata) else [where]
        return _bad_times(inner, where, seen)
    if tp is datetime:
        return [where]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp in seen:
            return []
        seen.add(tp)
        bad = []
        for name, field in tp.model_fields.items():
            path = f"{tp.__name__}.{name}"
            if field.annotation is datetime:
                bad += [] if _is_shanghai(field.metadata) else [path]
            else:
                bad += _bad_times(field.annotation, path, seen)
        return bad
    if origin in (typing.Union, types.UnionType, list, tuple, set, frozenset, dict) or (
        origin is not None and typing.get_args(tp)
    ):
        return [b for arg in typing.get_args(tp) for b in _bad_times(arg, where, seen)]
    return []


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute, including those of included routers (FastAPI may keep them as router branches)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (router := getattr(route, "original_router", None)) is not None:
            found += _api_routes(router.routes)
        elif isinstance(getattr(route, "routes", None), list):
            found += _api_routes(route.routes)
    return found


def _response_models() -> dict[str, Any]:
    app = create_app(start_scheduler=False)
    models: dict[str, Any] = {}
    for route in _api_routes(app.routes):
        name = f"{sorted(route.methods)[0]} {route.path}"
        if route.response_model is not None:
            models[name] = route.response_model
        for code, extra in (route.responses or {}).items():
            if isinstance(extra, dict) and extra.get("model") is not None:
                models[f"{name} {code}"] = extra["model"]
    return models


def test_every_response_time_is_the_shanghai_type() -> None:
    models = _response_models()
    assert len(models) > 40  # the walk sees the API
    bad = sorted({b for route, tp in models.items() for b in _bad_times(tp, route, set())})
    assert bad == [], f"datetimes in responses that are not core.clock.ShanghaiDateTime: {bad}"


def test_the_walk_finds_a_bare_datetime() -> None:
    class Leaky(BaseModel):
        at: datetime
        maybe: datetime | None = None
        ok: ShanghaiDateTime
        ok_maybe: ShanghaiDateTime | None = None

    class Page(BaseModel):
        items: list[Leaky]

    assert _bad_times(Page, "x", set()) == ["Leaky.at", "Leaky.maybe"]


def test_the_type_shows_any_instant_at_plus_eight() -> None:
    class Out(BaseModel):
        at: ShanghaiDateTime

    utc = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert Out(at=utc).model_dump_json() == '{"at":"2026-12-01T08:00:00+08:00"}'
    assert Out(at=utc.replace(tzinfo=None)).model_dump_json() == '{"at":"2026-12-01T08:00:00+08:00"}'
    assert Out(at=utc).model_dump()["at"] == utc  # Python code still sees a datetime
    assert Out.model_json_schema(mode="serialization")["properties"]["at"] == {
        "format": "date-time",
        "type": "string",
        "title": "At",
    }


def test_the_response_check_refuses_utc_and_naive_times() -> None:
    body = '{"a":"2026-12-01T08:00:00+08:00","b":"2026-12-01T00:00:00Z","c":"2026-12-01T00:00:00+00:00",'
    body += '"d":"2026-12-01T00:00:00","e":"2026-12-01","f":"2026-12-01T08:00:00.5+08:00"}'
    assert foreign_times(body) == [
        '"2026-12-01T00:00:00Z"',
        '"2026-12-01T00:00:00+00:00"',
        '"2026-12-01T00:00:00"',
    ]
