# ruff: noqa: E501  (request lines read better whole)
"""Rulesets as data: versions per city and district, who publishes them, and the catalogue reading its rules."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from pydantic import ValidationError

from backend.catalogue.findings import check_facility
from backend.core.access import Principal, RegionLevel, Role
from backend.core.clock import utcnow
from backend.rulesets.document import DEFAULT_DOCUMENT, GradingSection, Part, RulesetDocument
from backend.rulesets.presets import BAOTOU, CHONGQING
from backend.rulesets.queries import ruleset_for_city
from tests.catalogue.world import build_world, headers, room

ADMIN = Principal(id=uuid.uuid4(), role=Role.admin)


def test_default_document_is_rating_md_on_the_wuhan_scale() -> None:
    """RATING.md defaults: weights 40/10/20/10/20, 5A at 90 with every part ≥ 90% and Wilson ≥ 0.90."""
    g = DEFAULT_DOCUMENT.grading
    assert g.weights == {Part.satisfaction: 40, Part.rectification: 10, Part.safety: 20, Part.complaints: 10,
                         Part.operations: 20}  # fmt: skip
    top = g.thresholds[0]
    assert (top.grade, top.min_total, top.min_part_share, top.min_wilson) == ("5A", 90, 0.9, 0.9)
    assert (g.sample.min_reviews, g.sample.full_reviews, g.trial_months) == (10, 30, 3)
    assert DEFAULT_DOCUMENT.reviews.fix_working_days == 15 and DEFAULT_DOCUMENT.complaints.confirm_days == 7
    assert DEFAULT_DOCUMENT.catalogue.area_per_place["elder_care"].m2_per_place == 35


def test_weights_must_add_up_to_100() -> None:
    with pytest.raises(ValidationError):
        GradingSection(weights={p: 20 for p in Part} | {Part.safety: 21})


def test_chongqing_preset_is_yearly_four_grades_with_three_month_rectification() -> None:
    """Chongqing arts. 12, 15: yearly 优秀/良好/合格/不合格, 3 months of trial, 3 months to rectify, then
    the contract ends."""
    g = CHONGQING.grading
    assert (g.scale, g.period, g.trial_months) == ("four_grades", "yearly", 3)
    assert (g.failure_action.rectification_months, g.failure_action.then) == (3, "terminate_contract")
    assert RulesetDocument.model_validate(CHONGQING.model_dump(mode="json")) == CHONGQING


def test_baotou_facility_minimums_and_required_lead_function() -> None:
    """Baotou: ≥ 350 m² with elder care, a complex ≥ 600 m²; elder or infant care required."""
    rules = BAOTOU.catalogue
    functions = ["elder_care", "meal_aid", "culture"]
    small = {f.rule: f for f in check_facility(functions, [room("elder_care", 1, 340.0, 5)], rules)}
    assert small["facility_area_elder_care"].status == "fail"
    assert small["facility_area_complex"].status == "fail"
    assert small["facility_area_infant_care"].status == "not_applicable"
    assert "Baotou" in small["facility_area_elder_care"].source
    big = {f.rule: f for f in check_facility(functions, [room("elder_care", 1, 600.0, 5)], rules)}
    assert big["facility_area_complex"].status == "pass" and big["facility_area_elder_care"].status == "pass"
    lead = {f.rule: f for f in check_facility(["child_care", "meal_aid", "culture"], [], rules)}
    assert lead["elder_or_infant_care"].severity == "required"
    assert lead["core_functions"].severity == "advisory"  # encouraged only in Baotou


def test_default_rules_have_no_facility_minimums() -> None:
    rules = {f.rule for f in check_facility(["elder_care", "meal_aid", "culture"], [])}
    assert not {r for r in rules if r.startswith("facility_area")}


async def test_a_city_without_a_version_uses_the_default(client, session) -> None:  # type: ignore[no-untyped-def]
    world = await build_world(session)
    r = await client.get(f"/cities/{world.city}/ruleset")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["version"] == 0 and body["id"] is None
    assert body["document"]["grading"]["scale"] == "a_levels"


async def test_city_regulator_publishes_and_switching_to_chongqing_is_a_data_change(client, session) -> None:  # type: ignore[no-untyped-def]
    """Switching the city's rules from the default to Chongqing changes the findings without a code change:
    the 2-of-4 rule becomes advisory ("原则上")."""
    world = await build_world(session)
    city_reg = headers(Principal(id=uuid.uuid4(), role=Role.regulator,
                                 region_level=RegionLevel.city, region_id=world.city))  # fmt: skip
    operator = headers(world.operator_staff("A"))
    before = await client.get(f"/facilities/{world.facilities['north']}/findings", headers=operator)
    core = next(f for f in before.json()["findings"] if f["rule"] == "core_functions")
    assert core["severity"] == "required" and core["ruleset"]["version"] == 0

    r = await client.post(f"/cities/{world.city}/rulesets", json={"preset": "chongqing"}, headers=city_reg)
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1 and r.json()["document"]["grading"]["scale"] == "four_grades"

    after = await client.get(f"/facilities/{world.facilities['north']}/findings", headers=operator)
    core = next(f for f in after.json()["findings"] if f["rule"] == "core_functions")
    assert core["severity"] == "advisory" and core["ruleset"]["version"] == 1
    assert core["source"].startswith("Chongqing")

    r2 = await client.post(f"/cities/{world.city}/rulesets", json={"preset": "wuhan"}, headers=city_reg)
    assert r2.json()["version"] == 2
    history = await client.get(f"/cities/{world.city}/rulesets")
    assert [v["version"] for v in history.json()["items"]] == [2, 1]


async def test_old_versions_stay_in_force_for_their_time(client, session) -> None:  # type: ignore[no-untyped-def]
    world = await build_world(session)
    before = utcnow() - timedelta(seconds=1)
    r = await client.post(f"/cities/{world.city}/rulesets", json={"preset": "baotou"}, headers=headers(ADMIN))
    assert r.status_code == 201
    assert (await ruleset_for_city(session, world.city, before)).version == 0
    assert (await ruleset_for_city(session, world.city)).version == 1


async def test_district_version_wins_over_the_city(client, session) -> None:  # type: ignore[no-untyped-def]
    world = await build_world(session)
    district_reg = headers(Principal(id=uuid.uuid4(), role=Role.regulator,
                                     region_level=RegionLevel.district, region_id=world.district))  # fmt: skip
    r = await client.post(
        f"/cities/{world.city}/rulesets", json={"preset": "baotou", "district_id": str(world.district)},
        headers=district_reg,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    city_rules = await client.get(f"/cities/{world.city}/ruleset")
    district_rules = await client.get(
        f"/cities/{world.city}/ruleset", params={"district_id": str(world.district)}
    )
    assert city_rules.json()["version"] == 0
    assert district_rules.json()["version"] == 1 and district_rules.json()["district_id"] == str(
        world.district
    )
    findings = await client.get(f"/facilities/{world.facilities['east']}/findings", headers=district_reg)
    assert any(f["rule"] == "facility_area_complex" for f in findings.json()["findings"])


@pytest.mark.parametrize("who", ["district_city_rules", "street", "operator"])
async def test_only_the_right_level_publishes(client, session, who: str) -> None:  # type: ignore[no-untyped-def]
    world = await build_world(session)
    principal = {
        "district_city_rules": Principal(id=uuid.uuid4(), role=Role.regulator,
                                         region_level=RegionLevel.district, region_id=world.district),
        "street": Principal(id=uuid.uuid4(), role=Role.regulator,
                            region_level=RegionLevel.street, region_id=world.streets["east"]),
        "operator": world.operator_staff("A"),
    }[who]  # fmt: skip
    r = await client.post(
        f"/cities/{world.city}/rulesets", json={"preset": "chongqing"}, headers=headers(principal)
    )
    assert r.status_code == 403, r.text
    assert r.json()["code"] == ("role_not_allowed" if who == "operator" else "ruleset_not_in_region")


async def test_publishing_is_audited_and_validated(client, session) -> None:  # type: ignore[no-untyped-def]
    world = await build_world(session)
    bad = {"document": {"grading": {"weights": {"satisfaction": 100}}}}
    r = await client.post(f"/cities/{world.city}/rulesets", json=bad, headers=headers(ADMIN))
    assert r.status_code == 422
    both = {"preset": "wuhan", "document": {}}
    assert (
        await client.post(f"/cities/{world.city}/rulesets", json=both, headers=headers(ADMIN))
    ).status_code == 422
    other_city = uuid.uuid4()
    r = await client.post(f"/cities/{other_city}/rulesets", json={"preset": "wuhan"}, headers=headers(ADMIN))
    assert r.status_code == 404 and r.json()["code"] == "city_not_found"
    from sqlmodel import select

    from backend.audit.models import AuditEntry

    ok = await client.post(f"/cities/{world.city}/rulesets", json={"preset": "wuhan"}, headers=headers(ADMIN))
    entries = (await session.exec(select(AuditEntry).where(AuditEntry.entity == "ruleset"))).all()
    assert [e.changes["version"] for e in entries] == [1] and str(entries[0].entity_id) == ok.json()["id"]
