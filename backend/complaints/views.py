"""Complaint rows -> API shapes. The full phone only in one complaint's detail for staff; lists mask it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.complaints import repository as repo
from backend.complaints.models import (
    AWAITING_ACKNOWLEDGEMENT,
    AWAITING_ANSWER,
    Complaint,
    ComplaintReply,
    TextCheck,
)
from backend.complaints.schemas import (
    ComplaintDetail,
    ComplaintPublic,
    EventPublic,
    MediationPublic,
    ReplyPublic,
    TargetPublic,
)
from backend.core.clock import utcnow
from backend.core.crypto import mask_phone

WITHHELD = "（该投诉内容经审核不予显示，投诉照常办理）"


def _fields(c: Complaint, replies: Sequence[ComplaintReply], staff: bool) -> dict[str, object]:
    now = utcnow()
    withheld = c.text_check == TextCheck.rejected.value
    mediation = None
    if c.mediation_outcome is not None and c.mediated_on is not None:
        mediation = MediationPublic(
            outcome=c.mediation_outcome,  # type: ignore[arg-type]
            agreement=c.mediation_agreement or "",
            mediated_on=c.mediated_on,
        )
    return {
        "id": c.id,
        "number": c.number,
        "status": c.status,
        "category": c.category,
        "urgent": c.urgent,
        "channel": c.channel,
        "target": TargetPublic(
            facility_id=c.facility_id,
            supplier_id=c.supplier_id,
            booking_id=c.booking_id,
            service_id=c.service_id,
            operator_id=c.operator_id,
        ),
        "text": WITHHELD if staff and withheld else c.text,
        "text_held": c.text_check == TextCheck.held.value,
        "text_withheld": withheld,
        "phone_masked": mask_phone(c.phone),
        "acknowledge_due_at": c.acknowledge_due_at,
        "answer_due_at": c.answer_due_at,
        "deadlines_provisional": c.deadlines_provisional,
        "confirm_due_at": c.confirm_due_at,
        "overdue": c.status in AWAITING_ANSWER and c.answer_due_at < now,
        "acknowledge_overdue": c.acknowledge_overdue_at is not None and c.status in AWAITING_ACKNOWLEDGEMENT,
        "escalation": c.escalation,
        "replies": [
            ReplyPublic(kind=r.kind, by_role=r.by_role, level=r.level, text=r.text, at=r.at)  # type: ignore[arg-type]
            for r in replies
        ],
        "mediation": mediation,
        "created_at": c.created_at,
        "resolved_at": c.resolved_at,
    }


async def public(session: AsyncSession, c: Complaint, *, staff: bool) -> ComplaintPublic:
    return ComplaintPublic.model_validate(_fields(c, await repo.replies(session, [c.id]), staff))


async def many(session: AsyncSession, rows: Sequence[Complaint], *, staff: bool) -> list[ComplaintPublic]:
    replies = await repo.replies(session, [c.id for c in rows])
    by_complaint: dict[object, list[ComplaintReply]] = {}
    for r in replies:
        by_complaint.setdefault(r.complaint_id, []).append(r)
    return [ComplaintPublic.model_validate(_fields(c, by_complaint.get(c.id, []), staff)) for c in rows]


async def detail(session: AsyncSession, c: Complaint, *, staff: bool) -> ComplaintDetail:
    fields = _fields(c, await repo.replies(session, [c.id]), staff)
    if staff:
        fields["phone"] = c.phone
    fields["history"] = [
        EventPublic(
            action=e.action,
            from_status=e.from_status,  # type: ignore[arg-type]
            to_status=e.to_status,  # type: ignore[arg-type]
            escalation=e.escalation,  # type: ignore[arg-type]
            actor_role=e.actor_role,
            actor_id=e.actor_id if staff else None,
            note=e.note,
            at=e.at,
        )
        for e in await repo.events(session, c.id)
    ]
    return ComplaintDetail.model_validate(fields)
