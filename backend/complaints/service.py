"""Filing and reading complaints. Who sees what is the `Scope`'s answer (backend.core.scope).

- A resident files in the app (`file_complaint`): the target is a facility, a supplier or one of their own
  bookings; the text goes through WeChat's msg_sec_check (risky -> 422 and nothing stored; review or no
  verdict -> stored and held for a human, never lost).
- Staff record a phone complaint (`record_phone_complaint`) for a target in their scope; when the phone is
  bound to a resident, the complaint is in that resident's list.
- The resident sees their own complaints; staff see complaints on what their scope sees (a facility's, or a
  supplier's when no facility is named). Anything else is a 404. Phones are masked except in one
  complaint's detail for staff.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import queries as accounts
from backend.bookings import queries as bookings
from backend.catalogue import queries as catalogue
from backend.complaints import figures, views
from backend.complaints import repository as repo
from backend.complaints.errors import (
    ComplaintNotFound,
    ContentRejected,
    TargetMismatch,
    TargetNotFound,
)
from backend.complaints.models import (
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    Escalation,
    TextCheck,
)
from backend.complaints.rules import DEFAULT_RULES, ComplaintRules, is_urgent, rules_from_section
from backend.complaints.schemas import (
    ComplaintCreate,
    ComplaintDetail,
    ComplaintPublic,
    ComplaintTarget,
    PhoneComplaintCreate,
)
from backend.core.access import Principal
from backend.core.clock import to_shanghai, utcnow
from backend.core.pagination import Page, keyset_after, keyset_page
from backend.core.scope import Scope
from backend.wechat.provider import get_wechat
from backend.workdays.queries import Deadline, add_hours, add_working_days


@dataclass(frozen=True, slots=True)
class Target:
    facility_id: uuid.UUID | None
    supplier_id: uuid.UUID | None
    service_id: uuid.UUID | None
    booking_id: uuid.UUID | None
    operator_id: uuid.UUID
    booking_resident_id: uuid.UUID | None


async def rules_for(
    session: AsyncSession, facility_id: uuid.UUID | None, operator_id: uuid.UUID | None = None
) -> ComplaintRules:
    """The complaint settings in force for the facility (its district's or city's ruleset, `complaints`
    section); for a supplier-only complaint, where its operator is registered; else the defaults."""
    if facility_id is not None:
        ruleset = await catalogue.ruleset_for_facility(session, facility_id)
    elif operator_id is not None:
        ruleset = await catalogue.ruleset_for_operator(session, operator_id)
    else:
        return DEFAULT_RULES
    return rules_from_section(ruleset.document.complaints)


async def resolve_target(session: AsyncSession, target: ComplaintTarget) -> Target:
    """Check that what is named exists and belongs together; derive the service, facility and operator."""
    facility_id, supplier_id, service_id = target.facility_id, target.supplier_id, None
    booking_resident_id = None
    if target.booking_id is not None:
        booking = await bookings.booking_facts(session, target.booking_id)
        if booking is None:
            raise TargetNotFound()
        if facility_id not in (None, booking.facility_id) or supplier_id not in (None, booking.supplier_id):
            raise TargetMismatch()
        facility_id, supplier_id, service_id = booking.facility_id, booking.supplier_id, booking.service_id
        booking_resident_id = booking.resident_id
    facility = await catalogue.facility_ref(session, facility_id) if facility_id else None
    supplier = await catalogue.supplier_ref(session, supplier_id) if supplier_id else None
    if (facility_id and facility is None) or (supplier_id and supplier is None):
        raise TargetNotFound()
    operator_id = facility.operator_id if facility else supplier.operator_id if supplier else None
    assert operator_id is not None
    return Target(facility_id, supplier_id, service_id, target.booking_id, operator_id, booking_resident_id)


async def deadlines(
    session: AsyncSession, rules: ComplaintRules, urgent: bool, now: datetime
) -> tuple[Deadline, Deadline]:
    """(acknowledge by, answer by) for a complaint filed at `now`: working days end at 23:59:59 Shanghai
    (backend.workdays); the urgent acknowledgement is counted in clock hours."""
    if urgent:
        ack = add_hours(now, rules.urgent_acknowledge_hours)
    else:
        ack = await add_working_days(session, now, rules.acknowledge_working_days)
    return ack, await add_working_days(session, now, rules.answer_days(urgent))


def sees(scope: Scope, c: Complaint) -> bool:
    if scope.resident_id is not None:
        return c.resident_id == scope.resident_id
    if c.facility_id is not None:
        return scope.sees_service(c.facility_id, c.supplier_id)
    return scope.sees_supplier(c.supplier_id)


def _sees_target(scope: Scope, t: Target) -> bool:
    if t.facility_id is not None:
        return scope.sees_service(t.facility_id, t.supplier_id)
    return scope.sees_supplier(t.supplier_id)


async def _text_check(session: AsyncSession, resident_id: uuid.UUID, text: str) -> tuple[TextCheck, int]:
    contact = await accounts.resident_facts(session, resident_id)
    if contact is None:
        return TextCheck.held, 0
    verdict = await get_wechat().msg_sec_check(contact.openid, text)
    if verdict.suggest == "risky":
        raise ContentRejected(extra={"label": verdict.label})
    return (TextCheck.passed if verdict.suggest == "pass" else TextCheck.held), verdict.label


async def _number(session: AsyncSession, now: datetime) -> str:
    day = to_shanghai(now).date()
    n = await repo.next_number(session, day)
    return f"TS{day:%Y%m%d}{n:04d}"


async def _create(
    session: AsyncSession,
    target: Target,
    *,
    category: str,
    text: str,
    resident_id: uuid.UUID | None,
    actor: Principal,
    channel: Channel,
    check: TextCheck,
    label: int | None,
    phone: str | None = None,
) -> Complaint:
    now = utcnow()
    urgent = is_urgent(category)
    rules = await rules_for(session, target.facility_id, target.operator_id)
    ack, answer = await deadlines(session, rules, urgent, now)
    complaint = Complaint(
        number=await _number(session, now),
        channel=channel.value,
        resident_id=resident_id,
        phone=phone,
        recorded_by=actor.id if channel == Channel.phone else None,
        category=category,
        urgent=urgent,
        text=text,
        text_check=check.value,
        text_label=label,
        facility_id=target.facility_id,
        supplier_id=target.supplier_id,
        service_id=target.service_id,
        booking_id=target.booking_id,
        operator_id=target.operator_id,
        deadlines_provisional=ack.provisional or answer.provisional,
        acknowledge_due_at=ack.at,
        answer_due_at=answer.at,
        first_answer_due_at=answer.at,
        created_at=now,
        updated_at=now,
    )
    event = ComplaintEvent(
        complaint_id=complaint.id,
        action="file" if channel == Channel.app else "record_phone",
        to_status=ComplaintStatus.submitted.value,
        escalation=Escalation.none.value,
        actor_role=actor.role.value,
        actor_id=actor.id,
        at=now,
    )
    await repo.add(session, complaint)
    await repo.add(session, event)
    await figures.invalidate(session, complaint)
    return complaint


async def file_complaint(
    session: AsyncSession, resident: Principal, body: ComplaintCreate
) -> ComplaintPublic:
    target = await resolve_target(session, body.target)
    if target.booking_id is not None and target.booking_resident_id != resident.id:
        raise TargetNotFound()  # another resident's booking: as if it did not exist
    check, label = await _text_check(session, resident.id, body.text)
    complaint = await _create(
        session,
        target,
        category=body.category.value,
        text=body.text,
        resident_id=resident.id,
        actor=resident,
        channel=Channel.app,
        check=check,
        label=label,
    )
    return await views.public(session, complaint, staff=False)


async def record_phone_complaint(
    session: AsyncSession, staff: Principal, body: PhoneComplaintCreate
) -> ComplaintDetail:
    scope = await catalogue.resolve_scope(session, staff)
    target = await resolve_target(session, body.target)
    scope.require(_sees_target(scope, target), TargetNotFound())
    bound = await accounts.resident_ids_by_phone(session, body.phone)
    resident_id = target.booking_resident_id or (bound[0] if bound else None)
    complaint = await _create(
        session,
        target,
        category=body.category.value,
        text=body.text,
        resident_id=resident_id,
        actor=staff,
        channel=Channel.phone,
        check=TextCheck.staff_recorded,
        label=None,
        phone=body.phone,
    )
    return await views.detail(session, complaint, staff=True)


async def visible_complaint(
    session: AsyncSession, principal: Principal, complaint_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Scope, Complaint]:
    scope = await catalogue.resolve_scope(session, principal)
    complaint = await repo.get(session, complaint_id, for_update=for_update)
    scope.require(complaint is not None and sees(scope, complaint), ComplaintNotFound())
    assert complaint is not None
    return scope, complaint


async def get_complaint(
    session: AsyncSession, principal: Principal, complaint_id: uuid.UUID
) -> ComplaintDetail:
    _, complaint = await visible_complaint(session, principal, complaint_id)
    return await views.detail(session, complaint, staff=principal.is_staff)


async def list_mine(
    session: AsyncSession, resident: Principal, cursor: str | None, limit: int
) -> Page[ComplaintPublic]:
    rows = await repo.list_for_resident(session, resident.id, keyset_after(cursor), limit)
    items, next_cursor = keyset_page(rows, limit)
    return Page(items=await views.many(session, items, staff=False), next_cursor=next_cursor)


async def list_for_staff(
    session: AsyncSession,
    staff: Principal,
    *,
    status: str | None,
    category: str | None,
    overdue: bool | None,
    cursor: str | None,
    limit: int,
    text_held: bool | None = None,
) -> Page[ComplaintPublic]:
    scope = await catalogue.resolve_scope(session, staff)
    visible = repo.visible_condition(
        scope.service_filter(Complaint.facility_id, Complaint.supplier_id),
        scope.supplier_filter(Complaint.supplier_id),
    )
    rows = await repo.list_for_staff(
        session,
        visible,
        status=status,
        category=category,
        overdue=overdue,
        now=utcnow(),
        after=keyset_after(cursor),
        limit=limit,
        text_held=text_held,
    )
    items, next_cursor = keyset_page(rows, limit)
    return Page(items=await views.many(session, items, staff=True), next_cursor=next_cursor)
