"""Demo reviews: good and bad ones with replies and a follow-up, one appealed, and one rectification in each
state (awaiting call-back, fixing, awaiting verdict, closed, escalated). Idempotent (deterministic ids).

Written straight through the repository (no WeChat check, no burst rule: the demo resident reviews eight
bookings of the past week at once)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.demo import past_completed_bookings
from backend.bookings.queries import booking_facts
from backend.core.demo_ids import demo_id
from backend.reviews import repository as repo
from backend.reviews import repository_appeals as appeal_repo
from backend.reviews import repository_rectifications as rect_repo
from backend.reviews.models import AppealStatus, RectificationStatus, TextStatus
from backend.reviews.rules import DEFAULT_RULES
from backend.workdays.queries import add_working_days

S = RectificationStatus

# (level, tags, text, reply, follow-up, rectification state or None, appealed)
REVIEWS: list[tuple[int, list[str], str, str | None, str | None, RectificationStatus | None, bool]] = [
    (
        5,
        ["服务态度好", "准时"],
        "阿姨很热情，服务周到，老人很满意。",
        "感谢您的认可，我们会继续努力！",
        None,
        None,
        False,
    ),
    (4, ["服务态度好"], "整体不错，环境干净。", None, "第二次来也很好，推荐。", None, False),
    (1, ["不准时"], "约好九点，十点才开始，等了很久。", None, None, S.awaiting_call_back, False),
    (2, ["服务态度差"], "工作人员有点不耐烦。", "非常抱歉，已对相关人员进行培训。", None, S.fixing, False),
    (1, ["收费不透明"], "收费和公示的不一样。", None, None, S.awaiting_verdict, False),
    (2, ["不准时"], "送餐晚了半小时，饭菜凉了。", "抱歉，已调整配送路线。", None, S.closed, False),
    (1, ["服务态度差"], "投诉多次没人理。", None, None, S.escalated, False),
    (1, [], "服务太差了，再也不来了！", None, None, S.awaiting_call_back, True),
]


async def seed(session: AsyncSession) -> None:
    bookings = await past_completed_bookings(session, len(REVIEWS))
    for index, (booking_id, spec) in enumerate(zip(bookings, REVIEWS, strict=False)):
        review_id = demo_id("review", f"past/{index}")
        if await repo.get_review(session, review_id) is not None:
            continue
        facts = await booking_facts(session, booking_id)
        assert facts is not None and facts.completed_at is not None
        await _review(session, review_id, facts, facts.completed_at + timedelta(hours=3), spec)


async def _review(
    session: AsyncSession, review_id: uuid.UUID, facts: Any, at: datetime, spec: tuple[Any, ...]
) -> None:
    level, tags, text, reply, follow_up, state, appealed = spec
    values: dict[str, Any] = {
        "id": review_id, "created_at": at, "updated_at": at, "booking_id": facts.id,
        "resident_id": facts.resident_id, "service_id": facts.service_id, "facility_id": facts.facility_id,
        "supplier_id": facts.supplier_id, "operator_id": facts.operator_id, "function": facts.function,
        "level": level, "tags": tags, "text": text, "status": TextStatus.published.value,
        "text_check": "pass", "counted": True, "flag_status": "none",
    }  # fmt: skip
    if reply:
        values.update(
            reply_text=reply, reply_status="published", reply_check="pass", reply_at=at + timedelta(hours=2)
        )
    if follow_up:
        values.update(
            follow_up_text=follow_up,
            follow_up_status="published",
            follow_up_check="pass",
            follow_up_at=at + timedelta(days=1),
        )
    await repo.insert_review(session, values)
    if state is not None:
        await _rectification(session, review_id, facts, at, state)
    if appealed:
        await appeal_repo.insert_appeal(
            session,
            {
                "id": demo_id("appeal", str(review_id)), "created_at": at + timedelta(hours=5),
                "updated_at": at + timedelta(hours=5), "review_id": review_id,
                "facility_id": facts.facility_id, "supplier_id": facts.supplier_id, "reason": "malicious",
                "status": AppealStatus.pending.value,
                "text": "该居民以差评要挟免单，当日服务记录完整，请核实。", "created_by": facts.supplier_id,
            },
        )  # fmt: skip


async def _rectification(
    session: AsyncSession, review_id: uuid.UUID, facts: Any, at: datetime, state: RectificationStatus
) -> None:
    call_back = await add_working_days(session, at, DEFAULT_RULES.call_back_working_days)
    fix = await add_working_days(session, at, DEFAULT_RULES.fix_working_days)
    values: dict[str, Any] = {
        "id": demo_id("rectification", str(review_id)), "created_at": at, "updated_at": at,
        "review_id": review_id, "resident_id": facts.resident_id, "service_id": facts.service_id,
        "facility_id": facts.facility_id, "supplier_id": facts.supplier_id, "operator_id": facts.operator_id,
        "status": state.value, "call_back_due_at": call_back.at,
        "call_back_provisional": call_back.provisional,
        "fix_due_at": fix.at, "fix_provisional": fix.provisional, "unsatisfied_count": 0,
    }  # fmt: skip
    if state != S.awaiting_call_back:
        values.update(called_back_at=at + timedelta(hours=4), call_back_note="已电话回访，了解情况并致歉")
    if state in (S.awaiting_verdict, S.closed, S.escalated):
        values.update(fixed_at=at + timedelta(days=1), fix_description="已调整排班并对员工进行服务规范培训")
    if state == S.closed:
        values.update(verdict="satisfied", verdict_at=at + timedelta(days=2))
    if state == S.escalated:
        values.update(
            verdict="unsatisfied", verdict_at=at + timedelta(days=2), unsatisfied_count=2,
            escalated_to="street", escalated_at=at + timedelta(days=2),
        )  # fmt: skip
    await rect_repo.insert_rectification(session, values)
