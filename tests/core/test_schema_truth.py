"""The schema tells the truth (issue 15, finding 6): what the app enforces is in openapi/openapi.json, and
405 answers name every method of the path."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.pagination import CURSOR_PATTERN, encode_cursor
from backend.core.settings import get_settings
from backend.main import create_app
from tests.accounts.factories import make_resident, resident_headers


async def test_405_allow_lists_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    """`/facilities` answers GET and POST (two FastAPI routes); a DELETE is told both, not just one."""
    r = await client.delete("/facilities")
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"
    assert r.headers["Allow"] == "GET, HEAD, POST"
    r = await client.options("/me/beneficiaries/00000000-0000-0000-0000-000000000001")
    assert r.status_code == 405
    assert r.headers["Allow"] == "DELETE, PATCH"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return create_app(get_settings(), start_scheduler=False).openapi()


def _param(schema: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    params = schema["paths"][path][method]["parameters"]
    return next(p for p in params if p["name"] == name)


async def test_nul_is_refused_the_same_in_every_text_field(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """A NUL was stored in a beneficiary's name (ciphertext column) but refused in a nickname (PostgreSQL):
    now both are a 422 validation_error naming the field, before anything is stored."""
    resident = await make_resident(session)
    h = resident_headers(resident)
    ben = {"name": "王\u0000秀英", "relation": "parent", "birth_date": "1950-03-01"}
    for r in (
        await client.post("/me/beneficiaries", json=ben, headers=h),
        await client.patch("/me", json={"nickname": "阿\u0000明"}, headers=h),
        await client.get("/facilities", params={"cursor": "a\x00b"}),
    ):
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "validation_error"
    assert r.json()["errors"][0]["field"] == "query"
    assert (await client.get("/me/beneficiaries", headers=h)).json()["items"] == []
    nickname = create_app(get_settings(), start_scheduler=False).openapi()["components"]["schemas"]
    assert nickname["ResidentUpdate"]["properties"]["nickname"]["pattern"] == "^[^\\u0000]*$"


def test_patch_bodies_do_not_offer_null_they_refuse(schema: dict[str, Any]) -> None:
    props = schema["components"]["schemas"]["BeneficiaryUpdate"]["properties"]
    for name in ("name", "relation", "birth_date"):
        assert "anyOf" not in props[name] and props[name].get("type") != "null", props[name]
        assert "default" not in props[name]


def test_date_ranges_and_cursor_format_are_stated(schema: dict[str, Any]) -> None:
    birth = schema["components"]["schemas"]["BeneficiaryCreate"]["properties"]["birth_date"]
    assert re.match(birth["pattern"], "1950-03-01") and not re.match(birth["pattern"], "1899-12-31")
    cursor = _param(schema, "/api/v1/facilities", "get", "cursor")["schema"]
    assert cursor["pattern"] == CURSOR_PATTERN and cursor["anyOf"][0]["maxLength"] == 512
    assert re.match(cursor["pattern"], encode_cursor({"t": "2026-12-02T10:00:00+00:00", "i": "x"}))
    for name in ("lat", "lng"):
        assert "together" in _param(schema, "/api/v1/facilities", "get", name)["description"]


def test_a_date_the_pattern_allows_is_not_refused_for_its_offset() -> None:
    """1900-01-01T00:00+08:00 is a 1900 date as written (the pattern allows it); in UTC it is 1899."""
    assert re.match(r"^(19|20)[0-9]{2}-", "1900-01-01T00:00:00+08:00")
    from backend.core.clock import _datetime_in_range

    value = datetime.fromisoformat("1900-01-01T00:00:00+08:00")
    assert _datetime_in_range(value) == value
