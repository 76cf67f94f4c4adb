"""The yearly evaluation (Chongqing art. 15, Baotou art. 44) as pure rules: the year's grade from its result
and the scores the ruleset asks the regulator to record, and what a 不合格 leads to (a rectification period,
then re-evaluation; still 不合格 → contract termination or removal from the list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from backend.grading.compute import display_grade, rnd
from backend.rulesets.document import A_LEVELS, FAILED, FailureConsequence, GradingSection


class MissingScores(ValueError):
    pass


def add_months(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(y, m + 1, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


@dataclass(frozen=True)
class YearGrade:
    level: str  # 5A..1A | 不合格
    grade: str  # 优秀 | 良好 | 合格 | 不合格 (as the ruleset's scale names it)
    total: float


def year_grade(level: str, total: float, scores: dict[str, float], g: GradingSection) -> YearGrade:
    """The year's result (`level`, `total`) combined with the recorded scores (0–100) the ruleset weighs:
    total' = (1 − Σw)·total + Σ w·score; the level is the lower of the result's and the one total' reaches."""
    wanted = g.yearly.extra_scores
    missing = sorted(set(wanted) - set(scores))
    if missing:
        raise MissingScores(", ".join(missing))
    rest = 1 - sum(wanted.values())
    combined = rnd(rest * total + sum(w * scores[k] for k, w in wanted.items()))
    by_total = next((t.grade for t in g.thresholds if combined >= t.min_total), FAILED)
    worst = max(level, by_total, key=lambda x: A_LEVELS.index(x) if x in A_LEVELS else len(A_LEVELS))
    return YearGrade(worst, display_grade(worst, g) or FAILED, combined)


@dataclass(frozen=True)
class Consequence:
    status: str  # passed | rectifying | terminate_contract | remove_from_list | failed
    rectification_due: date | None = None


def after_confirmation(grade: YearGrade, confirmed_on: date, g: GradingSection) -> Consequence:
    """不合格 opens the ruleset's rectification period (Chongqing: 3 months); without one, the failure
    action applies at once (Baotou: removed from the list)."""
    if grade.level != FAILED:
        return Consequence("passed")
    action = g.failure_action
    if action.rectification_months > 0:
        return Consequence("rectifying", add_months(confirmed_on, action.rectification_months))
    return _final(action.then)


def after_rectification(regrade: YearGrade, due: date, today: date, g: GradingSection) -> Consequence:
    """The re-evaluation at the end of the rectification: still 不合格 (整改仍不合格) → the failure action."""
    if today < due:
        return Consequence("rectifying", due)
    if regrade.level != FAILED:
        return Consequence("passed")
    return _final(g.failure_action.then)


def _final(then: FailureConsequence) -> Consequence:
    if then == FailureConsequence.none:
        return Consequence("failed")
    return Consequence(then.value)
