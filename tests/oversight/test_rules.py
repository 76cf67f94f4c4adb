"""The oversight deadlines come from the ruleset in force where the record is (a data change, no code
change), and what is due from an operator starts the day it started operating."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.models import Operator
from backend.core.access import RegionLevel
from backend.core.clock import SHANGHAI, utcnow
from backend.oversight import queries
from backend.oversight.rules import DEFAULT_RULES, rules_for_facility, rules_from_section
from backend.rulesets.document import DEFAULT_DOCUMENT, OversightSection
from backend.rulesets.models import RulesetVersion
from backend.workdays.queries import add_working_days
from tests.bookings.factories import make_resident, resident_headers
from tests.catalogue.world import World, headers

LAST_YEAR = utcnow().astimezone(SHANGHAI).year - 1


async def _publish(session: AsyncSession, world: World, version: int, **oversight: Any) -> None:
    document = DEFAULT_DOCUMENT.model_dump(mode="json")
    document["oversight"].update(oversight)
    session.add(
        RulesetVersion(city_id=world.city, place_id=world.city, version=version, name=f"规则 {version}",
                       document=document, published_at=utcnow() - timedelta(seconds=10 - version))
    )  # fmt: skip
    await session.commit()


async def _hazard_due(client: httpx.AsyncClient, session: AsyncSession, world: World) -> str:
    resident, _ = await make_resident(session)
    body = {"facility_id": str(world.facilities["east"]), "text": "楼梯扶手松动"}
    r = await client.post("/safety/hazards", json=body, headers=resident_headers(resident.id))
    assert r.status_code == 201, r.text
    return str(r.json()["answer_due_at"])


def _shanghai(at: Any) -> str:
    return str(at.astimezone(SHANGHAI).isoformat())


async def test_hazard_deadline_is_the_city_rulesets_baotou_art_41(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """Without a published ruleset the built-in one says 5 working days; publishing 2, then 8, changes the
    deadline of the next report each time."""
    assert DEFAULT_RULES.hazard_answer_working_days == DEFAULT_DOCUMENT.oversight.hazard_answer_working_days
    for version, days in ((0, 5), (1, 2), (2, 8)):
        if version:
            await _publish(session, world, version, hazard_answer_working_days=days)
        assert (
            await rules_for_facility(session, world.facilities["east"])
        ).hazard_answer_working_days == days
        before = utcnow()
        due = await _hazard_due(client, session, world)
        assert due == _shanghai((await add_working_days(session, before, days)).at), (version, days)


async def test_report_deadlines_are_the_rulesets_baotou_art_32(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """Quarterly reports due 30 days after the quarter, the yearly one by 15 December: the findings follow."""
    await _publish(session, world, 1, quarterly_report_due_days=30, yearly_report_due="12-15")
    filings = await queries.report_filings(session, [world.operators["A"]], LAST_YEAR, utcnow().date())
    due = {(f.kind, f.quarter): f.due_on for f in filings}
    assert due[("quarterly", 1)] == date(LAST_YEAR, 4, 30)
    assert due[("yearly", None)] == date(LAST_YEAR, 12, 15)
    east = headers(world.regulator(RegionLevel.street, world.streets["east"]))
    found = (await client.get("/reports/findings", params={"year": LAST_YEAR}, headers=east)).json()
    assert {(f["kind"], f["quarter"], f["due_on"]) for f in found} >= {
        ("quarterly", 2, f"{LAST_YEAR}-07-30"),
        ("yearly", None, f"{LAST_YEAR}-12-15"),
    }


def test_a_malformed_yearly_day_keeps_the_default() -> None:
    rules = rules_from_section(OversightSection(yearly_report_due="13-40"))
    assert rules.yearly_due_month_day == (12, 31)
    assert rules_from_section(OversightSection(yearly_report_due="11-30")).yearly_opens_month_day == (11, 30)


async def test_no_missing_report_before_the_operator_started_baotou_art_32(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """An operator that started on 1 August last year owes Q3, Q4 and the year, not Q1 or Q2."""
    await session.execute(
        sa.update(Operator)
        .where(Operator.id == world.operators["A"])  # type: ignore[arg-type]
        .values(started_on=date(LAST_YEAR, 8, 1))
    )
    await session.commit()
    filings = await queries.report_filings(
        session, [world.operators["A"], world.operators["B"]], LAST_YEAR, utcnow().date()
    )
    periods: dict[uuid.UUID, list[tuple[str, int | None, str]]] = {}
    for f in filings:
        periods.setdefault(f.operator_id, []).append((f.kind, f.quarter, f.state))
    assert periods[world.operators["A"]] == [
        ("quarterly", 3, "missing"),
        ("quarterly", 4, "missing"),
        ("yearly", None, "missing"),
    ]
    assert len(periods[world.operators["B"]]) == 5  # started long before: every period is due
    east = headers(world.regulator(RegionLevel.street, world.streets["east"]))
    found = (
        await client.get(
            "/reports/findings", params={"year": LAST_YEAR, "only_findings": "true"}, headers=east
        )
    ).json()
    a = str(world.operators["A"])
    assert sorted((f["kind"], f["quarter"] or 0) for f in found if f["operator_id"] == a) == [
        ("quarterly", 3),
        ("quarterly", 4),
        ("yearly", 0),
    ]
