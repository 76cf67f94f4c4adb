# ruff: noqa: E501
"""RATING.md's computation at its boundaries (the default ruleset: Wuhan art. 17 scale 1A–5A)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from backend.grading.compute import compute, decide, rnd, wilson_lower_bound
from backend.grading.inputs import FacilitySafety, Incident, Inputs
from backend.rulesets.document import DEFAULT_DOCUMENT, Part
from backend.rulesets.presets import CHONGQING
from tests.grading.factory import perfect, reviews

G = DEFAULT_DOCUMENT.grading
REF = {"id": None, "city_id": None, "district_id": None, "version": 0, "name": "default"}


def grade(i: Inputs, g=G) -> dict:  # type: ignore[no-untyped-def]
    return compute(i, g, REF).data


def test_perfect_operator_is_5a_with_every_part_explained() -> None:
    r = grade(perfect())
    assert r["grade"] == "5A" and r["status"] == "graded"
    # satisfaction: (m·C + Σw·v) / (m + Σw) = (20·70 + 200·100) / 220
    sat = r["parts"][0]
    assert sat["part"] == "satisfaction" and sat["score"] == rnd((20 * 70 + 200 * 100) / 220)
    assert [p["weight"] for p in r["parts"]] == [40, 10, 20, 10, 20]
    assert r["total"] == rnd(sum(p["points"] for p in r["parts"]))


def test_time_decay_weights_recent_reviews_more() -> None:
    """Half-life 180 days: a review a half-life old weighs 0.5."""
    old_bad = reviews({1: 50}, weight=0.5)
    recent_good = reviews({5: 50}, weight=1.0)
    mixed = replace(recent_good, counted=100, levels={1: 50, 5: 50}, weight_sum=75.0,
                    weighted_value_sum=old_bad.weighted_value_sum + recent_good.weighted_value_sum)  # fmt: skip
    r = grade(perfect(satisfaction=mixed))
    assert r["parts"][0]["score"] == rnd((20 * 70 + 5000) / (20 + 75))  # 67.37, not the undecayed 55.83


# ---------------------------------------------------------------- each grade's total and floor

SHARES = {"5A": (90, 0.9), "4A": (80, 0.8), "3A": (70, 0.6), "2A": (60, 0.5), "1A": (50, 0.4)}
NEXT = {"5A": "4A", "4A": "3A", "3A": "2A", "2A": "1A", "1A": "不合格"}


@pytest.mark.parametrize("g", list(SHARES))
def test_each_grade_at_its_total_and_floor(g: str) -> None:
    total, share = SHARES[g]
    floor = share * 100
    scores = {p: max(floor, total) for p in Part}
    scores[Part.rectification] = floor  # one part exactly at the floor
    assert decide(total, scores, 1.0, G)[0] == g
    assert decide(rnd(total - 0.01), scores, 1.0, G)[0] == NEXT[g]  # total 0.01 short
    low = {**scores, Part.rectification: rnd(floor - 0.01)}
    level, thresholds = decide(total, low, 1.0, G)
    assert level == NEXT[g]
    held = next(t for t in thresholds if t["grade"] == g)["held_back_by"]
    assert held == [{"rule": "part", "part": "rectification", "needed": floor, "had": rnd(floor - 0.01)}]


def test_below_1a_is_failed() -> None:
    assert decide(49.99, dict.fromkeys(Part, 100.0), 1.0, G)[0] == "不合格"


# ---------------------------------------------------------------- Wilson bound for 4A/5A


def test_wilson_lower_bound_values() -> None:
    assert wilson_lower_bound(0, 0, 1.96) == 0
    assert rnd(wilson_lower_bound(30, 30, 1.96), 4) == 0.8865
    assert rnd(wilson_lower_bound(94, 100, 1.96), 4) == 0.8752


def test_wilson_below_090_keeps_a_high_scorer_from_5a() -> None:
    """94 good of 100 (6 基本满意): satisfaction 93, total ≥ 90, but Wilson 0.875 < 0.90 → 4A."""
    r = grade(perfect(satisfaction=reviews({5: 94, 3: 6})))
    assert r["total"] >= 90 and r["parts"][0]["score"] >= 90
    assert r["grade"] == "4A"
    five = next(t for t in r["thresholds"] if t["grade"] == "5A")
    assert five["held_back_by"] == [{"rule": "wilson", "needed": 0.9, "had": 0.8752}]


def test_wilson_below_085_keeps_it_from_4a() -> None:
    """88 good of 100 (12 基本满意): Wilson 0.80 < 0.85 → 3A."""
    r = grade(perfect(satisfaction=reviews({5: 88, 3: 12})))
    assert r["parts"][0]["score"] >= 90 and r["wilson_lower_bound"] < 0.85
    assert r["grade"] == "3A"


# ---------------------------------------------------------------- sample sizes: 9/10 and 29/30


def test_9_counted_reviews_is_insufficient_sample_capped_at_2a() -> None:
    r = grade(perfect(satisfaction=reviews({5: 9})))
    assert r["status"] == "insufficient_sample" and r["grade"] == "2A"
    assert r["caps"][0] == {"cap": "sample_below_min", "grade": "2A", "n": 9, "needed": 10, "applied": True}


def test_10_counted_reviews_is_graded_at_most_3a() -> None:
    r = grade(perfect(satisfaction=reviews({5: 10})))
    assert r["status"] == "graded" and r["grade"] == "3A"
    assert r["caps"][0]["cap"] == "sample_below_full"


def test_29_counted_reviews_capped_at_3a_and_30_not() -> None:
    r29 = grade(perfect(satisfaction=reviews({5: 29})))
    assert r29["grade"] == "3A" and r29["caps"][0] == {
        "cap": "sample_below_full",
        "grade": "3A",
        "n": 29,
        "needed": 30,
        "applied": True,
    }
    assert next(t for t in r29["thresholds"] if t["grade"] == "4A")["met"]  # 4A earned, then capped
    r30 = grade(perfect(satisfaction=reviews({5: 30})))
    assert r30["grade"] == "4A" and r30["caps"] == []


# ---------------------------------------------------------------- caps and vetoes


def test_failed_fire_inspection_caps_at_2a() -> None:
    """Wuhan art. 17 (fire safety among the indicators): a failed fire inspection caps at 2A."""
    facilities = (*(FacilitySafety(f"f-{k}", fire="pass", food="A", serves_food=True) for k in (1, 3, 4, 5)),
                  FacilitySafety("f-2", fire="fail", food=None, serves_food=False))  # fmt: skip
    r = grade(perfect(satisfaction=reviews({5: 400}), facilities=facilities))
    assert r["parts"][2]["score"] == 80  # safety: four facilities at 100, one at 0
    assert next(t for t in r["thresholds"] if t["grade"] == "4A")["met"]
    assert r["grade"] == "2A"
    assert {"cap": "fire_failed", "grade": "2A", "facility_ids": ["f-2"], "applied": True} in r["caps"]


def test_food_grade_c_caps_at_2a_only_where_food_is_served() -> None:
    served = (FacilitySafety("f-1", fire="pass", food="C", serves_food=True),)
    assert grade(perfect(facilities=served))["grade"] == "2A"
    not_served = (FacilitySafety("f-1", fire="pass", food=None, serves_food=False),)
    assert grade(perfect(facilities=not_served))["grade"] == "5A"


@pytest.mark.parametrize(
    ("incident", "vetoed"),
    [
        (Incident("i-1", "fire", "serious"), True),
        (Incident("i-1", "food_poisoning", "major"), True),
        (Incident("i-1", "abuse", "minor"), True),  # abuse of an elder or a child, whatever its severity
        (Incident("i-1", "injury", "minor"), False),
        (Incident("i-1", "other", "minor", vetoed=True), True),  # a regulator's 一票否决
    ],
)
def test_veto_incident_fails_at_once(incident: Incident, vetoed: bool) -> None:
    r = grade(perfect(incidents=(incident,)))
    assert (r["grade"] == "不合格") is vetoed
    assert bool(r["vetoes"]) is vetoed


def test_trial_period_is_not_graded() -> None:
    """Chongqing art. 12: the first evaluation after 3 months of trial operation."""
    r = grade(perfect(started_on=date(2026, 9, 1)))
    assert r["status"] == "not_graded" and r["grade"] is None and r["not_graded_reason"] == "trial"
    assert grade(perfect(started_on=date(2026, 8, 30)))["status"] == "graded"


def test_excluded_reviews_are_listed_with_reasons() -> None:
    sat = reviews({5: 200}, excluded=(("r-1", "appeal_upheld"), ("r-2", "not_genuine")))
    r = grade(perfect(satisfaction=sat))
    assert r["excluded_reviews"] == [
        {"review_id": "r-1", "reason": "appeal_upheld"},
        {"review_id": "r-2", "reason": "not_genuine"},
    ]


def test_four_grade_scale_names_the_grade() -> None:
    """Chongqing art. 15: 优秀 = 4A–5A, 良好 = 3A, 合格 = 1A–2A, 不合格 below."""
    cq = CHONGQING.grading
    assert grade(perfect(), cq)["grade"] == "优秀"
    assert grade(perfect(satisfaction=reviews({5: 10})), cq)["grade"] == "良好"
    assert grade(perfect(satisfaction=reviews({5: 9})), cq)["grade"] == "合格"
    assert grade(perfect(incidents=(Incident("i", "abuse", "minor"),)), cq)["grade"] == "不合格"


def test_same_inputs_same_bytes() -> None:
    i = perfect(satisfaction=reviews({5: 94, 3: 6}))
    again = Inputs.from_json(i.as_json())
    assert again == i
    assert compute(again, G, REF).text == compute(i, G, REF).text
