"""A complaint's moves (see `rules.MOVES`): replies, the resident's confirmation and escalation, mediation,
and the job's overdue escalation and closing.

Order of checks: visible to the caller (else 404), the caller's turn (else 403 `not_complaint_handler`),
legal from the current state (else 409 `complaint_state_conflict`). A move is a conditional UPDATE on the
status and level that were read, so of two concurrent moves from the same state exactly one wins; the other
is a 409 (two concurrent escalations make one). Every move writes a `complaint_event` with its actor and time;
replies are rows of their own. Nothing is deleted.

Who acts: at level `none` the supplier's staff (the operator's staff when no supplier is named); at level
`operator` the operator's staff; at level `street` a regulator over the facility (or an admin) mediates.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.complaints import figures, views
from backend.complaints import repository as repo
from backend.complaints.errors import IllegalComplaintMove, NotComplaintHandler
from backend.complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintReply,
    ComplaintStatus,
    Escalation,
    MediationOutcome,
    ReplyKind,
)
from backend.complaints.rules import Move, is_legal, next_level
from backend.complaints.schemas import (
    ComplaintDetail,
    ConfirmRequest,
    EscalateRequest,
    MediationCreate,
    ReplyCreate,
)
from backend.complaints.service import deadlines, rules_for, visible_complaint
from backend.core.access import Principal
from backend.core.clock import utcnow
from backend.core.scope import Scope
from backend.notifications import messages
from backend.notifications.service import MessageKind, enqueue
from backend.workdays.queries import add_working_days

SYSTEM = "system"


def _handles(scope: Scope, c: Complaint) -> bool:
    if c.escalation == Escalation.none and c.supplier_id is not None:
        return scope.acts_for_service(c.supplier_id)
    if c.escalation in (Escalation.none, Escalation.operator):
        return scope.acts_for_operator(c.operator_id)
    return False


def may_mediate(scope: Scope, c: Complaint) -> bool:
    """The street office's decisions on a complaint (mediation, moderating its text): a regulator over the
    facility (the supplier for a supplier-only complaint), or an admin."""
    if c.facility_id is not None:
        return scope.may_decide_for_facility(c.facility_id)
    return scope.may_decide_for_supplier(c.supplier_id)


async def apply(
    session: AsyncSession,
    c: Complaint,
    move: Move,
    values: dict[str, Any],
    *,
    actor_role: str,
    actor_id: uuid.UUID | None,
    note: str | None = None,
    now: datetime,
) -> bool:
    """Make `move` if the complaint is still where it was read; record it. False when someone moved first."""
    if not is_legal(move, c.status, c.escalation):
        raise IllegalComplaintMove(extra={"complaint_status": c.status, "escalation": c.escalation})
    values = {**values, "updated_at": now}
    if not await repo.change(session, c.id, [c.status], [c.escalation], values):
        return False
    event = ComplaintEvent(
        complaint_id=c.id,
        action=move.value,
        from_status=c.status,
        to_status=values.get("status", c.status),
        escalation=values.get("escalation", c.escalation),
        actor_role=actor_role,
        actor_id=actor_id,
        note=note,
        at=now,
    )
    await repo.add(session, event)
    await figures.invalidate(session, c)
    return True


async def _notify(session: AsyncSession, c: Complaint, phrase: str, note: str, key: str) -> None:
    if c.resident_id is None:
        return
    await enqueue(
        session,
        c.resident_id,
        MessageKind.complaint_update,
        messages.complaint_data(c.number, phrase, note),
        page=messages.complaint_page(c.id),
        dedupe_key=f"complaint:{c.id}:{key}",
    )


async def _escalation_values(session: AsyncSession, c: Complaint, now: datetime) -> dict[str, Any]:
    level = next_level(c.escalation)
    rules = await rules_for(session, c.facility_id, c.operator_id)
    days = rules.mediation_working_days if level == Escalation.street else rules.answer_days(c.urgent)
    due = await add_working_days(session, now, days)
    ack, _ = await deadlines(session, rules, c.urgent, now)
    return {
        "status": ComplaintStatus.escalated.value,
        "escalation": level.value,
        "escalated_at": now,
        "acknowledge_due_at": ack.at,
        "answer_due_at": due.at,
        "deadlines_provisional": c.deadlines_provisional or due.provisional or ack.provisional,
        "confirm_due_at": None,
        "overdue_at": None,
        "acknowledge_overdue_at": None,
    }


async def _done(session: AsyncSession, principal: Principal, c: Complaint) -> ComplaintDetail:
    fresh = await repo.get(session, c.id)
    assert fresh is not None
    return await views.detail(session, fresh, staff=principal.is_staff)


def _conflict() -> IllegalComplaintMove:
    return IllegalComplaintMove()  # moved by someone else since we read it


async def _move_or_conflict(
    session: AsyncSession,
    actor: Principal,
    c: Complaint,
    move: Move,
    values: dict[str, Any],
    *,
    now: datetime,
    note: str | None = None,
    then: Callable[[], Awaitable[None]] | None = None,
) -> ComplaintDetail:
    """A caller's move: applied as `actor` (else 409: someone moved first), then `then` (what goes with the
    move in its transaction), then the complaint as the caller sees it now."""
    ok = await apply(
        session, c, move, values, actor_role=actor.role.value, actor_id=actor.id, note=note, now=now
    )
    if not ok:
        raise _conflict()
    if then is not None:
        await then()
    return await _done(session, actor, c)


async def reply(
    session: AsyncSession, staff: Principal, complaint_id: uuid.UUID, body: ReplyCreate
) -> ComplaintDetail:
    """Acknowledge (受理) or answer (答复) as the complaint's current handler."""
    scope, c = await visible_complaint(session, staff, complaint_id)
    if not _handles(scope, c):
        raise NotComplaintHandler()
    now = utcnow()
    move = Move.acknowledge if body.kind == ReplyKind.acknowledge else Move.answer
    if move == Move.acknowledge:
        values: dict[str, Any] = {"status": ComplaintStatus.acknowledged.value}
        if c.acknowledged_at is None:
            values["acknowledged_at"] = now
    else:
        rules = await rules_for(session, c.facility_id, c.operator_id)
        values = {
            "status": ComplaintStatus.answered.value,
            "answered_at": now,
            "first_answered_at": c.first_answered_at or now,
            "confirm_due_at": now + timedelta(days=rules.confirm_days),
            "overdue_at": None,
        }
    reply_row = ComplaintReply(
        complaint_id=c.id,
        kind=body.kind.value,
        level=c.escalation,
        by_role=staff.role.value,
        by_id=staff.id,
        text=body.text,
        at=now,
    )

    async def then() -> None:
        await repo.add(session, reply_row)
        if move == Move.answer:
            await _notify(session, c, "已答复", "请查看答复并确认", f"answered:{now.isoformat()}")

    return await _move_or_conflict(session, staff, c, move, values, now=now, then=then)


async def confirm(
    session: AsyncSession, resident: Principal, complaint_id: uuid.UUID, body: ConfirmRequest
) -> ComplaintDetail:
    """The resident accepts the answer (resolved) or rejects it (escalated one level)."""
    _, c = await visible_complaint(session, resident, complaint_id)
    now = utcnow()
    if body.accepted:
        values: dict[str, Any] = {
            "status": ComplaintStatus.resolved.value,
            "resolved_at": now,
            "confirm_due_at": None,
        }
        move = Move.accept
    else:
        if not is_legal(Move.reject, c.status, c.escalation):
            raise IllegalComplaintMove(extra={"complaint_status": c.status, "escalation": c.escalation})
        values, move = await _escalation_values(session, c, now), Move.reject
    return await _move_or_conflict(session, resident, c, move, values, now=now, note=body.comment)


async def escalate(
    session: AsyncSession, resident: Principal, complaint_id: uuid.UUID, body: EscalateRequest
) -> ComplaintDetail:
    """The resident takes the complaint one level up: to the operator, then to the street office."""
    _, c = await visible_complaint(session, resident, complaint_id)
    if not is_legal(Move.escalate, c.status, c.escalation):
        raise IllegalComplaintMove(extra={"complaint_status": c.status, "escalation": c.escalation})
    now = utcnow()
    values = await _escalation_values(session, c, now)
    return await _move_or_conflict(session, resident, c, Move.escalate, values, now=now, note=body.reason)


async def mediate(
    session: AsyncSession, staff: Principal, complaint_id: uuid.UUID, body: MediationCreate
) -> ComplaintDetail:
    """The street office records a mediation (调解, Wuhan art. 15) and closes the complaint."""
    scope, c = await visible_complaint(session, staff, complaint_id)
    if not may_mediate(scope, c):
        raise NotComplaintHandler()
    now = utcnow()
    values = {
        "status": ComplaintStatus.mediated.value,
        "resolved_at": now,
        "mediation_outcome": body.outcome.value,
        "mediation_agreement": body.agreement,
        "mediated_on": body.mediated_on,
        "mediated_by": staff.id,
    }
    phrase = "已调解" if body.outcome == MediationOutcome.agreement else "调解不成"

    async def then() -> None:
        await _notify(session, c, phrase, "街道已记录调解结果", "mediated")

    return await _move_or_conflict(
        session, staff, c, Move.mediate, values, now=now, note=body.outcome.value, then=then
    )


# ---------------------------------------------------------------- the job


async def escalate_overdue(session: AsyncSession, c: Complaint, now: datetime) -> str:
    """An answer past its deadline: up one level (the street office's own lateness is only marked)."""
    if c.escalation == Escalation.street:
        marked = await repo.change(
            session, c.id, [c.status], [c.escalation], {"overdue_at": now, "updated_at": now}
        )
        if marked:
            await repo.add(
                session,
                ComplaintEvent(
                    complaint_id=c.id,
                    action="mark_overdue",
                    from_status=c.status,
                    to_status=c.status,
                    escalation=c.escalation,
                    actor_role=SYSTEM,
                    note="mediation overdue",
                    at=now,
                ),
            )
            await _notify(session, c, "已超期", "街道调解已超期，正在督办", "overdue:street")
        return "marked" if marked else "skipped"
    values = await _escalation_values(session, c, now)
    ok = await apply(
        session,
        c,
        Move.auto_escalate,
        values,
        actor_role=SYSTEM,
        actor_id=None,
        note="answer overdue",
        now=now,
    )
    if ok:
        level = values["escalation"]
        await _notify(session, c, "已升级", "超期未答复，已转交上级处理", f"escalated:{level}")
    return "escalated" if ok else "skipped"


async def mark_unacknowledged(session: AsyncSession, c: Complaint, now: datetime) -> bool:
    """An acknowledgement past its deadline is marked (and shown to the handler); it does not escalate."""
    values = {"acknowledge_overdue_at": now, "updated_at": now}
    if not await repo.change(session, c.id, [c.status], [c.escalation], values):
        return False
    await repo.add(
        session,
        ComplaintEvent(
            complaint_id=c.id,
            action="mark_overdue",
            from_status=c.status,
            to_status=c.status,
            escalation=c.escalation,
            actor_role=SYSTEM,
            note="acknowledgement overdue",
            at=now,
        ),
    )
    return True


async def close_unconfirmed(session: AsyncSession, c: Complaint, now: datetime) -> bool:
    values = {"status": ComplaintStatus.closed.value, "resolved_at": now, "confirm_due_at": None}
    ok = await apply(
        session,
        c,
        Move.close_unconfirmed,
        values,
        actor_role=SYSTEM,
        actor_id=None,
        note="no confirmation: accepted",
        now=now,
    )
    if ok:
        await _notify(session, c, "已办结", "未在期限内确认，视为接受答复", "closed")
    return ok
