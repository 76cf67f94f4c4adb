"""Foundation behaviour: health, errors as problem details, request ids, limits, metrics."""

from __future__ import annotations

import uuid

import httpx
import pytest


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    base = "http://testserver"
    r = await client.get(f"{base}/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    r = await client.get(f"{base}/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["checks"]["database"] == "ok"


async def test_unknown_route_is_problem_404_in_chinese(client: httpx.AsyncClient) -> None:
    r = await client.get("/no/such/thing")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == "not_found" and body["status"] == 404
    assert body["title"] == "接口不存在"


async def test_english_with_accept_language(client: httpx.AsyncClient) -> None:
    r = await client.get("/no/such/thing", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert r.json()["title"] == "No such endpoint"


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    r = await client.get("/no/such/thing", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    assert r.json()["request_id"] == "abc-123"
    r = await client.get("/no/such/thing", headers={"X-Request-ID": "bad id with spaces"})
    assert r.headers["x-request-id"] != "bad id with spaces" and len(r.headers["x-request-id"]) >= 16


async def test_metrics_exposes_request_counts(client: httpx.AsyncClient) -> None:
    base = "http://testserver"
    await client.get(f"{base}/healthz")
    await client.get(f"/facilities/{uuid.uuid4()}")
    r = await client.get(f"{base}/metrics")
    assert r.status_code == 200
    assert 'http_requests_total{method="GET",route="/healthz",status="200"}' in r.text
    assert 'route="/api/v1/facilities/{facility_id}",status="404"' in r.text


@pytest.mark.parametrize("size", [1024 * 1024 + 1, 3 * 1024 * 1024])
async def test_body_over_one_megabyte_is_413(client: httpx.AsyncClient, size: int) -> None:
    r = await client.post("/auth/refresh", content=b"x" * size, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"


async def test_readyz_is_503_when_redis_is_unreachable(client: httpx.AsyncClient) -> None:
    from backend.core import kv as kv_module

    saved = kv_module.get_kv()
    dead = kv_module.build_kv("redis://127.0.0.1:1/0", prefix="x:", fail_closed=True)
    kv_module.set_kv(dead)
    try:
        r = await client.get("http://testserver/readyz")
    finally:
        kv_module.set_kv(saved)
        await dead.close()
    assert r.status_code == 503
    assert r.json()["checks"] == {"database": "ok", "redis": "unreachable"}


def test_operation_ids_are_unique_and_readable(app: object) -> None:
    spec = app.openapi()  # type: ignore[attr-defined]
    ids = [op["operationId"] for item in spec["paths"].values() for op in item.values()]
    assert len(ids) > 20
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert all(i.isidentifier() and i == i.lower() for i in ids)


def test_committed_openapi_matches_the_app(app: object) -> None:
    import json
    from pathlib import Path

    committed = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
    spec = app.openapi()  # type: ignore[attr-defined]
    assert json.loads(committed.read_text(encoding="utf-8")) == spec, "run `make openapi`"


def test_every_error_response_documents_the_problem_schema(app: object) -> None:
    spec = app.openapi()  # type: ignore[attr-defined]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")) and path != "/readyz":
                    ref = response["content"]["application/problem+json"]["schema"]["$ref"]
                    assert ref.endswith("/Problem"), (method, path, status)
