"""Yearly evaluation: Chongqing art. 15 (优秀/良好/合格/不合格; 不合格 → 3 months to rectify, still failing →
the contract ends) and Baotou art. 44 (不合格 → removed from the list)."""

from __future__ import annotations

from datetime import date

import pytest

from backend.grading.yearly import MissingScores, after_confirmation, after_rectification, year_grade
from backend.rulesets.presets import BAOTOU, CHONGQING

CQ = CHONGQING.grading
SCORES = {"site_visit": 90.0, "satisfaction_survey": 90.0, "expert": 90.0}


def test_chongqing_year_grade_weighs_the_recorded_scores() -> None:
    """total' = 0.6·total + 0.2·site visit + 0.1·survey + 0.1·expert."""
    g = year_grade("4A", 85.0, SCORES, CQ)
    assert (g.total, g.level, g.grade) == (87.0, "4A", "优秀")
    low = year_grade("4A", 85.0, {**SCORES, "site_visit": 10.0}, CQ)
    assert (low.total, low.level, low.grade) == (71.0, "3A", "良好")  # the lower of result and total'
    assert year_grade("2A", 65.0, SCORES, CQ).grade == "合格"
    assert year_grade("不合格", 40.0, SCORES, CQ).grade == "不合格"


def test_missing_scores_are_refused() -> None:
    with pytest.raises(MissingScores):
        year_grade("4A", 85.0, {"site_visit": 90.0}, CQ)


def test_chongqing_failure_opens_three_months_of_rectification_then_termination() -> None:
    failed = year_grade("不合格", 40.0, SCORES, CQ)
    c = after_confirmation(failed, date(2026, 11, 30), CQ)
    assert (c.status, c.rectification_due) == ("rectifying", date(2027, 2, 28))  # 3 months, clamped
    assert after_rectification(failed, date(2027, 2, 28), date(2027, 2, 27), CQ).status == "rectifying"
    assert (
        after_rectification(failed, date(2027, 2, 28), date(2027, 2, 28), CQ).status == "terminate_contract"
    )
    fixed = year_grade("2A", 65.0, SCORES, CQ)
    assert after_rectification(fixed, date(2027, 2, 28), date(2027, 3, 1), CQ).status == "passed"


def test_baotou_failure_removes_from_the_list_at_once() -> None:
    g = BAOTOU.grading
    failed = year_grade("不合格", 30.0, {"site_visit": 50.0}, g)
    assert after_confirmation(failed, date(2026, 12, 31), g).status == "remove_from_list"
    assert (
        after_confirmation(year_grade("3A", 75.0, {"site_visit": 80.0}, g), date(2026, 12, 31), g).status
        == "passed"
    )
