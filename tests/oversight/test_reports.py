"""Operator reports (Baotou art. 32, Wuhan art. 10, Chongqing art. 15) and terminations (Wuhan art. 16)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.models import Booking, Slot
from backend.core.access import RegionLevel
from backend.core.clock import SHANGHAI, utcnow
from backend.oversight import queries
from backend.oversight.models import ReportKind
from backend.oversight.reports import due_on, opens_on
from backend.oversight.rules import DEFAULT_RULES
from tests.bookings.factories import make_resident
from tests.catalogue.world import World, headers

LAST_YEAR = utcnow().astimezone(SHANGHAI).year - 1


async def _bookings(session: AsyncSession, service: uuid.UUID, start: datetime, statuses: list[str]) -> None:
    resident, beneficiary = await make_resident(session)
    slot = Slot(service_id=service, start_at=start, end_at=start + timedelta(hours=1), capacity=len(statuses))
    session.add(slot)
    await session.flush()
    for status in statuses:
        session.add(
            Booking(
                slot_id=slot.id,
                service_id=service,
                resident_id=resident.id,
                beneficiary_id=beneficiary.id,
                start_at=start,
                status=status,
                total_fen=1500,
                subsidy_fen=300,
                discount_fen=0,
                community_fen=0,
                payable_fen=1200,
                status_changed_at=start,
            )
        )
    await session.commit()


def test_due_dates_quarter_plus_15_days_and_31_december() -> None:
    assert due_on(DEFAULT_RULES, ReportKind.quarterly, 2026, 1) == date(2026, 4, 15)
    assert due_on(DEFAULT_RULES, ReportKind.quarterly, 2026, 4) == date(2027, 1, 15)
    assert due_on(DEFAULT_RULES, ReportKind.yearly, 2026, 0) == date(2026, 12, 31)
    assert opens_on(DEFAULT_RULES, ReportKind.quarterly, 2026, 2) == date(2026, 7, 1)
    assert opens_on(DEFAULT_RULES, ReportKind.yearly, 2026, 0) == date(2026, 12, 1)


async def test_report_figures_are_filled_in_from_bookings_and_late_is_a_finding(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    meal = world.services["meal"]
    # Q1 of last year: 14:00 Shanghai on 15 February and 31 March; 1 April 07:00 Shanghai is Q2.
    feb = datetime(LAST_YEAR, 2, 15, 6, tzinfo=UTC)
    await _bookings(session, meal, feb, ["completed", "completed", "no_show", "cancelled"])
    await _bookings(session, meal, datetime(LAST_YEAR, 3, 31, 6, tzinfo=UTC), ["completed"])
    await _bookings(session, meal, datetime(LAST_YEAR, 3, 31, 23, tzinfo=UTC), ["completed"])
    op_a = headers(world.operator_staff("A"))
    body = {
        "kind": "quarterly",
        "year": LAST_YEAR,
        "quarter": 1,
        "revenue_fen": 1_250_000,
        "costs_fen": 1_100_000,
        "staff_count": 12,
        "notes": "一季度运营正常",
    }
    r = await client.post("/reports", json=body, headers=op_a)
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["late"] is True and report["status"] == "submitted"
    assert report["due_on"] == f"{LAST_YEAR}-04-15"
    assert [
        (f["month"], f["person_times"], f["bookings"], f["no_show"], f["cancelled"])
        for f in report["figures"]
    ] == [
        (f"{LAST_YEAR}-02", 2, 4, 1, 1),
        (f"{LAST_YEAR}-03", 1, 1, 0, 0),
    ]
    assert report["figures"][0]["facility_id"] == str(world.facilities["east"])
    assert report["figures"][0]["function"] == "meal_aid"
    # Filing twice is a conflict; figures typed by the client are refused.
    assert (await client.post("/reports", json=body, headers=op_a)).status_code == 409
    assert (await client.post("/reports", json={**body, "figures": []}, headers=op_a)).status_code == 422

    # The street office returns it with a reason; the operator resubmits; still late (first filing decides).
    op_b, west = (
        headers(world.operator_staff("B")),
        headers(world.regulator(RegionLevel.street, world.streets["west"])),
    )
    east = headers(world.regulator(RegionLevel.street, world.streets["east"]))
    assert (
        await client.post(f"/reports/{report['id']}/return", json={"reason": "x"}, headers=op_a)
    ).status_code == 403
    assert (
        await client.post(f"/reports/{report['id']}/return", json={"reason": "x"}, headers=west)
    ).status_code == 404
    assert (await client.get(f"/reports/{report['id']}", headers=op_b)).status_code == 404
    r = await client.post(f"/reports/{report['id']}/return", json={"reason": "成本缺少明细"}, headers=east)
    assert (
        r.status_code == 200
        and r.json()["status"] == "returned"
        and r.json()["return_reason"] == "成本缺少明细"
    )
    r = await client.post("/reports", json={**body, "costs_fen": 1_090_000}, headers=op_a)
    assert r.status_code == 201 and r.json()["id"] == report["id"] and r.json()["status"] == "submitted"
    assert r.json()["costs_fen"] == 1_090_000 and r.json()["late"] is True
    r = await client.post(f"/reports/{report['id']}/accept", headers=east)
    assert r.status_code == 200 and r.json()["status"] == "accepted"

    findings = (await client.get("/reports/findings", params={"year": LAST_YEAR}, headers=east)).json()
    by_period = {(f["operator_id"], f["kind"], f["quarter"]): f["state"] for f in findings}
    a, b = str(world.operators["A"]), str(world.operators["B"])
    assert by_period[(a, "quarterly", 1)] == "late"
    assert by_period[(a, "quarterly", 2)] == "missing" and by_period[(a, "yearly", None)] == "missing"
    assert (b, "quarterly", 1) not in by_period  # the east street office does not see operator B
    filings = await queries.report_filings(session, [world.operators["A"]], LAST_YEAR, utcnow().date())
    assert [(f.kind, f.quarter, f.state) for f in filings][:2] == [
        ("quarterly", 1, "late"),
        ("quarterly", 2, "missing"),
    ]


async def test_a_period_not_yet_ended_cannot_be_reported(client: httpx.AsyncClient, world: World) -> None:
    today = utcnow().astimezone(SHANGHAI).date()
    quarter = (today.month - 1) // 3 + 1
    body = {
        "kind": "quarterly",
        "year": today.year,
        "quarter": quarter,
        "revenue_fen": 0,
        "costs_fen": 0,
        "staff_count": 1,
    }
    r = await client.post("/reports", json=body, headers=headers(world.operator_staff("A")))
    assert r.status_code == 409 and r.json()["code"] == "report_period_not_ended"
    r = await client.post(
        "/reports", json={**body, "quarter": None}, headers=headers(world.operator_staff("A"))
    )
    assert r.status_code == 422


async def test_ending_an_operator_records_wuhan_art_16_grounds_publicly(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {
        "grounds": ["major_accident", "many_complaints"],
        "evidence": "2026年10月燃气事故调查报告；投诉 57 件",
        "effective_on": "2026-12-31",
    }
    op_id = world.operators["A"]
    street = headers(world.regulator(RegionLevel.street, world.streets["east"]))
    r = await client.post(f"/operators/{op_id}/termination", json=body, headers=street)
    assert r.status_code == 404  # a street office does not end operators (district or city do)
    assert (
        await client.post(
            f"/operators/{op_id}/termination", json=body, headers=headers(world.operator_staff("A"))
        )
    ).status_code == 403
    district = world.regulator(RegionLevel.district, world.district)
    r = await client.post(f"/operators/{op_id}/termination", json=body, headers=headers(district))
    assert r.status_code == 201, r.text
    assert (
        await client.post(f"/operators/{op_id}/termination", json=body, headers=headers(district))
    ).status_code == 409
    public = (await client.get(f"/operators/{op_id}/terminations")).json()
    assert [(t["grounds"], t["evidence"], t["effective_on"]) for t in public] == [
        (["major_accident", "many_complaints"], body["evidence"], "2026-12-31")
    ]
    assert str(district.id) not in str(public)
    r = await client.get(f"/operators/{op_id}", headers=headers(district))
    assert r.json()["status"] == "ended"
    assert (await client.get(f"/operators/{world.operators['B']}/terminations")).json() == []
    bad = {**body, "grounds": ["not_a_ground"]}
    assert (
        await client.post(
            f"/operators/{world.operators['B']}/termination", json=bad, headers=headers(district)
        )
    ).status_code == 422
