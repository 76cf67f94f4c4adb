"""Residents' hazard reports (安全隐患, Baotou art. 41).

A resident reports a hazard at a facility; the text goes through WeChat's msg_sec_check like a review's:
`pass` → open, the operator answers within the ruleset's working days; `review` (or no verdict: an error, a
timeout) → held for a regulator over the facility, who accepts it (the deadline starts then) or rejects it;
`risky` → refused with a clear message and nothing stored. An open report past its deadline goes to the
street office (the `oversight.escalate_hazards` job). Reports are never public: the resident sees their own,
staff see those of the facilities in their scope.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.service import get_active_resident
from backend.catalogue.errors import FacilityNotFound
from backend.catalogue.queries import facility_ref
from backend.core.access import Principal
from backend.core.clock import utcnow
from backend.core.pagination import Page, keyset_after
from backend.oversight import repository as repo
from backend.oversight.common import FacilityQuery, facility_records, page_of, record_for
from backend.oversight.errors import ContentRejected, HazardNotFound, HazardStateConflict
from backend.oversight.models import Hazard, HazardStatus
from backend.oversight.rules import rules_for_facility
from backend.oversight.schemas import HazardAnswer, HazardCreate, HazardModeration, HazardView
from backend.wechat.provider import get_wechat
from backend.workdays.queries import add_working_days


async def _start_clock(session: AsyncSession, hazard: Hazard, start: datetime) -> None:
    rules = await rules_for_facility(session, hazard.facility_id)
    deadline = await add_working_days(session, start, rules.hazard_answer_working_days)
    hazard.answer_due_at, hazard.deadline_provisional = deadline.at, deadline.provisional


async def report(session: AsyncSession, principal: Principal, body: HazardCreate) -> HazardView:
    if await facility_ref(session, body.facility_id) is None:
        raise FacilityNotFound()
    resident = await get_active_resident(session, principal.id)
    verdict = await get_wechat().msg_sec_check(resident.openid, body.text)
    if verdict.suggest == "risky":
        raise ContentRejected(extra={"label": verdict.label})
    now = utcnow()
    hazard = Hazard(
        facility_id=body.facility_id,
        resident_id=principal.id,
        text=body.text,
        status=HazardStatus.open if verdict.suggest == "pass" else HazardStatus.pending_moderation,
        check_suggest=verdict.suggest,
        check_label=verdict.label,
    )
    if hazard.status == HazardStatus.open:
        await _start_clock(session, hazard, now)
    session.add(hazard)
    await session.flush()
    await repo.add_event(session, "hazard", hazard.id, "reported", principal, at=now)
    return HazardView.model_validate(hazard)


async def list_mine(
    session: AsyncSession, principal: Principal, cursor: str | None, limit: int
) -> Page[HazardView]:
    rows = await repo.list_for_resident(session, principal.id, keyset_after(cursor), limit)
    return page_of(rows, limit, HazardView.model_validate)


async def list_for_staff(
    session: AsyncSession, principal: Principal, q: FacilityQuery, status: HazardStatus | None
) -> Page[HazardView]:
    conditions = [Hazard.status == status.value] if status is not None else []
    rows, scope = await facility_records(session, principal, Hazard, q, *conditions)
    # Held texts are for the moderators only: others see that a report waits, not what it says.
    return page_of(rows, q.limit, lambda r: _staff_view(scope.may_decide_for_facility(r.facility_id), r))


def _staff_view(moderates: bool, row: Hazard) -> HazardView:
    view = HazardView.model_validate(row)
    if row.status in (HazardStatus.pending_moderation, HazardStatus.rejected) and not moderates:
        view.text = ""
    return view


async def _hazard_for(
    session: AsyncSession, principal: Principal, hazard_id: uuid.UUID
) -> tuple[Hazard, bool, bool]:
    """The hazard (locked), whether the caller may answer it, and whether they may moderate it."""
    row, scope = await record_for(
        session, principal, Hazard, hazard_id, lambda s, r: s.sees_facility(r.facility_id), HazardNotFound()
    )
    return row, scope.may_change_facility(row.facility_id), scope.may_decide_for_facility(row.facility_id)


async def answer(
    session: AsyncSession, principal: Principal, hazard_id: uuid.UUID, body: HazardAnswer
) -> HazardView:
    """The operator answers (or, once it was escalated, the street office does)."""
    row, may_answer, _ = await _hazard_for(session, principal, hazard_id)
    if not may_answer:
        raise HazardNotFound()
    if row.status not in (HazardStatus.open, HazardStatus.escalated):
        raise HazardStateConflict()
    now = utcnow()
    row.status, row.answer, row.answered_at, row.answered_by = (
        HazardStatus.answered,
        body.answer,
        now,
        principal.id,
    )
    session.add(row)
    await session.flush()
    await repo.add_event(session, "hazard", row.id, "answered", principal, body.answer, at=now)
    return HazardView.model_validate(row)


async def moderate(
    session: AsyncSession, principal: Principal, hazard_id: uuid.UUID, body: HazardModeration
) -> HazardView:
    row, _, may_moderate = await _hazard_for(session, principal, hazard_id)
    if not may_moderate:
        raise HazardNotFound()
    if row.status != HazardStatus.pending_moderation:
        raise HazardStateConflict()
    now = utcnow()
    if body.accept:
        row.status = HazardStatus.open
        await _start_clock(session, row, now)
    else:
        row.status = HazardStatus.rejected
    session.add(row)
    await session.flush()
    await repo.add_event(
        session, "hazard", row.id, "accepted" if body.accept else "rejected", principal, body.reason, at=now
    )
    return HazardView.model_validate(row)


async def escalate_overdue(session: AsyncSession, now: datetime) -> int:
    """Open reports past their deadline go to the street office (status `escalated`); returns how many."""
    rows = await repo.overdue_hazards(session, now)
    at = utcnow()  # `now` is the job's tick; the record keeps when it really happened
    for row in rows:
        row.status, row.escalated_at = HazardStatus.escalated, at
        session.add(row)
        await repo.add_event(session, "hazard", row.id, "escalated", None, "overdue", at=at)
    await session.flush()
    return len(rows)
