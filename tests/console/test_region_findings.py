"""The region dashboard's grades and open findings (issue 13): each figure equals a recomputation from the
rows, per operator and facility, and the export carries them. Findings: configuration (DOMAIN.md, "Places
and organisations"), inspection fixes past their deadline (Baotou art. 40), hazard reports open or overdue
(Baotou art. 41), reports late or missing (Baotou art. 32, Wuhan art. 10), overdue rectifications."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.models import Street
from backend.core.access import Principal, RegionLevel, Role
from backend.core.clock import to_shanghai, utcnow
from backend.oversight.models import Hazard, Inspection, OperatorReport
from backend.reviews.models import Rectification
from tests.bookings.factories import bearer, make_resident, operator_headers
from tests.reviews.factories import ReviewWorld, completed_booking, make_review_world, post_review

WINDOW = {"from": "2026-10-01", "to": "2026-11-30"}  # the third quarter's report is due on 14 October
Q3_DUE = date(2026, 10, 14)


def regulator(level: RegionLevel, region_id: uuid.UUID) -> dict[str, str]:
    return bearer(Principal(id=uuid.uuid4(), role=Role.regulator, region_level=level, region_id=region_id))


async def _arrange(client: httpx.AsyncClient, session: AsyncSession, rw: ReviewWorld) -> None:
    w = rw.w
    now = utcnow()
    today = to_shanghai(now).date()
    # A child-care room on the 5th floor: a required configuration rule fails.
    w.facility.rooms = [{"function": "child_care", "floor": 5, "area_m2": 40, "places": 10}]
    session.add(w.facility)
    resident, _ = await make_resident(session)

    def inspection(
        fix_due: date | None, fixed: date | None, facility: uuid.UUID = w.facility.id
    ) -> Inspection:
        return Inspection(
            facility_id=facility, kind="fire", result="fail", inspected_on=today - timedelta(days=40),
            inspector="消防大队", fix_due_on=fix_due, fixed_on=fixed, recorded_by=uuid.uuid4(),
        )  # fmt: skip

    session.add_all(
        [
            inspection(today - timedelta(days=5), None),  # overdue
            inspection(today - timedelta(days=5), today - timedelta(days=6)),  # fixed
            inspection(today + timedelta(days=5), None),  # not yet due
            inspection(
                today - timedelta(days=1), None, w.other_service.facility_id
            ),  # overdue, other operator
        ]
    )

    def hazard(status: str, due_in: timedelta | None) -> Hazard:
        return Hazard(
            facility_id=w.facility.id, resident_id=resident.id, text="楼道堆放杂物", status=status,
            check_suggest="pass", check_label=100, answer_due_at=None if due_in is None else now + due_in,
        )  # fmt: skip

    session.add_all(
        [
            hazard("open", timedelta(hours=-1)),  # open, overdue
            hazard("open", timedelta(days=1)),  # open
            hazard("escalated", timedelta(days=-3)),  # open (the street has it), overdue
            hazard("answered", timedelta(days=-3)),
            hazard("pending_moderation", None),
        ]
    )
    session.add(
        OperatorReport(
            operator_id=w.operator.id, kind="quarterly", year=2026, quarter=3, due_on=Q3_DUE, revenue_fen=0,
            costs_fen=0, staff_count=3, first_submitted_at=now, submitted_at=now, late=True,
            submitted_by=uuid.uuid4(),
        )
    )  # fmt: skip
    await session.commit()
    # Two bad reviews: each opens a rectification; one's call back is made overdue.
    for _ in range(2):
        booking_id, resident_id = await completed_booking(session, w.meal)
        r = await post_review(client, booking_id, resident_id, level=1, text="饭菜是凉的")
        assert r.status_code == 201, r.text
    first = (await session.execute(sa.select(Rectification.id).limit(1))).scalar_one()
    await session.execute(
        sa.update(Rectification)
        .where(Rectification.id == first)
        .values(call_back_due_at=now - timedelta(hours=1))
    )
    await session.commit()


async def _recomputed(session: AsyncSession, facility_id: uuid.UUID) -> dict[str, int]:
    """One facility's open findings straight from the rows."""
    now = utcnow()
    today = to_shanghai(now).date()
    fixes = (
        await session.execute(sa.select(Inspection).where(Inspection.facility_id == facility_id))
    ).scalars()
    hazards = list(
        (await session.execute(sa.select(Hazard).where(Hazard.facility_id == facility_id))).scalars()
    )
    rects = (
        await session.execute(sa.select(Rectification).where(Rectification.facility_id == facility_id))
    ).scalars()
    open_hazards = [h for h in hazards if h.status in ("open", "escalated")]
    return {
        "overdue_fixes": sum(1 for i in fixes if i.fix_due_on and not i.fixed_on and i.fix_due_on < today),
        "open_hazards": len(open_hazards),
        "overdue_hazards": sum(
            1 for h in open_hazards if h.status == "escalated" or (h.answer_due_at and h.answer_due_at < now)
        ),
        "overdue_rectifications": sum(
            1
            for r in rects
            if (r.status == "awaiting_call_back" and r.call_back_due_at < now)
            or (r.status == "fixing" and r.fix_due_at < now)
        ),
    }


async def _publish(client: httpx.AsyncClient, rw: ReviewWorld, operator_id: uuid.UUID) -> dict[str, object]:
    r = await client.post(
        "/rating-runs",
        json={"operator_ids": [str(operator_id)], "publish": True},
        headers={**regulator(RegionLevel.district, rw.district_id), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert r.status_code == 201, r.text
    rating = await client.get(f"/operators/{operator_id}/rating")
    assert rating.status_code == 200
    return dict(rating.json())


async def test_region_findings_and_grades_equal_the_rows(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rw = await make_review_world(session)
    w = rw.w
    await _arrange(client, session, rw)
    rating = await _publish(client, rw, w.operator.id)

    r = await client.get(
        f"/regions/street/{rw.street_id}/dashboard",
        params=WINDOW,
        headers=regulator(RegionLevel.street, rw.street_id),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    facilities = {f["facility_id"]: f for f in body["by_facility"]}
    other_facility = w.other_service.facility_id
    assert set(facilities) == {str(w.facility.id), str(other_facility)}
    for fid in (w.facility.id, other_facility):
        shown = facilities[str(fid)]
        expected = await _recomputed(session, fid)
        assert {k: shown["findings"][k] for k in expected} == expected
        catalogue = (
            await client.get(
                f"/facilities/{fid}/findings", headers=regulator(RegionLevel.street, rw.street_id)
            )
        ).json()
        failed = [f for f in catalogue["findings"] if f["status"] == "fail"]
        assert shown["findings"]["configuration"] == catalogue["failing"] == len(failed)
        assert shown["failed_rules"] == [f["rule"] for f in failed]
        assert shown["findings"]["configuration_required"] == sum(
            1 for f in failed if f["severity"] == "required"
        )
        assert shown["findings"]["late_reports"] == shown["findings"]["missing_reports"] == 0
    mine = facilities[str(w.facility.id)]["findings"]
    assert "child_care_floor" in facilities[str(w.facility.id)]["failed_rules"]
    assert (
        mine["overdue_fixes"],
        mine["open_hazards"],
        mine["overdue_hazards"],
        mine["overdue_rectifications"],
    ) == (
        1,
        3,
        2,
        1,
    )

    operators = {o["operator_id"]: o for o in body["by_operator"]}
    ours, theirs = operators[str(w.operator.id)], operators[str(w.other_operator.id)]
    # Q3's report was filed late by one operator and never by the other; Q4's is not due in the window.
    assert (ours["findings"]["late_reports"], ours["findings"]["missing_reports"]) == (1, 0)
    assert (theirs["findings"]["late_reports"], theirs["findings"]["missing_reports"]) == (0, 1)
    for op, row in ((w.operator.id, ours), (w.other_operator.id, theirs)):
        own = [f["findings"] for f in body["by_facility"] if f["operator_id"] == str(op)]
        for key in (
            "configuration",
            "overdue_fixes",
            "open_hazards",
            "overdue_hazards",
            "overdue_rectifications",
        ):
            assert row["findings"][key] == sum(f[key] for f in own)
        parts = ("configuration", "overdue_fixes", "open_hazards", "late_reports", "missing_reports")
        assert row["findings"]["total"] == sum(row["findings"][k] for k in (*parts, "overdue_rectifications"))
    for key, value in body["findings"].items():
        assert value == sum(o["findings"][key] for o in body["by_operator"])

    assert ours["grade"]["grade"] == rating["grade"] and ours["grade"]["status"] == rating["status"]
    assert ours["grade"]["total"] == rating["total"]
    assert theirs["grade"] is None  # never published

    export = await client.get(
        f"/regions/street/{rw.street_id}/dashboard/export",
        params={**WINDOW, "table": "operators"},
        headers=regulator(RegionLevel.street, rw.street_id),
    )
    assert export.status_code == 200 and export.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["运营商", "等级", "总分", "发布日期"] and rows[0][-1] == "合计"
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["颐康运营"][1] == (rating["grade"] or rating["status"])
    assert int(by_name["颐康运营"][-1]) == ours["findings"]["total"]
    assert by_name["西岭运营"][1] == "" and int(by_name["西岭运营"][-1]) == theirs["findings"]["total"]
    facilities_csv = await client.get(
        f"/regions/street/{rw.street_id}/dashboard/export",
        params={**WINDOW, "table": "facilities", "format": "xlsx"},
        headers=regulator(RegionLevel.street, rw.street_id),
    )
    assert facilities_csv.status_code == 200
    assert facilities_csv.headers["content-type"].startswith("application/vnd.openxmlformats")


async def test_region_export_is_scoped_like_the_dashboard(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """A street office exports its own street only; an operator may not export a region (403), nor another
    operator's dashboard (404)."""
    rw = await make_review_world(session)
    path = f"/regions/street/{rw.street_id}/dashboard/export"
    elsewhere = Street(district_id=rw.district_id, name="别的街道")
    session.add(elsewhere)
    await session.commit()
    other_street = elsewhere.id
    assert (
        await client.get(
            path, params={"table": "operators"}, headers=regulator(RegionLevel.street, other_street)
        )
    ).status_code == 404
    assert (
        await client.get(path, params={"table": "operators"}, headers=operator_headers(rw.w.operator.id))
    ).status_code == 403
    r = await client.get(
        f"/operators/{rw.w.operator.id}/dashboard/export",
        params={"table": "served"},
        headers=operator_headers(rw.w.other_operator.id),
    )
    assert r.status_code == 404
    r = await client.get(path, params={"table": "nope"}, headers=regulator(RegionLevel.street, rw.street_id))
    assert r.status_code == 422 and "operators" in r.json()["detail"]
