"""What each message says: the template keys of each kind and their values.

Configure one subscription-message template per kind in the WeChat console with these keys, and put its
id in the matching setting (`WECHAT_TEMPLATE_BOOKING_CONFIRMED`, ...). Values are fitted to their key
type's limits here, and checked again before sending.

| kind | keys |
|---|---|
| booking_confirmed | thing1 服务项目, time2 服务时间, thing3 服务对象 |
| booking_cancelled | thing1 服务项目, time2 服务时间, thing3 取消原因 |
| waitlist_promoted | thing1 服务项目, time2 服务时间, thing3 服务对象 |
| booking_reminder  | thing1 服务项目, time2 服务时间, thing3 服务对象 |
| suspension_notice | thing1 服务项目, date2 暂停日期, thing3 说明 |
| review_update     | thing1 服务项目, phrase2 进度, thing3 说明 |
| complaint_update  | character_string1 投诉编号, phrase2 处理状态, thing3 说明 |
| staff_task        | thing1 服务项目, phrase2 事项, time3 截止时间, thing4 说明 (to staff) |
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from backend.core.clock import to_shanghai
from backend.core.settings import Settings
from backend.notifications.models import MessageKind
from backend.wechat.templates import truncate_thing


def wechat_time(value: datetime) -> str:
    local = to_shanghai(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def wechat_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def booking_page(booking_id: uuid.UUID) -> str:
    return f"pages/booking/detail?id={booking_id}"


def template_id(settings: Settings, kind: str) -> str:
    return {
        MessageKind.booking_confirmed: settings.wechat_template_booking_confirmed,
        MessageKind.booking_cancelled: settings.wechat_template_booking_cancelled,
        MessageKind.waitlist_promoted: settings.wechat_template_waitlist_promoted,
        MessageKind.booking_reminder: settings.wechat_template_booking_reminder,
        MessageKind.suspension_notice: settings.wechat_template_suspension_notice,
        MessageKind.review_update: settings.wechat_template_review_update,
        MessageKind.complaint_update: settings.wechat_template_complaint_update,
        MessageKind.staff_task: settings.wechat_template_staff_task,
    }.get(MessageKind(kind), "")


def booking_data(service_name: str, start_at: datetime, third: str) -> dict[str, str]:
    """The three values shared by confirmed, promoted, reminder (third: who) and cancelled (third: why)."""
    return {
        "thing1": truncate_thing(service_name),
        "time2": wechat_time(start_at),
        "thing3": truncate_thing(third) or "-",
    }


def suspension_data(name: str, starts_on: date, reason: str) -> dict[str, str]:
    return {
        "thing1": truncate_thing(name),
        "date2": wechat_date(starts_on),
        "thing3": truncate_thing(reason) or "-",
    }


def review_update_data(service_name: str, progress: str, note: str) -> dict[str, str]:
    """`progress` is a phrase of at most 5 Chinese characters (已回复, 已回访, 待评价, 已升级)."""
    return {
        "thing1": truncate_thing(service_name),
        "phrase2": progress[:5],
        "thing3": truncate_thing(note) or "-",
    }


def review_page(review_id: uuid.UUID) -> str:
    return f"pages/review/detail?id={review_id}"


def complaint_page(complaint_id: uuid.UUID) -> str:
    return f"pages/complaint/detail?id={complaint_id}"


def complaint_data(number: str, phrase: str, note: str) -> dict[str, str]:
    """`phrase` is at most 5 Chinese characters (已答复, 已升级, 已超期, 已办结)."""
    return {"character_string1": number, "phrase2": phrase, "thing3": truncate_thing(note) or "-"}


def staff_task_data(service_name: str, task: str, due_at: datetime, note: str) -> dict[str, str]:
    """A task for staff: `task` is at most 5 Chinese characters (待整改, 街道督办)."""
    return {
        "thing1": truncate_thing(service_name),
        "phrase2": task[:5],
        "time3": wechat_time(due_at),
        "thing4": truncate_thing(note) or "-",
    }


def rectification_page(rect_id: uuid.UUID) -> str:
    return f"pages/staff/rectification?id={rect_id}"
