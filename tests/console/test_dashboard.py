"""The operator dashboard API and its exports: figures equal recomputations from rows, scoped by `Scope`."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from datetime import UTC, datetime

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.models import Booking, Slot
from backend.catalogue.models import Community, Service, Street
from backend.core.access import Principal, RegionLevel, Role
from tests.bookings.factories import World, bearer, make_booked_slot, operator_headers

OCT = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)
NOV = datetime(2026, 11, 3, 1, 0, tzinfo=UTC)
WINDOW = {"from": "2026-10-01", "to": "2026-11-30"}


async def _arrange(session: AsyncSession, world: World) -> None:
    await make_booked_slot(session, world.meal, OCT, ["completed", "completed", "cancelled"], capacity=4)
    await make_booked_slot(session, world.elder_care, NOV, ["completed", "no_show", "confirmed"], capacity=6)
    await make_booked_slot(session, world.other_service, NOV, ["completed"], capacity=2)  # another operator


async def _recomputed(session: AsyncSession, world: World) -> dict[str, int]:
    """The operator's figures straight from the rows."""
    services = sa.select(Service.id).where(Service.facility_id == world.facility.id)
    in_window = sa.and_(
        Booking.start_at >= datetime(2026, 9, 30, 16, tzinfo=UTC),
        Booking.start_at < NOV.replace(day=30, hour=16),
    )
    rows = (
        await session.execute(sa.select(Booking.status).where(Booking.service_id.in_(services), in_window))
    ).all()
    slots = (
        await session.execute(
            sa.select(sa.func.count(), sa.func.sum(Slot.capacity)).where(Slot.service_id.in_(services))
        )
    ).one()
    statuses = [r[0] for r in rows]
    return {
        "bookings": len(statuses),
        "completed": statuses.count("completed"),
        "cancelled": statuses.count("cancelled"),
        "no_show": statuses.count("no_show"),
        "slots": slots[0],
        "capacity": slots[1],
    }


async def test_operator_dashboard_equals_rows(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    await _arrange(session, world)
    r = await client.get(
        f"/operators/{world.operator.id}/dashboard",
        params=WINDOW,
        headers=operator_headers(world.operator.id),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["window"] == {"from": "2026-10-01", "to": "2026-11-30"}
    total = body["usage"]["total"]
    expected = await _recomputed(session, world)
    assert {k: total[k] for k in expected} == expected
    assert total["fill_rate"] == round((6 - 1) / 10, 4)
    assert [m["key"] for m in body["usage"]["by_month"]] == ["2026-10", "2026-11"]
    assert {f["label"] for f in body["usage"]["by_facility"]} == {"东亭社区服务综合体"}
    assert {(s["function"], s["month"], s["person_times"]) for s in body["served"]} == {
        ("meal_aid", "2026-10", 2),
        ("elder_care", "2026-11", 1),
    }


async def test_another_operators_dashboard_is_404(client: httpx.AsyncClient, world: World) -> None:
    r = await client.get(
        f"/operators/{world.operator.id}/dashboard", headers=operator_headers(world.other_operator.id)
    )
    assert r.status_code == 404
    r = await client.get(
        f"/operators/{world.operator.id}/dashboard/export",
        params={"table": "served"},
        headers=operator_headers(world.other_operator.id),
    )
    assert r.status_code == 404
    assert (
        await client.get(f"/operators/{uuid.uuid4()}/dashboard", headers=operator_headers(world.operator.id))
    ).status_code == 404


async def test_street_regulator_sees_only_its_street(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    await _arrange(session, world)
    community = await session.get(Community, world.facility.community_id)
    assert community is not None
    own = Principal(
        id=uuid.uuid4(), role=Role.regulator, region_level=RegionLevel.street, region_id=community.street_id
    )
    street = await session.get(Street, community.street_id)
    assert street is not None
    elsewhere = Street(district_id=street.district_id, name="别的街道")
    session.add(elsewhere)
    await session.commit()
    other = Principal(
        id=uuid.uuid4(), role=Role.regulator, region_level=RegionLevel.street, region_id=elsewhere.id
    )

    mine = await client.get(f"/operators/{world.operator.id}/dashboard", params=WINDOW, headers=bearer(own))
    assert mine.status_code == 200
    assert mine.json()["usage"]["total"]["bookings"] == 6
    assert (
        await client.get(f"/operators/{world.operator.id}/dashboard", headers=bearer(other))
    ).status_code == 404


async def test_resident_and_supplier_may_not_open_dashboards(client: httpx.AsyncClient, world: World) -> None:
    resident = bearer(Principal(id=uuid.uuid4(), role=Role.resident))
    supplier = bearer(Principal(id=uuid.uuid4(), role=Role.supplier_staff, supplier_id=world.supplier.id))
    for headers in (resident, supplier):
        assert (
            await client.get(f"/operators/{world.operator.id}/dashboard", headers=headers)
        ).status_code == 403


async def test_csv_export_has_bom_and_chinese_headers(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    await _arrange(session, world)
    r = await client.get(
        f"/operators/{world.operator.id}/dashboard/export",
        params={**WINDOW, "table": "served", "format": "csv"},
        headers=operator_headers(world.operator.id),
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["设施", "功能", "月份", "服务人次"]
    assert sorted(rows[1:]) == sorted(
        [
            ["东亭社区服务综合体", "meal_aid", "2026-10", "2"],
            ["东亭社区服务综合体", "elder_care", "2026-11", "1"],
        ]
    )


async def test_xlsx_export_never_turns_text_into_formulas(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """A name (or any resident text) starting with `=` stays a string in the workbook."""
    await _arrange(session, world)
    world.facility.name = '=HYPERLINK("http://evil")'
    session.add(world.facility)
    await session.commit()
    r = await client.get(
        f"/operators/{world.operator.id}/dashboard/export",
        params={**WINDOW, "table": "usage_by_facility", "format": "xlsx"},
        headers=operator_headers(world.operator.id),
    )
    assert r.status_code == 200
    book = zipfile.ZipFile(io.BytesIO(r.content))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    strings = book.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet
    assert "=HYPERLINK" in strings and "服务人次" not in strings and "使用率" in strings
    csv_body = await client.get(
        f"/operators/{world.operator.id}/dashboard/export",
        params={**WINDOW, "table": "usage_by_facility"},
        headers=operator_headers(world.operator.id),
    )
    assert "'=HYPERLINK" in csv_body.content.decode("utf-8-sig")


async def test_unknown_table_is_a_problem(client: httpx.AsyncClient, world: World) -> None:
    r = await client.get(
        f"/operators/{world.operator.id}/dashboard/export",
        params={"table": "nope"},
        headers=operator_headers(world.operator.id),
    )
    assert r.status_code == 422
    assert r.json()["code"] == "unknown_export_table"
    assert "served" in r.json()["detail"]


async def test_region_dashboard_per_operator_and_scope(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    await _arrange(session, world)
    community = await session.get(Community, world.facility.community_id)
    assert community is not None
    street = await session.get(Street, community.street_id)
    assert street is not None
    own = bearer(
        Principal(id=uuid.uuid4(), role=Role.regulator, region_level=RegionLevel.street, region_id=street.id)
    )
    district = bearer(
        Principal(
            id=uuid.uuid4(),
            role=Role.regulator,
            region_level=RegionLevel.district,
            region_id=street.district_id,
        )
    )

    r = await client.get(f"/regions/street/{street.id}/dashboard", params=WINDOW, headers=own)
    assert r.status_code == 200, r.text
    body = r.json()
    by_operator = {row["label"]: row["bookings"] for row in body["usage"]["by_operator"]}
    assert by_operator == {"颐康运营": 6, "西岭运营": 1}
    assert body["usage"]["total"]["bookings"] == 7
    assert {o["name"] for o in body["operators"]} == {"颐康运营", "西岭运营"}
    # The district sees the street inside it; the street office may not open its district.
    assert (
        await client.get(f"/regions/street/{street.id}/dashboard", params=WINDOW, headers=district)
    ).status_code == 200
    assert (
        await client.get(f"/regions/district/{street.district_id}/dashboard", headers=own)
    ).status_code == 404
    assert (
        await client.get(f"/regions/street/{uuid.uuid4()}/dashboard", headers=district)
    ).status_code == 404
    assert (
        await client.get(
            f"/regions/street/{street.id}/dashboard", headers=operator_headers(world.operator.id)
        )
    ).status_code == 403
