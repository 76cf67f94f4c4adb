"""Bad input is always a 4xx problem with a code; unexpected errors are a 500 without internals."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from backend.core.access import PUBLIC
from backend.core.errors import Conflict
from backend.core.i18n import Msg
from backend.core.settings import get_settings
from backend.main import create_app


class Thing(BaseModel):
    name: str = Field(min_length=1, max_length=5)
    count: int


class ThingTaken(Conflict):
    code = "thing_taken"
    title = Msg("已被占用", "Already taken")


def _probe_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/probe", dependencies=[Depends(PUBLIC)])

    @router.post("/things")
    async def create_thing(thing: Thing) -> Thing:
        return thing

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    @router.get("/race")
    async def race() -> None:
        raise IntegrityError("INSERT ...", {}, Exception("duplicate key value violates unique constraint"))

    @router.get("/taken")
    async def taken() -> None:
        raise ThingTaken(
            Msg("{name} 已被占用", "{name} is taken"), extra={"waitlist_available": True}, name="A"
        )

    return router


@pytest.fixture(scope="module")
async def probe_client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(get_settings(), start_scheduler=False)
    app.include_router(_probe_router())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    base_url = "http://testserver/api/v1/probe"
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url=base_url) as c,
    ):
        yield c


async def test_validation_errors_list_fields_in_chinese(probe_client: httpx.AsyncClient) -> None:
    r = await probe_client.post("/things", json={"name": "toolongname"})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "validation_error"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields == {"name": "内容过长", "count": "必填项"}


async def test_validation_errors_in_english(probe_client: httpx.AsyncClient) -> None:
    r = await probe_client.post("/things", json={"name": ""}, headers={"Accept-Language": "en"})
    body = r.json()
    assert body["title"] == "The request has invalid fields"
    assert {e["field"] for e in body["errors"]} == {"name", "count"}
    assert all(e["message"] for e in body["errors"])


@pytest.mark.parametrize("payload", [b"{not json", b"", b"[1, 2", b"\xff\xfe"])
async def test_malformed_json_is_4xx(probe_client: httpx.AsyncClient, payload: bytes) -> None:
    r = await probe_client.post("/things", content=payload, headers={"Content-Type": "application/json"})
    assert r.status_code in (400, 422)
    assert r.json()["code"] in ("validation_error", "bad_request")


async def test_wrong_method_is_405(probe_client: httpx.AsyncClient) -> None:
    r = await probe_client.delete("/things")
    assert r.status_code == 405
    assert r.json()["code"] == "method_not_allowed"


async def test_unexpected_error_is_500_without_internals(probe_client: httpx.AsyncClient) -> None:
    r = await probe_client.get("/boom", headers={"X-Request-ID": "req-500"})
    assert r.status_code == 500
    body = r.json()
    assert body["code"] == "internal_error" and body["request_id"] == "req-500"
    assert "hunter2" not in r.text and "RuntimeError" not in r.text


async def test_domain_error_renders_code_detail_and_extra(probe_client: httpx.AsyncClient) -> None:
    r = await probe_client.get("/taken")
    assert r.status_code == 409
    body = r.json()
    assert body == {
        "type": "about:blank",
        "title": "已被占用",
        "status": 409,
        "code": "thing_taken",
        "detail": "A 已被占用",
        "instance": "/api/v1/probe/taken",
        "waitlist_available": True,
        "request_id": body["request_id"],
    }
    r = await probe_client.get("/taken", headers={"Accept-Language": "en"})
    assert r.json()["detail"] == "A is taken"


async def test_unique_violation_race_is_409_not_500(probe_client: httpx.AsyncClient) -> None:
    r = await probe_client.get("/race")
    assert r.status_code == 409
    assert r.json()["code"] == "data_conflict"
    assert "duplicate key" not in r.text


async def test_detail_defaults_to_the_title(client: httpx.AsyncClient) -> None:
    r = await client.get("/facilities?cursor=not-a-cursor!")
    body = r.json()
    assert r.status_code == 422 and body["detail"] == body["title"]


async def test_malformed_json_points_at_the_body(probe_client: httpx.AsyncClient) -> None:
    r = await probe_client.post(
        "/things", content=b'{"name": "a", oops}', headers={"Content-Type": "application/json"}
    )
    assert [e["field"] for e in r.json()["errors"]] == ["body"]


async def test_streamed_body_over_the_limit_is_413_in_the_callers_language(
    probe_client: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 65536

    r = await probe_client.post(
        "/things", content=chunks(), headers={"Content-Type": "application/json", "Accept-Language": "en_US"}
    )
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large" and r.json()["title"] == "Request body too large"
    assert r.headers["content-language"] == "en"
