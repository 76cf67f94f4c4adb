"""The ruleset document: everything a city (or a district) may set, typed, with its defaults.

The defaults are the project's design in RATING.md on the Wuhan scale (1A–5A) and the configuration rules
of DOMAIN.md; `presets.py` holds the shipped variants (Chongqing, Baotou). A document is stored as JSON with
every published version and every grading result, so a result can be recomputed with the rules it used.
Every number that comes from a regulation carries its `source` (city and article where the text gives one).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

A_LEVELS = ("5A", "4A", "3A", "2A", "1A")
FAILED = "不合格"


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Share = Annotated[float, Field(ge=0, le=1)]
Score = Annotated[float, Field(ge=0, le=100)]


class Scale(StrEnum):
    a_levels = "a_levels"  # 1A–5A (Wuhan art. 17)
    four_grades = "four_grades"  # 优秀/良好/合格/不合格 (Chongqing art. 15, Baotou art. 44)


class EvaluatorLevel(StrEnum):
    city = "city"
    district = "district"
    street = "street"


class Subject(StrEnum):
    operator = "operator"
    facility = "facility"


class Period(StrEnum):
    monthly = "monthly"
    yearly = "yearly"


class Part(StrEnum):
    satisfaction = "satisfaction"
    rectification = "rectification"
    safety = "safety"
    complaints = "complaints"
    operations = "operations"


class FailureConsequence(StrEnum):
    none = "none"
    terminate_contract = "terminate_contract"  # Chongqing art. 15: 整改仍不合格 → the contract ends
    remove_from_list = "remove_from_list"  # Baotou art. 44


class Strictness(StrEnum):
    required = "required"  # "不应" (Wuhan): a failure is a required finding
    in_principle = "in_principle"  # "原则上" (Chongqing): advisory
    encouraged = "encouraged"  # encouraged only (Baotou): advisory


# ---------------------------------------------------------------- grading


class GradeThreshold(_Doc):
    grade: str
    min_total: Score
    min_part_share: Share  # every part ≥ this share of its maximum
    min_wilson: Share | None = None  # Wilson lower bound of the good-review share


class SatisfactionRules(_Doc):
    level_values: dict[int, Score] = {5: 100, 4: 80, 3: 60, 2: 30, 1: 0}
    good_levels: tuple[int, ...] = (4, 5)
    bad_levels: tuple[int, ...] = (1, 2)
    prior_reviews: float = Field(20, gt=0)  # Bayesian prior m
    prior_score: Score = 70  # Bayesian prior C
    half_life_days: float = Field(180, gt=0)
    wilson_z: float = Field(1.96, gt=0)


class SampleRules(_Doc):
    min_reviews: int = Field(10, ge=0)  # below: no satisfaction grade (样本不足), cap below
    cap_below_min: str = "2A"
    full_reviews: int = Field(30, ge=0)  # below (and ≥ min): cap below
    cap_below_full: str = "3A"


class RectificationRules(_Doc):
    call_back_weight: float = Field(1, ge=0)
    fix_weight: float = Field(1, ge=0)
    verdict_weight: float = Field(1, ge=0)
    verdict_values: dict[str, Score] = {"satisfied": 100, "basically_satisfied": 60, "unsatisfied": 0}


class ComplaintRules(_Doc):
    zero_at_per_1000: float = Field(20, gt=0)  # complaints per 1,000 completed bookings that score 0
    min_bookings: int = Field(100, gt=0)  # the rate's denominator is at least this many bookings
    rate_weight: float = Field(2, ge=0)
    answered_weight: float = Field(1, ge=0)
    resolved_weight: float = Field(1, ge=0)


class SafetyRules(_Doc):
    fire_values: dict[str, Score] = {"pass": 100, "fail": 0, "none": 0}
    food_values: dict[str, Score] = {"A": 100, "B": 80, "C": 60, "none": 0}


class Caps(_Doc):
    fire_failed: str | None = "2A"  # until a passing inspection is recorded
    food_c_or_none: str | None = "2A"
    source: str = "RATING.md; Wuhan art. 17 (fire and food safety among the indicators)"


class Vetoes(_Doc):
    """一票否决: an incident a regulator marked as a veto, any incident of `always_kinds`, or one of
    `serious_kinds` at a severity in `serious_severities` → 不合格 at once."""

    serious_kinds: tuple[str, ...] = ("fire", "food_poisoning", "injury")
    always_kinds: tuple[str, ...] = ("abuse", "fake_reviews", "fake_reports")
    serious_severities: tuple[str, ...] = ("serious", "major")
    source: str = "RATING.md (一票否决); Wuhan art. 16"


class FailureAction(_Doc):
    rectification_months: int = Field(3, ge=0)
    then: FailureConsequence = FailureConsequence.none
    source: str = ""


class YearlyEvaluation(_Doc):
    """Four grades from the year's results (and the scores the ruleset asks the regulator to record)."""

    enabled: bool = False
    grade_map: dict[str, tuple[str, ...]] = {
        "优秀": ("5A", "4A"),
        "良好": ("3A",),
        "合格": ("2A", "1A"),
    }
    # Extra scores the regulator records (0–100) and their weight beside the year's result (sum ≤ 1).
    extra_scores: dict[str, Share] = {}
    # The operator may respond in writing for this many days before the regulator confirms without it.
    response_days: int = Field(10, ge=0)
    source: str = ""


def _default_thresholds() -> tuple[GradeThreshold, ...]:
    return (
        GradeThreshold(grade="5A", min_total=90, min_part_share=0.9, min_wilson=0.9),
        GradeThreshold(grade="4A", min_total=80, min_part_share=0.8, min_wilson=0.85),
        GradeThreshold(grade="3A", min_total=70, min_part_share=0.6),
        GradeThreshold(grade="2A", min_total=60, min_part_share=0.5),
        GradeThreshold(grade="1A", min_total=50, min_part_share=0.4),
    )


def _default_weights() -> dict[Part, int]:
    return {Part.satisfaction: 40, Part.rectification: 10, Part.safety: 20, Part.complaints: 10,
            Part.operations: 20}  # fmt: skip


class GradingSection(_Doc):
    scale: Scale = Scale.a_levels
    evaluator_level: EvaluatorLevel = EvaluatorLevel.city
    third_party: bool = False
    subject: Subject = Subject.operator
    period: Period = Period.monthly
    window_months: int = Field(12, ge=1, le=60)
    weights: dict[Part, int] = Field(default_factory=_default_weights)
    thresholds: tuple[GradeThreshold, ...] = Field(default_factory=_default_thresholds)
    satisfaction: SatisfactionRules = SatisfactionRules()
    sample: SampleRules = SampleRules()
    rectification: RectificationRules = RectificationRules()
    complaints: ComplaintRules = ComplaintRules()
    safety: SafetyRules = SafetyRules()
    caps: Caps = Caps()
    vetoes: Vetoes = Vetoes()
    trial_months: int = Field(
        3, ge=0
    )  # Chongqing art. 12: first evaluation after 3 months of trial operation
    failure_action: FailureAction = FailureAction()
    yearly: YearlyEvaluation = YearlyEvaluation()
    qualified_from: str = "1A"  # the public list (Xi'an; Baotou art. 29): this grade or better, no open veto
    source: str = "RATING.md; Wuhan art. 17"

    @model_validator(mode="after")
    def _check(self) -> GradingSection:
        if set(self.weights) != set(Part) or sum(self.weights.values()) != 100:
            raise ValueError("weights must name every part and add up to 100")
        grades = [t.grade for t in self.thresholds]
        if grades != [g for g in A_LEVELS if g in grades] or not grades:
            raise ValueError("thresholds are A-levels, best first")
        known = {*grades, None}
        for cap in (self.sample.cap_below_min, self.sample.cap_below_full, self.caps.fire_failed,
                    self.caps.food_c_or_none, self.qualified_from):  # fmt: skip
            if cap not in known:
                raise ValueError(f"unknown grade {cap!r}")
        return self


# ---------------------------------------------------------------- other domains' settings


class ReviewsSection(_Doc):
    window_days: int = Field(30, ge=1)
    call_back_working_days: int = Field(1, ge=0)
    fix_working_days: int = Field(15, ge=0)


class ComplaintsSection(_Doc):
    ack_working_days: int = Field(1, ge=0)
    answer_working_days: int = Field(5, ge=0)
    urgent_ack_hours: int = Field(2, ge=0)
    urgent_answer_working_days: int = Field(1, ge=0)
    confirm_days: int = Field(7, ge=0)
    # Once escalated to the street office, it mediates (调解, Wuhan art. 15) within this many working days.
    mediation_working_days: int = Field(10, ge=0)


class OversightSection(_Doc):
    hazard_answer_working_days: int = Field(5, ge=0)
    consent_days: int = Field(
        30, ge=0
    )  # Wuhan art. 14: a subsidised service's suspension answered in 30 days
    suspension_notice_days: int = Field(60, ge=0)  # Wuhan art. 14
    quarterly_report_due_days: int = Field(15, ge=0)  # days after the quarter ends
    yearly_report_due: str = "12-31"  # MM-DD (DOMAIN.md: the yearly report by the end of December)


class CountRule(_Doc):
    value: int
    source: str


class CoreFunctionsRule(_Doc):
    functions: tuple[str, ...] = ("elder_care", "infant_care", "child_care", "meal_aid")
    minimum: int = 2
    strictness: Strictness = Strictness.required
    source: str = "Wuhan (不应少于 2 项; DOMAIN.md)"


class LeadFunctionsRule(_Doc):
    functions: tuple[str, ...] = ("elder_care", "infant_care")
    strictness: Strictness = Strictness.in_principle
    source: str = "DOMAIN.md (原则上应提供养老或托育服务)"


class ChildFloorRule(_Doc):
    functions: tuple[str, ...] = ("infant_care", "child_care")
    max_floor: int = 3
    underground_allowed: bool = False
    source: str = "DOMAIN.md (托育、托管用房 3 层及以下，不得设在地下或半地下)"


class AreaRule(_Doc):
    m2_per_place: float = Field(gt=0)
    source: str


class FacilityMinimums(_Doc):
    with_elder_care_m2: float | None = None
    with_infant_care_m2: float | None = None
    complex_m2: float | None = None  # a 服务综合体 (≥ `complex_functions` functions)
    complex_functions: int = 3
    source: str = ""


class CatalogueSection(_Doc):
    min_functions: CountRule = CountRule(value=3, source="DOMAIN.md (服务功能不少于 3 项)")
    core_functions: CoreFunctionsRule = CoreFunctionsRule()
    lead_functions: LeadFunctionsRule = LeadFunctionsRule()
    child_floor: ChildFloorRule = ChildFloorRule()
    area_per_place: dict[str, AreaRule] = {
        "elder_care": AreaRule(m2_per_place=35, source="DOMAIN.md (养老每床不少于 35 平方米)"),
        "infant_care": AreaRule(m2_per_place=9, source="DOMAIN.md (每个托位不少于 9 平方米)"),
    }
    facility_minimums: FacilityMinimums = FacilityMinimums()


class RulesetDocument(_Doc):
    name: str = "默认规则（RATING.md，武汉 1A–5A）"
    grading: GradingSection = GradingSection()
    reviews: ReviewsSection = ReviewsSection()
    complaints: ComplaintsSection = ComplaintsSection()
    oversight: OversightSection = OversightSection()
    catalogue: CatalogueSection = CatalogueSection()


DEFAULT_DOCUMENT = RulesetDocument()
