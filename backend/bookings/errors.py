"""Error codes of the bookings domain."""

from __future__ import annotations

from backend.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from backend.core.errors import InvalidRange as InvalidRange  # re-exported: raised for slot times
from backend.core.i18n import Msg


class SlotNotFound(NotFound):
    code = "slot_not_found"
    title = Msg("时段不存在", "Slot not found")


class BookingNotFound(NotFound):
    code = "booking_not_found"
    title = Msg("预约不存在", "Booking not found")


class WaitlistEntryNotFound(NotFound):
    code = "waitlist_entry_not_found"
    title = Msg("候补记录不存在", "Waitlist entry not found")


class SlotFull(Conflict):
    code = "slot_full"
    title = Msg("该时段已约满", "This slot is full")

    def __init__(self, waitlist_available: bool = True) -> None:
        super().__init__(extra={"waitlist_available": waitlist_available})


class SlotNotOpen(Conflict):
    code = "slot_not_open"
    title = Msg("该时段已关闭或已开始，不能预约", "This slot is closed or has already started")


class SlotExists(Conflict):
    code = "slot_exists"
    title = Msg("该服务已有相同时间的时段", "The service already has a slot at this time")


class SlotNotFull(Conflict):
    code = "slot_not_full"
    title = Msg("该时段仍有名额，请直接预约", "This slot still has places: book it directly")


class CapacityBelowBooked(Conflict):
    code = "capacity_below_booked"
    title = Msg("容量不能低于已预约人数", "Capacity cannot be lower than the places already booked")


class OrderCutoffPassed(Conflict):
    code = "order_cutoff_passed"
    title = Msg("已过订餐截止时间", "Orders for this meal have closed")


class DuplicateBooking(Conflict):
    code = "duplicate_booking"
    title = Msg("该家庭成员已预约此时段", "This family member already holds a booking for this slot")


class AlreadyWaitlisted(Conflict):
    code = "already_waitlisted"
    title = Msg("该家庭成员已在此时段的候补队列中", "This family member is already on the waitlist")


class NotEligible(Unprocessable):
    code = "not_eligible"
    title = Msg("该家庭成员不符合此服务的条件", "This family member is not eligible for this service")


class AddressRequired(Unprocessable):
    code = "address_required"
    title = Msg("上门服务须填写服务地址", "A home visit needs an address")


class ServiceNotBookable(Conflict):
    code = "service_not_bookable"
    title = Msg("该服务当前不接受预约", "This service does not take bookings at the moment")


class ServiceSuspended(Conflict):
    code = "service_suspended"
    title = Msg("该服务已公告自此日起暂停，不能预约", "This service is announced as stopped from that date")


class CancelWindowClosed(Conflict):
    code = "cancel_window_closed"
    title = Msg("已过可取消时间", "It is too late to cancel this booking")


class IllegalTransition(Conflict):
    code = "illegal_transition"
    title = Msg("预约当前状态不允许此操作", "The booking's current status does not allow this")


class CheckInTooEarly(Conflict):
    code = "check_in_too_early"
    title = Msg("只能在服务当天签到", "Check-in opens on the day of the service")


class SlotNotStarted(Conflict):
    code = "slot_not_started"
    title = Msg("服务尚未开始，不能标记为未到", "The service has not started: it cannot be a no-show yet")


class NoticeTooShort(Unprocessable):
    code = "notice_too_short"
    title = Msg(
        "暂停或终止服务须至少提前 {days} 天公告", "A stop must be announced at least {days} days ahead"
    )

    def __init__(self, days: int) -> None:
        super().__init__(extra={"min_notice_days": days})
        self.days = days

    def to_problem(self, instance: str | None = None) -> dict[str, object]:
        body = super().to_problem(instance)
        body["title"] = self.title.render(days=self.days)
        return body


class SuspensionNotFound(NotFound):
    code = "suspension_not_found"
    title = Msg("暂停公告不存在", "Suspension notice not found")


class ConsentNotPending(Conflict):
    code = "consent_not_pending"
    title = Msg("该暂停公告无待答复的同意申请", "This suspension has no consent waiting for an answer")


class NotStreetOffice(Forbidden):
    code = "not_street_office"
    title = Msg(
        "暂停受补贴服务须由所在街道办事处同意",
        "Only the facility's street office consents to this suspension",
    )
