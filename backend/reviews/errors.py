"""Error codes of the reviews domain (stable; the mini-program and the console switch on them)."""

from __future__ import annotations

from backend.core.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unprocessable
from backend.core.i18n import Msg


class BookingNotFound(NotFound):
    code = "booking_not_found"
    title = Msg("预约不存在", "Booking not found")


class ReviewNotFound(NotFound):
    code = "review_not_found"
    title = Msg("评价不存在", "Review not found")


class AppealNotFound(NotFound):
    code = "appeal_not_found"
    title = Msg("申诉不存在", "Appeal not found")


class RectificationNotFound(NotFound):
    code = "rectification_not_found"
    title = Msg("整改单不存在", "Rectification not found")


class BookingNotCompleted(Conflict):
    code = "booking_not_completed"
    title = Msg("服务完成后才能评价", "A booking can be reviewed only once it is completed")


class AlreadyReviewed(Conflict):
    code = "already_reviewed"
    title = Msg("该预约已评价过", "This booking has already been reviewed")


class ReviewWindowClosed(Conflict):
    code = "review_window_closed"
    title = Msg("已超过评价期限", "The review window has closed")


class FollowUpWindowClosed(Conflict):
    code = "follow_up_window_closed"
    title = Msg("已超过追评期限", "The follow-up window has closed")


class AlreadyFollowedUp(Conflict):
    code = "already_followed_up"
    title = Msg("已追评过", "A follow-up has already been added")


class AlreadyReplied(Conflict):
    code = "already_replied"
    title = Msg("已回复过该评价", "This review has already been replied to")


class AlreadyAppealed(Conflict):
    code = "already_appealed"
    title = Msg("该评价已申诉过", "This review has already been appealed")


class AppealWindowClosed(Conflict):
    code = "appeal_window_closed"
    title = Msg("已超过申诉期限（发布后7天）", "The appeal window (7 days after publication) has closed")


class AppealAlreadyDecided(Conflict):
    code = "appeal_already_decided"
    title = Msg("该申诉已有决定", "This appeal has already been decided")


class NotPendingModeration(Conflict):
    code = "not_pending_moderation"
    title = Msg("该内容不在待审核状态", "This text is not waiting for moderation")


class FlagNotPending(Conflict):
    code = "flag_not_pending"
    title = Msg("该评价没有待确认的非真实标记", "This review has no pending not-genuine flag")


class RectificationStepNotAllowed(Conflict):
    code = "rectification_step_not_allowed"
    title = Msg("整改单当前状态不允许此操作", "The rectification's status does not allow this step")


class NotYourService(Forbidden):
    code = "not_your_service"
    title = Msg("只有该服务的供应方可以进行此操作", "Only the service's supplier may do this")


class NotDecider(Forbidden):
    code = "not_decider"
    title = Msg(
        "只有设施所在街道或上级监管部门、平台管理员可以决定",
        "Only the facility's street office, a regulator above it, or an admin may decide",
    )


class ContentRejected(Unprocessable):
    code = "content_rejected"
    title = Msg(
        "内容含有违规信息，未能提交，请修改后重试",
        "The text contains content that is not allowed; please change it and try again",
    )


class UnknownTag(Unprocessable):
    code = "unknown_tag"
    title = Msg("评价标签不在可选范围内", "A tag is not in the vocabulary of this service's function")


class TooManyReviewWrites(TooManyRequests):
    code = "too_many_review_writes"
    title = Msg("评价操作过于频繁，请稍后再试", "Too many review actions, try again later")
