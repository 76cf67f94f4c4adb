"""The shipped rulesets: the default (RATING.md on the Wuhan scale), Chongqing and Baotou.

Switching a city between them is publishing another document (data), never a code change.
"""

from __future__ import annotations

from enum import StrEnum

from backend.rulesets.document import (
    DEFAULT_DOCUMENT,
    CatalogueSection,
    CoreFunctionsRule,
    EvaluatorLevel,
    FacilityMinimums,
    FailureAction,
    FailureConsequence,
    GradingSection,
    LeadFunctionsRule,
    Period,
    RulesetDocument,
    Scale,
    Strictness,
    YearlyEvaluation,
)


class Preset(StrEnum):
    default = "default"
    wuhan = "wuhan"
    chongqing = "chongqing"
    baotou = "baotou"


WUHAN = DEFAULT_DOCUMENT.model_copy(update={"name": "武汉（1A–5A，Wuhan art. 17）"})

CHONGQING = RulesetDocument(
    name="重庆（年度评价 优秀/良好/合格/不合格，Chongqing art. 15）",
    grading=GradingSection(
        scale=Scale.four_grades,
        evaluator_level=EvaluatorLevel.district,
        period=Period.yearly,
        trial_months=3,
        failure_action=FailureAction(
            rectification_months=3,
            then=FailureConsequence.terminate_contract,
            source="Chongqing art. 15 (不合格限期 3 个月整改，整改仍不合格的终止合同)",
        ),
        yearly=YearlyEvaluation(
            enabled=True,
            extra_scores={"site_visit": 0.2, "satisfaction_survey": 0.1, "expert": 0.1},
            source="Chongqing art. 15 (年度评价；合格及以上为运营补贴条件)",
        ),
        source="Chongqing arts. 12, 15",
    ),
    catalogue=CatalogueSection(
        core_functions=CoreFunctionsRule(
            strictness=Strictness.in_principle, source="Chongqing (原则上至少 2 项)"
        ),
    ),
)

BAOTOU = RulesetDocument(
    name="包头（年度评价，不合格退出名录，Baotou art. 44）",
    grading=GradingSection(
        scale=Scale.four_grades,
        evaluator_level=EvaluatorLevel.district,
        period=Period.yearly,
        failure_action=FailureAction(
            rectification_months=0,
            then=FailureConsequence.remove_from_list,
            source="Baotou art. 44 (不合格的退出运营商名录)",
        ),
        yearly=YearlyEvaluation(enabled=True, extra_scores={"site_visit": 0.2}, source="Baotou art. 44"),
        source="Baotou arts. 29, 44",
    ),
    catalogue=CatalogueSection(
        core_functions=CoreFunctionsRule(strictness=Strictness.encouraged, source="Baotou (鼓励)"),
        lead_functions=LeadFunctionsRule(strictness=Strictness.required, source="Baotou (应提供养老或托育)"),
        facility_minimums=FacilityMinimums(
            with_elder_care_m2=350,
            with_infant_care_m2=200,
            complex_m2=600,
            source="Baotou (含养老不少于 350 m²，含托育不少于 200 m²，综合体不少于 600 m²)",
        ),
    ),
)

PRESETS: dict[Preset, RulesetDocument] = {
    Preset.default: DEFAULT_DOCUMENT,
    Preset.wuhan: WUHAN,
    Preset.chongqing: CHONGQING,
    Preset.baotou: BAOTOU,
}
