"""Error codes of the oversight domain."""

from __future__ import annotations

from backend.core.errors import Conflict, NotFound, Unprocessable
from backend.core.i18n import Msg


class InspectionNotFound(NotFound):
    code = "inspection_not_found"
    title = Msg("未找到该检查记录", "Inspection not found")


class IncidentNotFound(NotFound):
    code = "incident_not_found"
    title = Msg("未找到该事件记录", "Incident not found")


class HazardNotFound(NotFound):
    code = "hazard_not_found"
    title = Msg("未找到该隐患报告", "Hazard report not found")


class ReportNotFound(NotFound):
    code = "report_not_found"
    title = Msg("未找到该报告", "Report not found")


class WrongResultForKind(Unprocessable):
    code = "wrong_result_for_kind"
    title = Msg("检查结果与检查类型不符", "This result does not belong to this kind of inspection")


class AlreadyFixed(Conflict):
    code = "already_fixed"
    title = Msg("该检查的整改已记录", "The fix of this inspection is already recorded")


class NoFixRequired(Conflict):
    code = "no_fix_required"
    title = Msg("该检查未要求整改", "This inspection required no fix")


class VetoNotAllowed(Conflict):
    code = "veto_not_allowed"
    title = Msg(
        "该类事件的严重程度不足以一票否决",
        "This kind and severity of incident does not allow a veto",
    )


class ContentRejected(Unprocessable):
    code = "content_rejected"
    title = Msg(
        "内容含有违规信息，请修改后重新提交", "The text contains content that is not allowed; please edit it"
    )


class HazardStateConflict(Conflict):
    code = "hazard_state_conflict"
    title = Msg("该隐患报告当前状态不允许此操作", "The hazard report is not in a state that allows this")


class ReportStateConflict(Conflict):
    code = "report_state_conflict"
    title = Msg("该报告当前状态不允许此操作", "The report is not in a state that allows this")


class ReportNotDue(Unprocessable):
    code = "report_not_required"
    title = Msg("当前规则不要求该类报告", "The ruleset does not ask for this kind of report")


class ReportPeriodNotEnded(Conflict):
    code = "report_period_not_ended"
    title = Msg("报告期尚未结束", "The reporting period has not ended yet")


class OperatorAlreadyEnded(Conflict):
    code = "operator_already_ended"
    title = Msg("该运营商已终止", "This operator has already been ended")
