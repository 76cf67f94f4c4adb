"""HTTP routes of the complaints domain (CONTRACT.md: complaint paths). Creating routes accept
`Idempotency-Key` (`backend.core.idempotency`), declared before `SessionDep`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from backend.complaints import moderation, moves, service
from backend.complaints.models import ComplaintCategory
from backend.complaints.schemas import (
    ComplaintCreate,
    ComplaintDetail,
    ComplaintPublic,
    ConfirmRequest,
    EscalateRequest,
    MediationCreate,
    PhoneComplaintCreate,
    ReplyCreate,
    StatusFilter,
    TextModeration,
)
from backend.core.access import (
    ANY_STAFF,
    RESIDENTS,
    AnyStaff,
    Oversight,
    Resident,
    ResidentOrStaff,
    ServiceStaff,
)
from backend.core.database import SessionDep
from backend.core.idempotency import Idempotency, idempotent
from backend.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page

router = APIRouter(tags=["complaints"])

Staff = AnyStaff
Handler = ServiceStaff
Mediator = Oversight
Reader = ResidentOrStaff
ResidentCreate = Annotated[Idempotency, Depends(idempotent(RESIDENTS), scope="function")]
StaffCreate = Annotated[Idempotency, Depends(idempotent(ANY_STAFF), scope="function")]


@router.post("/complaints", response_model=ComplaintPublic, status_code=201)
async def file_complaint(
    body: ComplaintCreate, idem: ResidentCreate, resident: Resident, session: SessionDep
) -> Any:
    """A resident's complaint about a facility, a supplier or one of their bookings. 422 `content_rejected`
    when WeChat finds the text risky; a text it cannot check is kept and held for a human."""
    return await idem.run(session, lambda: service.file_complaint(session, resident, body))


@router.post("/complaints/phone", response_model=ComplaintDetail, status_code=201)
async def record_phone_complaint(
    body: PhoneComplaintCreate, idem: StaffCreate, staff: Staff, session: SessionDep
) -> Any:
    """A complaint taken on the phone, about a target in the caller's scope."""
    return await idem.run(session, lambda: service.record_phone_complaint(session, staff, body))


@router.get("/me/complaints", response_model=Page[ComplaintPublic])
async def list_my_complaints(
    resident: Resident, session: SessionDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[ComplaintPublic]:
    """The resident's complaints (theirs, and phone complaints from their bound phone), newest first."""
    return await service.list_mine(session, resident, cursor, limit)


@router.get("/complaints", response_model=Page[ComplaintPublic])
async def list_complaints(
    staff: Staff,
    session: SessionDep,
    status: StatusFilter | None = None,
    overdue: bool | None = None,
    category: ComplaintCategory | None = None,
    text_held: bool | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[ComplaintPublic]:
    """Complaints in the caller's scope, newest first; phones masked. `overdue`: the answer is late;
    `text_held=true`: the moderation queue (texts WeChat's check held for a human)."""
    return await service.list_for_staff(
        session,
        staff,
        status=status,
        category=category.value if category else None,
        overdue=overdue,
        cursor=cursor,
        limit=limit,
        text_held=text_held,
    )


@router.post("/complaints/{complaint_id}/text-moderation", response_model=ComplaintDetail)
async def moderate_complaint_text(
    complaint_id: uuid.UUID, body: TextModeration, staff: Mediator, session: SessionDep
) -> ComplaintDetail:
    """Show a held text, or withhold it with a reason (a regulator over the facility, or an admin; 403
    `not_complaint_moderator`, 409 `complaint_text_not_held`). The complaint is handled either way."""
    return await moderation.moderate_text(session, staff, complaint_id, body)


@router.get("/complaints/{complaint_id}", response_model=ComplaintDetail)
async def get_complaint(complaint_id: uuid.UUID, caller: Reader, session: SessionDep) -> ComplaintDetail:
    """One complaint with its replies and history: its resident, or staff in scope (else 404)."""
    return await service.get_complaint(session, caller, complaint_id)


@router.post("/complaints/{complaint_id}/replies", response_model=ComplaintDetail)
async def reply_to_complaint(
    complaint_id: uuid.UUID, body: ReplyCreate, staff: Handler, session: SessionDep
) -> ComplaintDetail:
    """Acknowledge or answer as the current handler (the supplier; the operator for facility-level
    complaints and after escalation). 403 `not_complaint_handler`, 409 `complaint_state_conflict`."""
    return await moves.reply(session, staff, complaint_id, body)


@router.post("/complaints/{complaint_id}/confirm", response_model=ComplaintDetail)
async def confirm_complaint(
    complaint_id: uuid.UUID, body: ConfirmRequest, resident: Resident, session: SessionDep
) -> ComplaintDetail:
    """Accept the answer (resolved) or reject it (escalated one level)."""
    return await moves.confirm(session, resident, complaint_id, body)


@router.post("/complaints/{complaint_id}/escalate", response_model=ComplaintDetail)
async def escalate_complaint(
    complaint_id: uuid.UUID, body: EscalateRequest, resident: Resident, session: SessionDep
) -> ComplaintDetail:
    """One level up: to the operator, then to the street office (409 beyond it)."""
    return await moves.escalate(session, resident, complaint_id, body)


@router.post("/complaints/{complaint_id}/mediation", response_model=ComplaintDetail)
async def record_mediation(
    complaint_id: uuid.UUID, body: MediationCreate, staff: Mediator, session: SessionDep
) -> ComplaintDetail:
    """The street office (a regulator over the facility) records the mediation and closes the complaint."""
    return await moves.mediate(session, staff, complaint_id, body)
