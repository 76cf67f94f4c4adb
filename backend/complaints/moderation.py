"""The moderation queue of complaint texts held by WeChat's text check (msg_sec_check said "review", or could
not check): a regulator over the facility (or an admin) shows the text, or withholds it with a reason. A
withheld text stays on the record and the resident sees it; the handlers see a placeholder, and the complaint
is handled as usual (a complaint is never dropped for its wording). Each decision is in the complaint's
history and the audit trail."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.service import record
from backend.complaints import repository as repo
from backend.complaints import views
from backend.complaints.errors import ModerationReasonRequired, NotComplaintModerator, TextNotHeld
from backend.complaints.models import ComplaintEvent, TextCheck
from backend.complaints.moves import may_mediate
from backend.complaints.schemas import ComplaintDetail, TextModeration
from backend.complaints.service import visible_complaint
from backend.core.access import Principal
from backend.core.clock import utcnow


async def moderate_text(
    session: AsyncSession, staff: Principal, complaint_id: uuid.UUID, body: TextModeration
) -> ComplaintDetail:
    scope, c = await visible_complaint(session, staff, complaint_id)
    if not may_mediate(scope, c):
        raise NotComplaintModerator()
    if not body.show and not body.reason:
        raise ModerationReasonRequired()
    outcome = TextCheck.approved if body.show else TextCheck.rejected
    now = utcnow()
    if not await repo.set_text_check(session, c.id, TextCheck.held, outcome, now):
        raise TextNotHeld(extra={"text_check": c.text_check})
    await repo.add(
        session,
        ComplaintEvent(
            complaint_id=c.id,
            action="moderate_text",
            from_status=c.status,
            to_status=c.status,
            escalation=c.escalation,
            actor_role=staff.role.value,
            actor_id=staff.id,
            note=body.reason or outcome.value,
            at=now,
        ),
    )
    await record(
        session, staff, "moderate_text", "complaint", c.id, {"to": outcome.value, "reason": body.reason}
    )
    fresh = await repo.get(session, c.id)
    assert fresh is not None
    return await views.detail(session, fresh, staff=True)
