"""Error codes of the yearly evaluation (RFC 9457 bodies with these stable codes)."""

from __future__ import annotations

from backend.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from backend.core.i18n import Msg


class EvaluationNotFound(NotFound):
    code = "evaluation_not_found"
    title = Msg("评价不存在", "Evaluation not found")


class EvaluationNotAllowed(Forbidden):
    code = "evaluation_not_allowed"
    title = Msg(
        "年度评价由该运营商所适用规则指定层级的监管部门进行",
        "The yearly evaluation is made by the regulator at the level the operator's ruleset names",
    )


class ResponseNotAllowed(Forbidden):
    code = "evaluation_response_not_allowed"
    title = Msg("只有被评价的运营商可以书面回应", "Only the evaluated operator may respond in writing")


class NotEvaluatedYearly(Conflict):
    code = "evaluation_not_in_ruleset"
    title = Msg("该地规则未设年度评价", "The ruleset in force there has no yearly evaluation")


class EvaluationExists(Conflict):
    code = "evaluation_exists"
    title = Msg("该运营商本年度评价已开启", "The operator's evaluation for this year is already open")


class InTrial(Conflict):
    code = "evaluation_in_trial"
    title = Msg(
        "试运营期满后方可进行首次评价（重庆第十二条）",
        "The first evaluation comes after the trial period (Chongqing art. 12)",
    )


class NoResults(Conflict):
    code = "evaluation_no_results"
    title = Msg("该年度尚无公布的评级结果", "No graded result was published in that year")


class YearNotStarted(Unprocessable):
    code = "evaluation_year_not_started"
    title = Msg("该年度尚未开始", "That year has not started")


class EvaluationStateConflict(Conflict):
    code = "evaluation_state_conflict"
    title = Msg("评价当前状态不允许此操作", "The evaluation's state does not allow this")


class UnknownScore(Unprocessable):
    code = "evaluation_unknown_score"
    title = Msg("规则未要求该项评分", "The ruleset does not ask for that score")


class ScoresMissing(Conflict):
    code = "evaluation_scores_missing"
    title = Msg("规则要求的评分尚未录入", "Scores the ruleset asks for are not recorded yet")


class AwaitingResponse(Conflict):
    code = "evaluation_awaiting_response"
    title = Msg(
        "运营商书面回应期限未到，暂不能确认",
        "The operator may still respond in writing; confirm after the deadline",
    )


class RectificationNotDue(Conflict):
    code = "rectification_not_due"
    title = Msg("整改期尚未届满", "The rectification period has not ended")
