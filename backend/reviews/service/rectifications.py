"""整改 of a bad review: call-back within 1 working day, fix within 15 working days, the resident's verdict.

不满意 once escalates to the operator (and the supplier fixes again, with a fresh fix deadline); a second
不满意 hands it to the street office (`escalated`). An overdue step escalates to the street office too (the
job `reviews.escalate_overdue`), and the supplier may still finish it late. Deadlines count working days of
the official calendar (`backend.workdays`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.service import record
from backend.core.access import Principal
from backend.core.clock import SHANGHAI, utcnow
from backend.core.pagination import Page, keyset_after, keyset_page
from backend.reviews import repository as repo
from backend.reviews import repository_rectifications as rect_repo
from backend.reviews.errors import (
    NotDecider,
    NotYourService,
    RectificationNotFound,
    RectificationStepNotAllowed,
)
from backend.reviews.models import EscalatedTo, Rectification, RectificationStatus, Review, Verdict
from backend.reviews.repository import rect_t
from backend.reviews.rules import ReviewRules, rules_for
from backend.reviews.schemas import RectificationClose, RectificationPublic, VerdictBody
from backend.reviews.service.common import (
    limit_writes,
    notify_resident,
    notify_staff,
    rectification_in_scope,
    rectification_public,
)
from backend.workdays.queries import Deadline, add_working_days, end_of_day

S = RectificationStatus


async def deadline(session: AsyncSession, start: datetime, working_days: int) -> Deadline:
    """`working_days` after `start` (a ruleset may say 0: the end of the same Shanghai day)."""
    if working_days <= 0:
        return Deadline(at=end_of_day(start.astimezone(SHANGHAI).date()), provisional=False)
    return await add_working_days(session, start, working_days)


async def open_for(session: AsyncSession, review: Review, rules: ReviewRules, now: datetime) -> Rectification:
    """In the review's transaction: the rectification with its working-day deadlines."""
    call_back = await deadline(session, now, rules.call_back_working_days)
    fix = await deadline(session, now, rules.fix_working_days)
    rect_id = uuid.uuid4()
    await rect_repo.insert_rectification(
        session,
        {
            "id": rect_id,
            "created_at": now,
            "updated_at": now,
            "review_id": review.id,
            "resident_id": review.resident_id,
            "service_id": review.service_id,
            "facility_id": review.facility_id,
            "supplier_id": review.supplier_id,
            "operator_id": review.operator_id,
            "status": S.awaiting_call_back.value,
            "call_back_due_at": call_back.at,
            "call_back_provisional": call_back.provisional,
            "fix_due_at": fix.at,
            "fix_provisional": fix.provisional,
            "unsatisfied_count": 0,
        },
    )
    await record(session, None, "open", "rectification", rect_id, {"review_id": str(review.id)})
    rect = await rect_repo.get_rectification(session, rect_id)
    assert rect is not None
    note = f"{review.level} 星差评，请按时回访整改"
    await notify_staff(session, rect, "待整改", call_back.at, note, "open")
    return rect


async def _review_of(session: AsyncSession, rect: Rectification) -> Review:
    review = await repo.get_review(session, rect.review_id)
    assert review is not None
    return review


async def _step(
    session: AsyncSession,
    principal: Principal,
    rect_id: uuid.UUID,
    allowed_from: tuple[RectificationStatus, ...],
    action: str,
    values: dict[str, Any],
) -> Rectification:
    rect, scope = await rectification_in_scope(session, principal, rect_id)
    if not scope.acts_for_service(rect.supplier_id):
        raise NotYourService()
    done = await rect_repo.update_rectification(
        session, rect_id, rect_t.c.status.in_([s.value for s in allowed_from]), **values, updated_at=utcnow()
    )
    if not done:
        raise RectificationStepNotAllowed(extra={"status": rect.status})
    await record(session, principal, action, "rectification", rect_id, values)
    fresh = await rect_repo.get_rectification(session, rect_id)
    assert fresh is not None
    return fresh


async def call_back(
    session: AsyncSession, principal: Principal, rect_id: uuid.UUID, note: str
) -> RectificationPublic:
    """回访: the supplier called the resident back."""
    now = utcnow()
    values = {"status": S.fixing.value, "called_back_at": now, "call_back_note": note}
    rect = await _step(session, principal, rect_id, (S.awaiting_call_back,), "call_back", values)
    await notify_resident(session, await _review_of(session, rect), "已回访", note, "call_back")
    return rectification_public(rect)


async def fix(
    session: AsyncSession, principal: Principal, rect_id: uuid.UUID, description: str
) -> RectificationPublic:
    """整改完成: the supplier describes the fix; the resident is asked for a verdict."""
    now = utcnow()
    values = {"status": S.awaiting_verdict.value, "fixed_at": now, "fix_description": description}
    rect = await _step(session, principal, rect_id, (S.fixing,), "fix", values)
    review = await _review_of(session, rect)
    await notify_resident(
        session, review, "待评价", "整改已完成，请评价整改结果", f"fix:{rect.unsatisfied_count}"
    )
    return rectification_public(rect)


async def give_verdict(
    session: AsyncSession, principal: Principal, rect_id: uuid.UUID, body: VerdictBody
) -> RectificationPublic:
    """The resident rates the fix: 满意 / 基本满意 close it; 不满意 escalates (operator, then street)."""
    rect, scope = await rectification_in_scope(session, principal, rect_id)
    if scope.resident_id != rect.resident_id:
        raise RectificationNotFound()
    rules = await rules_for(session, rect.facility_id)
    await limit_writes(principal.id, rules)
    now = utcnow()
    values: dict[str, Any] = {
        "verdict": body.verdict.value,
        "verdict_comment": body.comment,
        "verdict_at": now,
    }
    if body.verdict != Verdict.unsatisfied:
        values["status"] = S.closed.value
    elif rect.unsatisfied_count == 0:
        fix_due = await deadline(session, now, rules.fix_working_days)
        values.update(
            status=S.fixing.value,
            unsatisfied_count=1,
            # An overdue step may already have sent it to the street office: never back down.
            escalated_to=rect.escalated_to or EscalatedTo.operator.value,
            escalated_at=now,
            fix_due_at=fix_due.at,
            fix_provisional=fix_due.provisional,
        )
    else:
        values.update(
            status=S.escalated.value,
            unsatisfied_count=rect.unsatisfied_count + 1,
            escalated_to=EscalatedTo.street.value,
            escalated_at=now,
        )
    done = await rect_repo.update_rectification(
        session,
        rect_id,
        rect_t.c.status == S.awaiting_verdict.value,
        rect_t.c.unsatisfied_count == rect.unsatisfied_count,
        **values,
        updated_at=now,
    )
    if not done:
        raise RectificationStepNotAllowed(extra={"status": rect.status})
    await record(session, principal, "verdict", "rectification", rect_id, values)
    fresh = await rect_repo.get_rectification(session, rect_id)
    assert fresh is not None
    if fresh.status == S.fixing.value:
        await notify_staff(
            session, fresh, "再次整改", fresh.fix_due_at, "居民对整改不满意，请重新整改", "again"
        )
    elif fresh.status == S.escalated.value:
        await notify_staff(
            session, fresh, "街道督办", now, "居民两次不满意，已转街道督办", "street", street=True
        )
    return rectification_public(fresh)


async def get(session: AsyncSession, principal: Principal, rect_id: uuid.UUID) -> RectificationPublic:
    rect, _ = await rectification_in_scope(session, principal, rect_id)
    return rectification_public(rect)


async def list_for_staff(
    session: AsyncSession,
    principal: Principal,
    *,
    status: RectificationStatus | None,
    overdue: bool | None,
    cursor: str | None,
    limit: int,
) -> Page[RectificationPublic]:
    from backend.reviews.service.common import scope_of

    scope = await scope_of(session, principal)
    conditions: list[sa.ColumnElement[bool]] = [
        scope.service_filter(rect_t.c.facility_id, rect_t.c.supplier_id)
    ]
    if status is not None:
        conditions.append(rect_t.c.status == status.value)
    if overdue is not None:
        late = rect_repo.overdue_condition(utcnow())
        conditions.append(late if overdue else sa.not_(late))
    rows = await rect_repo.list_rectifications(session, conditions, keyset_after(cursor), limit)
    page, next_cursor = keyset_page(rows, limit)
    return Page(items=[rectification_public(r) for r in page], next_cursor=next_cursor)


async def escalate_overdue(session: AsyncSession, now: datetime) -> dict[str, int]:
    """The job: each overdue step goes to the street office once (the conditional update makes a second
    tick, or a concurrent one, a no-op)."""
    escalated = 0
    for rect in await rect_repo.newly_overdue(session, now):
        step = "call_back" if rect.status == S.awaiting_call_back.value else "fix"
        done = await rect_repo.update_rectification(
            session,
            rect.id,
            sa.or_(rect_t.c.escalated_to.is_(None), rect_t.c.escalated_to != EscalatedTo.street.value),
            escalated_to=EscalatedTo.street.value,
            escalated_at=now,
            overdue_step=step,
            overdue_at=now,
            updated_at=now,
        )
        if done:
            escalated += 1
            await record(session, None, "escalate_overdue", "rectification", rect.id, {"step": step})
            review = await _review_of(session, rect)
            await notify_resident(session, review, "已升级", "整改逾期，已转街道督办", "overdue")
            missed = rect.call_back_due_at if step == "call_back" else rect.fix_due_at
            await notify_staff(
                session, rect, "街道督办", missed, "整改逾期，已转街道督办", "overdue", street=True
            )
    return {"escalated": escalated}


async def close(
    session: AsyncSession, principal: Principal, rect_id: uuid.UUID, body: RectificationClose
) -> RectificationPublic:
    """The street office closes a rectification it has (escalated to the street: two 不满意 verdicts, or a
    step overdue), with its conclusion (督办结论). A regulator over the facility or an admin decides, never
    the operator or the supplier; the resident is told."""
    rect, scope = await rectification_in_scope(session, principal, rect_id)
    if not scope.may_decide_for_facility(rect.facility_id):
        raise NotDecider()
    now = utcnow()
    values = {"status": S.closed.value, "closed_by": principal.id, "closed_at": now, "close_note": body.note}
    done = await rect_repo.update_rectification(
        session,
        rect_id,
        rect_t.c.escalated_to == EscalatedTo.street.value,
        rect_t.c.status != S.closed.value,
        **values,
        updated_at=now,
    )
    if not done:
        raise RectificationStepNotAllowed(extra={"status": rect.status, "escalated_to": rect.escalated_to})
    await record(
        session, principal, "close", "rectification", rect_id, {"note": body.note, "from": rect.status}
    )
    await notify_resident(session, await _review_of(session, rect), "已办结", body.note, "closed")
    fresh = await rect_repo.get_rectification(session, rect_id)
    assert fresh is not None
    return rectification_public(fresh)
