"""Demo complaints in every state, one taken up to the street office's mediation (Wuhan art. 15), one whose
text waits in the moderation queue.

All about 后湖街道幸福社区嵌入式服务综合体 (operator-1; suppliers supplier-1..3; the street office is
`regulator-street-1`), filed by the demo resident.
Idempotent: complaints have deterministic ids and are skipped when present. Times are set back so the
deadlines, replies and the public figures look lived-in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import queries as catalogue
from backend.complaints import repository as repo
from backend.complaints.models import (
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintReply,
    MediationOutcome,
    TextCheck,
)
from backend.complaints.rules import DEFAULT_RULES, is_urgent
from backend.complaints.service import deadlines
from backend.core.clock import to_shanghai, utcnow
from backend.core.demo_ids import demo_id
from backend.workdays.queries import add_working_days

FACILITY = "后湖街道幸福社区嵌入式服务综合体"
RESIDENT = demo_id("resident", "dev-openid-demo")
OPERATOR_STAFF = demo_id("staff_account", "operator-1")
STREET_STAFF = demo_id("staff_account", "regulator-street-1")
SUPPLIER_STAFF = {
    "老年人日间照料（全日托）": demo_id("staff_account", "supplier-1"),
    "长者午餐": demo_id("staff_account", "supplier-2"),
    "上门保洁": demo_id("staff_account", "supplier-3"),
}


@dataclass(frozen=True)
class Plan:
    key: str
    service: str | None  # None: a facility-level complaint
    category: str
    text: str
    hours_ago: int
    steps: tuple[str, ...]  # acknowledge, answer, accept, reject, escalate, mediate, close
    held: bool = False  # WeChat's check held the text: it waits in the moderation queue


PLANS = [
    Plan("submitted", "长者午餐", "food_safety", "今天午餐的青菜有异味，老人吃后肚子不舒服。", 1, ()),
    Plan(
        "acknowledged",
        "上门保洁",
        "staff_conduct",
        "保洁阿姨态度不好，没有按约定清洁厨房。",
        20,
        ("acknowledge",),
    ),
    Plan(
        "answered",
        "老年人日间照料（全日托）",
        "price",
        "收费比公示价格多了20元。",
        50,
        ("acknowledge", "answer"),
    ),
    Plan(
        "resolved", "长者午餐", "service_quality", "送餐晚了40分钟，饭菜都凉了。", 240, ("answer", "accept")
    ),
    Plan(
        "escalated",
        "上门保洁",
        "service_quality",
        "约好的上门时间没人来，也没有提前通知。",
        120,
        ("answer", "reject"),
    ),
    Plan(
        "mediated",
        "老年人日间照料（全日托）",
        "safety",
        "日间照料室地面湿滑，家父摔倒受伤，服务商拒绝承担责任。",
        600,
        ("acknowledge", "answer", "reject", "answer", "reject", "mediate"),
    ),
    Plan("closed", None, "environment", "活动室空调坏了一周还没修。", 400, ("answer", "close")),
    Plan(
        "held",
        "上门保洁",
        "staff_conduct",
        "保洁员把我家的东西弄坏了还骂人，这种人就该滚蛋！",
        3,
        (),
        held=True,
    ),
]
REPLIES = {
    "acknowledge": "您的投诉已受理，我们会尽快核实处理。",
    "answer": "经核实，已整改并向您致歉，感谢监督。",
}


def _service_id(name: str) -> uuid.UUID:
    return demo_id("service", f"{FACILITY}/{name}")


async def _seed_one(session: AsyncSession, plan: Plan, now: datetime) -> None:
    complaint_id = demo_id("complaint", plan.key)
    if await repo.get(session, complaint_id) is not None:
        return
    facility = await catalogue.facility_ref(session, demo_id("facility", FACILITY))
    if facility is None:
        return
    service = await catalogue.service_ref(session, _service_id(plan.service)) if plan.service else None
    filed = now - timedelta(hours=plan.hours_ago)
    urgent = is_urgent(plan.category)
    ack, answer = await deadlines(session, DEFAULT_RULES, urgent, filed)
    day = to_shanghai(filed).date()
    c = Complaint(
        id=complaint_id,
        number=f"TS{day:%Y%m%d}{await repo.next_number(session, day):04d}",
        channel=Channel.app.value,
        resident_id=RESIDENT,
        category=plan.category,
        urgent=urgent,
        text=plan.text,
        text_check=(TextCheck.held if plan.held else TextCheck.passed).value,
        facility_id=facility.id,
        supplier_id=service.supplier_id if service else None,
        service_id=service.id if service else None,
        operator_id=facility.operator_id,
        acknowledge_due_at=ack.at,
        answer_due_at=answer.at,
        first_answer_due_at=answer.at,
        deadlines_provisional=ack.provisional or answer.provisional,
        created_at=filed,
        updated_at=filed,
    )
    rows: list[object] = []

    def event(
        action: str, to: str, role: str, actor: uuid.UUID | None, at: datetime, note: str | None = None
    ) -> None:
        rows.append(
            ComplaintEvent(
                complaint_id=c.id,
                action=action,
                from_status=c.status,
                to_status=to,
                escalation=c.escalation,
                actor_role=role,
                actor_id=actor,
                note=note,
                at=at,
            )
        )
        c.status, c.updated_at = to, at

    event("file", "submitted", "resident", RESIDENT, filed)
    span = timedelta(hours=plan.hours_ago) / (len(plan.steps) + 1)
    for i, step in enumerate(plan.steps, 1):
        at = filed + span * i
        handler = "supplier_staff" if c.escalation == "none" and c.supplier_id else "operator_staff"
        handler_id = (
            SUPPLIER_STAFF.get(plan.service or "", OPERATOR_STAFF)
            if handler == "supplier_staff"
            else OPERATOR_STAFF
        )
        if step in ("acknowledge", "answer"):
            rows.append(
                ComplaintReply(
                    complaint_id=c.id,
                    kind=step,
                    level=c.escalation,
                    by_role=handler,
                    by_id=handler_id,
                    text=REPLIES[step],
                    at=at,
                )
            )
            if step == "acknowledge":
                c.acknowledged_at = c.acknowledged_at or at
                event("acknowledge", "acknowledged", handler, handler_id, at)
            else:
                c.first_answered_at = c.first_answered_at or at
                c.answered_at, c.confirm_due_at = at, at + timedelta(days=DEFAULT_RULES.confirm_days)
                event("answer", "answered", handler, handler_id, at)
        elif step == "accept":
            c.resolved_at, c.confirm_due_at = at, None
            event("accept", "resolved", "resident", RESIDENT, at, "满意")
        elif step == "reject":
            c.escalation = "operator" if c.escalation == "none" else "street"
            c.escalated_at, c.confirm_due_at = at, None
            days = (
                DEFAULT_RULES.mediation_working_days
                if c.escalation == "street"
                else DEFAULT_RULES.answer_days(urgent)
            )
            c.answer_due_at = (await add_working_days(session, at, days)).at
            event("reject", "escalated", "resident", RESIDENT, at, "对答复不满意")
        elif step == "mediate":
            c.mediation_outcome = MediationOutcome.agreement.value
            c.mediation_agreement = "服务商承担医疗费用并整改地面防滑，双方达成调解协议。"
            c.mediated_on, c.mediated_by, c.resolved_at = to_shanghai(at).date(), STREET_STAFF, at
            event("mediate", "mediated", "regulator", STREET_STAFF, at, "agreement")
        elif step == "close":
            c.resolved_at, c.confirm_due_at = at, None
            event("close_unconfirmed", "closed", "system", None, at, "no confirmation: accepted")
    await repo.add(session, c)
    await repo.add(session, *rows)


async def seed(session: AsyncSession) -> None:
    now = utcnow()
    for plan in PLANS:
        await _seed_one(session, plan, now)
