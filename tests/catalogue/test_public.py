"""The public catalogue paths of CONTRACT.md: shapes, filters, nearest first, pagination, ETag, demo city."""

from __future__ import annotations

import uuid

import httpx
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import demo
from backend.catalogue.demo_data import FACILITY_IDS
from backend.catalogue.models import Facility, Service
from backend.core.access import Principal, Role
from tests.catalogue.world import build_world, headers


async def test_facility_list_shape_and_filters(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await build_world(session)
    r = await client.get("/facilities")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["next_cursor"] is None
    assert [f["name"] for f in body["items"]] == sorted(f["name"] for f in body["items"])
    east = next(f for f in body["items"] if f["id"] == str(w.facilities["east"]))
    assert east == {
        "id": str(w.facilities["east"]),
        "name": "东综合体",
        "address": "东路 1 号",
        "community": {"id": str(w.communities["east"]), "name": "东社区"},
        "operator": {"id": str(w.operators["A"]), "name": "甲运营", "grade": None},
        "functions": ["culture", "elder_care", "meal_aid"],
        "satisfaction": None,
        "distance_m": None,
    }
    r = await client.get("/facilities", params={"community_id": str(w.communities["west"])})
    assert [f["id"] for f in r.json()["items"]] == [str(w.facilities["west"])]
    r = await client.get("/facilities", params={"function": "meal_aid"})
    assert {f["id"] for f in r.json()["items"]} == {str(w.facilities["east"]), str(w.facilities["north"])}
    r = await client.get("/facilities", params={"function": "flying"})
    assert r.status_code == 422 and r.json()["code"] == "validation_error"


async def test_nearest_first_with_distance(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await build_world(session)
    # from a point just north of "west": west (~0.6 km), east (~4.8 km), north (~7.3 km)
    r = await client.get("/facilities", params={"lat": 30.605, "lng": 114.25})
    items = r.json()["items"]
    assert [i["id"] for i in items] == [str(w.facilities[k]) for k in ("west", "east", "north")]
    assert 540 <= items[0]["distance_m"] <= 570  # 0.005° of latitude ≈ 556 m
    assert 4700 <= items[1]["distance_m"] <= 4900
    assert items[0]["distance_m"] < items[1]["distance_m"] < items[2]["distance_m"]
    # paging keeps the order
    first = await client.get("/facilities", params={"lat": 30.605, "lng": 114.25, "limit": 2})
    assert [i["id"] for i in first.json()["items"]] == [i["id"] for i in items[:2]]
    rest = await client.get(
        "/facilities",
        params={"lat": 30.605, "lng": 114.25, "limit": 2, "cursor": first.json()["next_cursor"]},
    )
    assert [i["id"] for i in rest.json()["items"]] == [items[2]["id"]] and rest.json()["next_cursor"] is None
    r = await client.get("/facilities", params={"lat": 30.6})
    assert r.status_code == 422 and r.json()["code"] == "invalid_location"
    r = await client.get("/facilities", params={"lat": 91, "lng": 114})
    assert r.status_code == 422


async def test_pagination_and_bad_cursor_or_limit(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await build_world(session)
    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/facilities", params=params)).json()
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 3
    for limit in (0, 101, "x"):
        r = await client.get("/facilities", params={"limit": limit})
        assert r.status_code == 422, limit
    for bad in ("not-base64!", "eyJ4IjoxfQ", "W10"):  # garbage, {"x":1}, []
        r = await client.get("/facilities", params={"cursor": bad})
        assert r.status_code == 422 and r.json()["code"] == "invalid_cursor", bad
    r = await client.get("/services", params={"cursor": "eyJ4IjoxfQ"}, headers={"Accept-Language": "en"})
    assert r.json()["title"] == "The pagination cursor is invalid"


async def test_facility_detail(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await build_world(session)
    r = await client.get(f"/facilities/{w.facilities['east']}")
    assert r.status_code == 200
    body = r.json()
    assert body["operator"] == {
        "id": str(w.operators["A"]), "name": "甲运营", "grade": None,
        "operating_model": "public_built_private_run",
    }  # fmt: skip
    assert (
        body["community"]["street"]["name"] == "东街道" and body["community"]["district"]["name"] == "测试区"
    )
    assert body["opening_hours"] == "每天 08:00-18:00"
    assert body["complaint_channels"] == {"phone": "027-1000", "in_app": True}
    assert body["complaint_figures"] == {"count": 0, "resolved_rate": None, "median_response_hours": None}
    assert {s["name"] for s in body["services"]} == {"长者午餐", "日间照料", "上门保洁"}
    meal = next(s for s in body["services"] if s["name"] == "长者午餐")
    assert (meal["market_price_fen"], meal["assessed_price_fen"], meal["inclusive_price_fen"]) == (
        1800,
        1500,
        1200,
    )
    assert meal["disclosure_updated_at"].endswith("+08:00")
    r = await client.get(f"/facilities/{uuid.uuid4()}")
    assert (
        r.status_code == 404
        and r.json()["code"] == "facility_not_found"
        and r.json()["title"] == "未找到该服务设施"
    )
    assert (await client.get("/facilities/not-a-uuid")).status_code == 422


async def test_services_list_and_detail(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await build_world(session)
    r = await client.get(
        "/services", params={"facility_id": str(w.facilities["east"]), "function": "meal_aid"}
    )
    assert [s["id"] for s in r.json()["items"]] == [str(w.services["meal"])]
    r = await client.get("/services", params={"function": "infant_care"})
    assert [s["id"] for s in r.json()["items"]] == [str(w.services["infant"])]
    r = await client.get(f"/services/{w.services['meal']}")
    assert r.status_code == 200
    d = r.json()
    assert (d["market_price_fen"], d["assessed_price_fen"], d["inclusive_price_fen"]) == (1800, 1500, 1200)
    assert d["rules"] == "规则" and d["workflow"] == "流程" and d["commitment"] == "承诺"
    assert d["service_items"] == ["项目一"] and d["staff_qualifications"] == []
    assert d["complaint_channels"] == {"phone": "027-12345", "in_app": True}
    assert d["review_summary"] == {"count": 0, "good_rate": None, "levels": {str(i): 0 for i in range(1, 6)}}
    assert d["complaint_figures"] == {"count": 0, "resolved_rate": None, "median_response_hours": None}
    assert d["supplier"]["name"] == "甲一餐饮" and d["supplier"]["introduced_by"]["name"] == "甲运营"
    assert len(d["subsidies"]) == 6  # the ended rule is not shown
    assert d["disclosure_updated_at"].endswith("+08:00")
    r = await client.get(f"/services/{uuid.uuid4()}", headers={"Accept-Language": "en"})
    assert (
        r.status_code == 404
        and r.json() | {"title": r.json()["title"]}
        and r.json()["title"] == "Service not found"
    )


async def test_public_quote(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await build_world(session)
    r = await client.get(f"/services/{w.services['meal']}/quote", params={"age_years": 85, "dibao": True})
    assert r.json() | {"service_id": None} == {
        "service_id": None, "total_fen": 1200, "subsidy_fen": 600, "discount_fen": 100, "community_fen": 0,
        "payable_fen": 500,
    }  # fmt: skip
    r = await client.get(f"/services/{w.services['clean']}/quote", params={"age_years": 40})
    assert r.json()["total_fen"] == 6000 and r.json()["payable_fen"] == 6000  # commercial: the market price
    assert (
        await client.get(f"/services/{w.services['meal']}/quote", params={"age_years": -1})
    ).status_code == 422


async def test_etag_304_and_invalidation_after_staff_write(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    w = await build_world(session)
    url = f"/services/{w.services['meal']}"
    first = await client.get(url)
    etag = first.headers["etag"]
    assert etag and first.headers["cache-control"].startswith("public")
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag and again.content == b""
    listing = await client.get("/facilities")
    list_etag = listing.headers["etag"]
    assert (await client.get("/facilities", headers={"If-None-Match": list_etag})).status_code == 304

    supplier = w.supplier_staff("A1")
    r = await client.post(
        f"{url}/prices",
        json={"market_price_fen": 2000, "assessed_price_fen": 1600, "inclusive_price_fen": 1300},
        headers=headers(supplier),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["inclusive_price_fen"] == 1300
    r = await client.patch(
        f"/facilities/{w.facilities['east']}",
        json={"name": "东综合体（新）"},
        headers=headers(w.operator_staff("A")),
    )
    assert r.status_code == 200, r.text
    relisted = await client.get("/facilities", headers={"If-None-Match": list_etag})
    assert relisted.status_code == 200 and "东综合体（新）" in relisted.text


async def test_demo_city_answers(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await demo.seed(session)
    await demo.seed(session)  # idempotent
    facilities = (await session.exec(select(Facility))).all()
    services = (await session.exec(select(Service))).all()
    await session.commit()  # (and end the transaction: SQLite would keep the app waiting)
    assert len(facilities) == 10 and len(services) == len(demo.SERVICES)
    assert len({s.function for s in services}) == 9
    body = (await client.get("/facilities", params={"lat": 30.645, "lng": 114.30, "limit": 100})).json()
    assert len(body["items"]) == 10 and all(i["distance_m"] is not None for i in body["items"])
    places = (await client.get("/places")).json()
    assert [d["name"] for d in places["districts"]] == ["江岸区"] and len(
        places["districts"][0]["streets"]
    ) == 4
    admin = headers(_admin())
    bad = (await client.get("/findings", params={"only_failing": True, "limit": 100}, headers=admin)).json()
    assert {i["facility_id"] for i in bad["items"]} == {
        str(FACILITY_IDS["长江社区颐养服务中心"]), str(FACILITY_IDS["台北一路社区邻里驿站"])
    }  # fmt: skip
    for service in services:
        r = await client.get(f"/services/{service.id}")
        assert r.status_code == 200 and r.json()["disclosure_version"] == 1


def _admin() -> Principal:
    return Principal(id=uuid.uuid4(), role=Role.admin)
