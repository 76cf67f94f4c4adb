# ruff: noqa: E501
"""Safety and reports read from the oversight domain into the grade, on PostgreSQL (RATING.md "Inputs" and
"Grade"; Wuhan art. 17: fire and food safety among the indicators): the latest inspection per facility and kind,
the window's incidents with their veto, and the quarterly and yearly reports due in the window."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.models import Facility, FacilityFunction, Operator, Service
from backend.core.clock import SHANGHAI, as_utc, utcnow
from backend.grading.gather import window_start
from backend.grading.models import RunKind
from backend.grading.service import grade_operators
from backend.oversight.models import Incident, Inspection, OperatorReport, ReportKind
from backend.oversight.reports import due_on
from backend.oversight.rules import DEFAULT_RULES
from tests.conftest import requires_postgres
from tests.grading.test_api import district, reviewed, run
from tests.reviews.factories import ReviewWorld, make_review_world

pytestmark = requires_postgres

RECORDER = uuid.uuid4()


def _today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def _midnight(day: date) -> datetime:
    return as_utc(datetime.combine(day, time.min, tzinfo=SHANGHAI))


FUNCTIONS = ("meal_aid", "child_care", "housekeeping")  # ≥ 3 functions, 2 of the 4 core ones (DOMAIN.md)


async def _functions(
    session: AsyncSession, facility: uuid.UUID, functions: tuple[str, ...] = FUNCTIONS
) -> None:
    session.add_all([FacilityFunction(facility_id=facility, function=f) for f in functions])
    await session.commit()


async def _facility(session: AsyncSession, rw: ReviewWorld, name: str) -> uuid.UUID:
    """Another facility of the operator, configured, without meal aid (fire safety only)."""
    f = Facility(community_id=rw.w.facility.community_id, operator_id=rw.w.operator.id, name=name,
                 address="东亭路 2 号", lat=30.55, lng=114.35, opening_hours="08:00-18:00")  # fmt: skip
    session.add(f)
    await session.commit()
    await _functions(session, f.id, ("child_care", "housekeeping", "elder_care"))
    return f.id


async def _in_good_standing(session: AsyncSession, rw: ReviewWorld) -> None:
    """The operator's configuration met, its disclosures current and every report of the last year on time."""
    await _functions(session, rw.w.facility.id)
    for service in (rw.w.elder_care, rw.w.meal, rw.w.home_visit):
        row = await session.get(Service, service.id)
        assert row is not None
        row.disclosure_updated_at = utcnow() - timedelta(days=1)
        session.add(row)
    today = _today()
    for year in (today.year - 1, today.year):
        for kind, quarter in [(ReportKind.quarterly, q) for q in (1, 2, 3, 4)] + [(ReportKind.yearly, 0)]:
            due = due_on(DEFAULT_RULES, kind, year, quarter)
            if today - timedelta(days=400) < due < today:
                filed = _midnight(due)
                session.add(OperatorReport(operator_id=rw.w.operator.id, kind=kind.value, year=year, quarter=quarter,
                                           due_on=due, revenue_fen=1, costs_fen=1, staff_count=1,
                                           first_submitted_at=filed, submitted_at=filed, late=False,
                                           submitted_by=RECORDER))  # fmt: skip
    await session.commit()


async def _inspect(session: AsyncSession, facility: uuid.UUID, kind: str, result: str, on: date) -> None:
    session.add(Inspection(facility_id=facility, kind=kind, result=result, inspected_on=on, inspector="街道检查组",
                           recorded_by=RECORDER))  # fmt: skip
    await session.commit()


async def test_failed_fire_inspection_caps_at_2a_until_a_passing_one_is_recorded_wuhan_art_17(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """RATING.md: "A failed fire inspection ... caps the grade at 2A until a passing inspection is recorded"."""
    rw = await make_review_world(session)
    op = str(rw.w.operator.id)
    await _in_good_standing(session, rw)
    second, third = await _facility(session, rw, "东亭二号点"), await _facility(session, rw, "东亭三号点")
    await reviewed(client, session, rw, 10)
    today = _today()
    for facility in (rw.w.facility.id, second):
        await _inspect(session, facility, "fire", "pass", today - timedelta(days=30))
    await _inspect(session, rw.w.facility.id, "food", "A", today - timedelta(days=30))
    await _inspect(session, third, "fire", "pass", today - timedelta(days=30))
    await _inspect(session, third, "fire", "fail", today - timedelta(days=3))  # the latest one counts

    r = await run(client, district(rw), operator_ids=[op], publish=True)
    capped = r.json()["results"][0]
    safety = {f["facility_id"]: f for f in capped["parts"][2]["inputs"]["facilities"]}
    assert safety[str(third)]["fire"] == "fail" and safety[str(third)]["score"] == 0
    assert safety[str(rw.w.facility.id)] == {
        **safety[str(rw.w.facility.id)],
        "fire": "pass",
        "food": "A",
        "score": 100,
    }
    assert capped["parts"][2]["score"] > 60  # the safety part alone would allow 3A
    fire = next(c for c in capped["caps"] if c["cap"] == "fire_failed")
    assert fire == {"cap": "fire_failed", "grade": "2A", "facility_ids": [str(third)], "applied": True}
    assert capped["level"] == "2A"

    # A fix alone does not lift the cap; a later passing inspection does.
    await _inspect(session, third, "fire", "pass", today)
    r = await run(client, district(rw), operator_ids=[op], publish=True)
    lifted = r.json()["results"][0]
    assert not [c for c in lifted["caps"] if c["cap"] == "fire_failed"]
    assert lifted["level"] == "3A"  # 10 reviews: at most 3A (RATING.md sample rule)


async def test_inspection_after_the_window_end_does_not_count(session: AsyncSession) -> None:
    """The latest inspection on or before the window's last day (Shanghai) is the one graded."""
    rw = await make_review_world(session)
    await _functions(session, rw.w.facility.id)  # meal aid: food safety applies
    until = _midnight(date(2026, 7, 1))
    await _inspect(session, rw.w.facility.id, "fire", "pass", date(2026, 6, 30))
    await _inspect(session, rw.w.facility.id, "fire", "fail", date(2026, 7, 1))  # the day after the window
    _, results = await grade_operators(session, kind=RunKind.on_demand, publish=False,
                                       operator_ids=[rw.w.operator.id], at=until)  # fmt: skip
    (facility,) = results[0].inputs["facilities"]
    assert facility["fire"] == "pass" and facility["food"] is None and facility["serves_food"] is True
    assert not [c for c in results[0].result["caps"] if c["cap"] == "fire_failed"]
    food = next(c for c in results[0].result["caps"] if c["cap"] == "food_c_or_none")
    assert food["facility_ids"] == [str(rw.w.facility.id)]  # meal aid with no food inspection: capped


async def _incident(
    session: AsyncSession, rw: ReviewWorld, kind: str, severity: str, at: datetime, veto: bool = False
) -> str:
    row = Incident(facility_id=rw.w.facility.id, occurred_at=at, kind=kind, severity=severity, description="x",
                   veto=veto, recorded_by=RECORDER)  # fmt: skip
    session.add(row)
    await session.commit()
    return str(row.id)


async def test_veto_incidents_fail_the_grade_and_only_inside_the_window(session: AsyncSession) -> None:
    """RATING.md 一票否决: a serious fire incident, abuse, or an incident a regulator vetoed → 不合格; a minor
    injury does not, nor an incident before the window."""
    rw = await make_review_world(session)
    await _in_good_standing(session, rw)
    await _inspect(session, rw.w.facility.id, "fire", "pass", _today() - timedelta(days=9))
    await _inspect(session, rw.w.facility.id, "food", "A", _today() - timedelta(days=9))
    until = _midnight(_today())
    since = window_start(until, 12)
    await _incident(session, rw, "injury", "minor", until - timedelta(days=3))
    await _incident(session, rw, "fire", "major", since - timedelta(seconds=1))  # just before the window

    async def grade() -> dict[str, object]:
        _, results = await grade_operators(session, kind=RunKind.on_demand, publish=False,
                                           operator_ids=[rw.w.operator.id], at=until)  # fmt: skip
        return results[0].result

    first = await grade()
    assert first["vetoes"] == [] and first["level"] == "2A"  # no reviews: 样本不足, at most 2A
    serious = await _incident(session, rw, "fire", "serious", since)  # the window's first instant
    vetoed = await _incident(session, rw, "food_poisoning", "minor", until - timedelta(seconds=1), veto=True)
    second = await grade()
    assert second["level"] == "不合格" and second["grade"] == "不合格"
    assert {(v["incident_id"], v["set_by_regulator"]) for v in second["vetoes"]} == {
        (serious, False),
        (vetoed, True),
    }  # type: ignore[union-attr]


async def _report(
    session: AsyncSession, operator: uuid.UUID, year: int, quarter: int, due: date, late: bool
) -> None:
    filed = _midnight(due) + timedelta(days=5 if late else -5)
    session.add(OperatorReport(operator_id=operator, kind="quarterly", year=year, quarter=quarter, due_on=due,
                               revenue_fen=1, costs_fen=1, staff_count=1, first_submitted_at=filed,
                               submitted_at=filed, late=late, submitted_by=RECORDER))  # fmt: skip
    await session.commit()


async def test_late_and_missing_reports_lower_operations(session: AsyncSession) -> None:
    """RATING.md "Operations": quarterly reports filed on time (Baotou art. 32; Wuhan art. 10). In the window
    2025-07-01..2026-06-30 five reports fall due: Q2 2025 (15 Jul), Q3 (15 Oct), the 2025 yearly (31 Dec),
    Q4 (15 Jan) and Q1 2026 (15 Apr); one on time, one late, three missing."""
    rw = await make_review_world(session)
    op = rw.w.operator.id
    until = _midnight(date(2026, 7, 1))
    await _report(session, op, 2025, 3, date(2025, 10, 15), late=False)
    await _report(session, op, 2025, 4, date(2026, 1, 15), late=True)
    _, results = await grade_operators(
        session, kind=RunKind.on_demand, publish=False, operator_ids=[op], at=until
    )
    ops = results[0].inputs["operations"]
    assert (ops["reports_due"], ops["reports_on_time"]) == (5, 1)

    # An operator that started on 20 November 2025 owes nothing for periods that ended before it started.
    operator = await session.get(Operator, op)
    assert operator is not None
    operator.started_on = date(2025, 11, 20)
    session.add(operator)
    await session.commit()
    _, results = await grade_operators(
        session, kind=RunKind.on_demand, publish=False, operator_ids=[op], at=until
    )
    ops = results[0].inputs["operations"]
    assert (ops["reports_due"], ops["reports_on_time"]) == (3, 0)  # 2025 yearly, Q4 (late), Q1 2026
