"""Configuration findings against the rules' numbers (DOMAIN.md), boundaries included."""

from __future__ import annotations

import pytest

from backend.catalogue.findings import FindingStatus, check_facility
from tests.catalogue.world import room

GOOD = ["elder_care", "meal_aid", "culture"]


def status(functions: list[str], rooms: list[dict], rule: str) -> FindingStatus:
    return next(f for f in check_facility(functions, rooms) if f.rule == rule).status


@pytest.mark.parametrize(
    ("functions", "expected"),
    [(["elder_care", "meal_aid"], "fail"), (GOOD, "pass"), ([*GOOD, "sport"], "pass")],
)
def test_at_least_three_functions(functions: list[str], expected: str) -> None:
    assert status(functions, [], "min_functions") == expected


@pytest.mark.parametrize(
    ("functions", "expected"),
    [
        (["elder_care", "sport", "culture"], "fail"),  # one of the four
        (["child_care", "meal_aid", "culture"], "pass"),  # two of the four
        (["housekeeping", "sport", "culture"], "fail"),  # none
    ],
)
def test_at_least_two_core_functions(functions: list[str], expected: str) -> None:
    assert status(functions, [], "core_functions") == expected


def test_elder_or_infant_care_is_advisory() -> None:
    findings = check_facility(["child_care", "meal_aid", "culture"], [])
    lead = next(f for f in findings if f.rule == "elder_or_infant_care")
    assert lead.status == "fail" and lead.severity == "advisory"
    assert status(["infant_care", "meal_aid", "culture"], [], "elder_or_infant_care") == "pass"


@pytest.mark.parametrize(
    ("function", "floor", "expected"),
    [
        ("infant_care", 1, "pass"),
        ("infant_care", 3, "pass"),
        ("infant_care", 4, "fail"),
        ("infant_care", -1, "fail"),
        ("child_care", 3, "pass"),
        ("child_care", 4, "fail"),
        ("child_care", -2, "fail"),
    ],
)
def test_child_rooms_floor_three_or_lower_and_above_ground(function: str, floor: int, expected: str) -> None:
    assert status(GOOD, [room(function, floor, 100.0, 5)], "child_care_floor") == expected


def test_floor_rule_ignores_other_functions_and_lists_offenders() -> None:
    assert status(GOOD, [room("elder_care", 5, 700.0, 20)], "child_care_floor") == "not_applicable"
    finding = next(
        f
        for f in check_facility(GOOD, [room("child_care", 2, 90.0), room("infant_care", 4, 90.0, 10)])
        if f.rule == "child_care_floor"
    )
    assert finding.values["offending_rooms"] == [{"function": "infant_care", "floor": 4}]


@pytest.mark.parametrize(
    ("area", "beds", "expected"),
    [(350.0, 10, "pass"), (349.0, 10, "fail"), (34.9, 1, "fail"), (35.0, 1, "pass"), (0.1 + 34.9, 1, "pass")],
)
def test_elder_care_35_square_metres_per_bed(area: float, beds: int, expected: str) -> None:
    assert status(GOOD, [room("elder_care", 1, area, beds)], "elder_care_area_per_place") == expected


def test_elder_care_area_counts_all_elder_rooms_together() -> None:
    rooms = [room("elder_care", 1, 300.0, 10), room("elder_care", 2, 50.0, 0)]
    finding = next(f for f in check_facility(GOOD, rooms) if f.rule == "elder_care_area_per_place")
    assert finding.status == "pass" and finding.values["area_per_place"] == 35.0


@pytest.mark.parametrize(
    ("area", "places", "expected"), [(9.0, 1, "pass"), (8.9, 1, "fail"), (270.0, 30, "pass")]
)
def test_infant_care_9_square_metres_per_place(area: float, places: int, expected: str) -> None:
    assert status(GOOD, [room("infant_care", 1, area, places)], "infant_care_area_per_place") == expected


def test_area_rules_not_applicable_without_places() -> None:
    assert status(GOOD, [], "elder_care_area_per_place") == "not_applicable"
    assert status(GOOD, [], "infant_care_area_per_place") == "not_applicable"
