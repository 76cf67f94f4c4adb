"""Error codes of the complaints domain."""

from __future__ import annotations

from backend.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from backend.core.i18n import Msg


class ComplaintNotFound(NotFound):
    code = "complaint_not_found"
    title = Msg("投诉不存在", "Complaint not found")


class TargetNotFound(NotFound):
    code = "complaint_target_not_found"
    title = Msg("投诉对象不存在", "The facility, supplier or booking complained about was not found")


class TargetRequired(Unprocessable):
    code = "complaint_target_required"
    title = Msg("请至少指定一个投诉对象（设施、服务商或预约）", "Name a facility, a supplier or a booking")


class TargetMismatch(Unprocessable):
    code = "complaint_target_mismatch"
    title = Msg("投诉对象相互不符", "The facility, supplier and booking named do not belong together")


class ContentRejected(Unprocessable):
    code = "content_rejected"
    title = Msg("投诉内容含有违规信息，请修改后重新提交", "The text breaks content rules; please rewrite it")


class IllegalComplaintMove(Conflict):
    code = "complaint_state_conflict"
    title = Msg("投诉当前状态不允许此操作", "This complaint's status does not allow this action")


class NotComplaintHandler(Forbidden):
    code = "not_complaint_handler"
    title = Msg("此投诉当前不由您处理", "This complaint is not yours to handle at its current level")


class NotComplaintModerator(Forbidden):
    code = "not_complaint_moderator"
    title = Msg(
        "只有设施所在街道或上级监管部门、平台管理员可以审核投诉内容",
        "Only a regulator over the facility, or an admin, moderates a complaint's text",
    )


class TextNotHeld(Conflict):
    code = "complaint_text_not_held"
    title = Msg("该投诉内容不在待审核状态", "This complaint's text is not waiting for moderation")


class ModerationReasonRequired(Unprocessable):
    code = "reason_required"
    title = Msg("不予显示时须填写理由", "Withholding a text needs a reason")


class InvalidPhone(Unprocessable):
    code = "invalid_phone"
    title = Msg("电话号码格式不正确", "The phone number is not valid")
