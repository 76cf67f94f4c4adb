"""The grade, exactly as RATING.md: a pure, typed function of the inputs and the ruleset's grading section.

Parts (0–100) and weights → total; the best grade whose total, per-part floor and Wilson bound are all met;
then the sample caps (< 10 counted reviews: 样本不足, at most 2A; < 30: at most 3A), the safety caps (a failed
fire inspection, food grade C or none: at most 2A), the vetoes (一票否决: 不合格 at once) and the trial period
(not graded). Every number is rounded to fixed decimals, so the canonical JSON of a result is reproducible
byte for byte from its stored inputs and ruleset.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from backend.grading.inputs import Inputs
from backend.rulesets.document import A_LEVELS, FAILED, GradingSection, Part, Scale


class Status:
    graded = "graded"
    insufficient_sample = "insufficient_sample"
    not_graded = "not_graded"


_QUANTUM = {places: Decimal(1).scaleb(-places) for places in range(9)}


def rnd(value: float, places: int = 2) -> float:
    """Half-up rounding through Decimal (stable text for the canonical JSON)."""
    q = _QUANTUM.get(places) or Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP))


def canonical(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def wilson_lower_bound(good: int, n: int, z: float) -> float:
    """Lower bound of the Wilson score interval of the good-review share (0 without reviews)."""
    if n <= 0:
        return 0.0
    p = good / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt((p * (1 - p) + z * z / (4 * n)) / n)
    return (centre - margin) / (1 + z * z / n)


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end`."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def _share(part: float, whole: float, empty: float = 1.0) -> float:
    return empty if whole <= 0 else part / whole


def _mean(weighted: list[tuple[float, float]]) -> float:
    total = sum(w for _, w in weighted)
    return 0.0 if total <= 0 else sum(v * w for v, w in weighted) / total


# ---------------------------------------------------------------- parts


def satisfaction_part(i: Inputs, g: GradingSection) -> tuple[float, dict[str, Any]]:
    s, rules = i.satisfaction, g.satisfaction
    m, c = rules.prior_reviews, rules.prior_score
    score = (m * c + s.weighted_value_sum) / (m + s.weight_sum)
    good = sum(n for level, n in s.levels.items() if level in rules.good_levels)
    bad = sum(n for level, n in s.levels.items() if level in rules.bad_levels)
    wilson = wilson_lower_bound(good, s.counted, rules.wilson_z)
    inputs = {
        "n": s.counted,
        "effective_n": rnd(s.weight_sum, 4),
        "weighted_value_sum": rnd(s.weighted_value_sum, 4),
        "prior": {"m": m, "c": c},
        "half_life_days": rules.half_life_days,
        "levels": {str(k): s.levels.get(k, 0) for k in range(1, 6)},
        "good": good,
        "bad": bad,
        "wilson_lower_bound": rnd(wilson, 4),
        "excluded": len(s.excluded),
    }
    return score, inputs


def rectification_part(i: Inputs, g: GradingSection) -> tuple[float, dict[str, Any]]:
    r, rules = i.rectification, g.rectification
    verdicts = sum(r.verdicts.values())
    verdict_score = _share(
        sum(rules.verdict_values.get(k, 0) * n for k, n in r.verdicts.items()), verdicts * 100
    )
    pieces = [
        (_share(r.called_back_on_time, r.bad_reviews), rules.call_back_weight),
        (_share(r.fixed_on_time, r.bad_reviews), rules.fix_weight),
    ]
    if verdicts:
        pieces.append((verdict_score, rules.verdict_weight))
    inputs = {
        "bad_reviews": r.bad_reviews,
        "called_back_on_time": r.called_back_on_time,
        "fixed_on_time": r.fixed_on_time,
        "verdicts": dict(sorted(r.verdicts.items())),
    }
    return 100 * _mean(pieces), inputs


def complaints_part(i: Inputs, g: GradingSection) -> tuple[float, dict[str, Any]]:
    c, rules = i.complaints, g.complaints
    per_1000 = c.complaints * 1000 / max(c.completed_bookings, rules.min_bookings)
    rate_score = max(0.0, 1 - per_1000 / rules.zero_at_per_1000)
    score = 100 * _mean(
        [
            (rate_score, rules.rate_weight),
            (_share(c.answered_on_time, c.complaints), rules.answered_weight),
            (_share(c.resolved, c.complaints), rules.resolved_weight),
        ]
    )
    inputs = {
        "complaints": c.complaints,
        "completed_bookings": c.completed_bookings,
        "per_1000_bookings": rnd(per_1000, 4),
        "answered_on_time": c.answered_on_time,
        "resolved": c.resolved,
    }
    return score, inputs


def safety_part(i: Inputs, g: GradingSection) -> tuple[float, dict[str, Any]]:
    fire_values, food_values = g.safety.fire_values, g.safety.food_values
    per_facility: list[dict[str, Any]] = []
    for f in i.facilities:
        values = [fire_values[f.fire or "none"]]
        if f.serves_food:
            values.append(food_values[f.food or "none"])
        score = rnd(sum(values) / len(values))
        per_facility.append(
            {"facility_id": f.facility_id, "fire": f.fire, "food": f.food, "serves_food": f.serves_food,
             "score": score}
        )  # fmt: skip
    mean = sum(float(x["score"]) for x in per_facility) / len(per_facility) if per_facility else 0.0
    return mean, {"facilities": per_facility}


def operations_part(i: Inputs, g: GradingSection) -> tuple[float, dict[str, Any]]:
    o = i.operations
    shares = {
        "disclosures": _share(o.disclosures_current, o.services),
        "reports": _share(o.reports_on_time, o.reports_due),
        "configuration": _share(o.facilities_configured, o.facilities),
    }
    inputs = {
        "services": o.services,
        "disclosures_current": o.disclosures_current,
        "reports_due": o.reports_due,
        "reports_on_time": o.reports_on_time,
        "facilities": o.facilities,
        "facilities_configured": o.facilities_configured,
    }
    return 100 * sum(shares.values()) / len(shares), inputs


PARTS = {
    Part.satisfaction: satisfaction_part,
    Part.rectification: rectification_part,
    Part.safety: safety_part,
    Part.complaints: complaints_part,
    Part.operations: operations_part,
}


# ---------------------------------------------------------------- grade


@dataclass(frozen=True)
class Outcome:
    data: dict[str, Any]  # the canonical result

    @property
    def text(self) -> str:
        return canonical(self.data)

    @property
    def digest(self) -> str:
        return digest(self.text)


def _rank(grade: str) -> int:
    return A_LEVELS.index(grade) if grade in A_LEVELS else len(A_LEVELS)


def display_grade(level: str | None, g: GradingSection) -> str | None:
    """The grade as the ruleset's scale names it (A-levels, or 优秀/良好/合格/不合格)."""
    if level is None or g.scale == Scale.a_levels or level == FAILED:
        return level
    for name, levels in g.yearly.grade_map.items():
        if level in levels:
            return name
    return FAILED


def _vetoes(i: Inputs, g: GradingSection) -> list[dict[str, Any]]:
    v = g.vetoes
    out = []
    for incident in sorted(i.incidents, key=lambda x: x.id):
        serious = incident.severity in v.serious_severities
        if (
            incident.vetoed
            or incident.kind in v.always_kinds
            or (incident.kind in v.serious_kinds and serious)
        ):
            out.append({"incident_id": incident.id, "kind": incident.kind, "severity": incident.severity,
                        "set_by_regulator": incident.vetoed})  # fmt: skip
    return out


def _caps(i: Inputs, g: GradingSection) -> list[dict[str, Any]]:
    caps = []
    n, sample = i.satisfaction.counted, g.sample
    if n < sample.min_reviews:
        caps.append(
            {"cap": "sample_below_min", "grade": sample.cap_below_min, "n": n, "needed": sample.min_reviews}
        )
    elif n < sample.full_reviews:
        caps.append(
            {
                "cap": "sample_below_full",
                "grade": sample.cap_below_full,
                "n": n,
                "needed": sample.full_reviews,
            }
        )
    fire_failed = sorted(f.facility_id for f in i.facilities if f.fire == "fail")
    if fire_failed and g.caps.fire_failed:
        caps.append({"cap": "fire_failed", "grade": g.caps.fire_failed, "facility_ids": fire_failed})
    food_low = sorted(f.facility_id for f in i.facilities if f.serves_food and f.food in (None, "C"))
    if food_low and g.caps.food_c_or_none:
        caps.append({"cap": "food_c_or_none", "grade": g.caps.food_c_or_none, "facility_ids": food_low})
    return caps


def decide(
    total: float, scores: dict[Part, float], wilson: float, g: GradingSection
) -> tuple[str, list[dict[str, Any]]]:
    """The best grade whose total, every part's floor and (where set) Wilson bound are met, and for each
    grade what held it back."""
    thresholds = []
    earned: str | None = None
    for t in g.thresholds:
        held: list[dict[str, Any]] = []
        if total < t.min_total:
            held.append({"rule": "total", "needed": t.min_total, "had": total})
        for part in Part:
            floor = rnd(t.min_part_share * 100)
            if scores[part] < floor:
                held.append({"rule": "part", "part": part.value, "needed": floor, "had": scores[part]})
        if t.min_wilson is not None and wilson < t.min_wilson:
            held.append({"rule": "wilson", "needed": t.min_wilson, "had": wilson})
        thresholds.append({"grade": t.grade, "met": not held, "held_back_by": held})
        if not held and earned is None:
            earned = t.grade
    return earned or FAILED, thresholds


_NORMALIZED: dict[int, tuple[GradingSection, GradingSection]] = {}


def normalized(g: GradingSection) -> GradingSection:
    """The section as a stored document reads back (defaults validated: `180` → `180.0` for a float field),
    so a live computation and a recomputation from the stored document print the same numbers. Memoised per
    section object (rulesets hand out one parsed document per published version)."""
    hit = _NORMALIZED.get(id(g))
    if hit is not None and hit[0] is g:
        return hit[1]
    if len(_NORMALIZED) > 256:
        _NORMALIZED.clear()
    n = GradingSection.model_validate(g.model_dump(mode="json"))
    _NORMALIZED[id(g)] = (g, n)
    return n


def compute(i: Inputs, g: GradingSection, ruleset_ref: dict[str, Any]) -> Outcome:
    g = normalized(g)
    parts: list[dict[str, Any]] = []
    scores: dict[Part, float] = {}
    for part, fn in PARTS.items():
        score, inputs = fn(i, g)
        scores[part] = rnd(score)
        weight = g.weights[part]
        parts.append({"part": part.value, "score": scores[part], "weight": weight,
                      "points": rnd(scores[part] * weight / 100), "inputs": inputs})  # fmt: skip
    total = rnd(sum(p["points"] for p in parts))
    wilson = float(parts[0]["inputs"]["wilson_lower_bound"])

    level: str | None
    level, thresholds = decide(total, scores, wilson, g)

    caps = _caps(i, g)
    for cap in caps:
        if level != FAILED and _rank(level) < _rank(cap["grade"]):
            cap["applied"] = True
            level = cap["grade"]
        else:
            cap["applied"] = False
    vetoes = _vetoes(i, g)
    status = Status.insufficient_sample if i.satisfaction.counted < g.sample.min_reviews else Status.graded
    reason = None
    if vetoes:
        level = FAILED
    trial_months = months_between(i.started_on, i.window_to)
    if trial_months < g.trial_months and not vetoes:
        status, level, reason = Status.not_graded, None, "trial"

    data = {
        "operator": {"id": i.operator_id, "name": i.operator_name},
        "status": status,
        "not_graded_reason": reason,
        "level": level,
        "grade": display_grade(level, g),
        "scale": g.scale.value,
        "total": total,
        "parts": parts,
        "wilson_lower_bound": wilson,
        "thresholds": thresholds,
        "caps": caps,
        "vetoes": vetoes,
        "excluded_reviews": [{"review_id": r, "reason": why} for r, why in i.satisfaction.excluded],
        "window": {"from": i.window_from.isoformat(), "to": i.window_to.isoformat()},
        "months_operating": trial_months,
        "ruleset": ruleset_ref,
    }
    return Outcome(data)
