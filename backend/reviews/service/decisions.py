"""Decisions the platform or the street office takes, never the operator or the supplier: moderation of
held texts, and appeals (申诉) against reviews. Every decision is audited."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.service import record
from backend.core.access import Principal
from backend.core.clock import utcnow
from backend.core.errors import Unprocessable
from backend.core.i18n import Msg
from backend.core.pagination import Page, keyset_after, keyset_page
from backend.reviews import repository as repo
from backend.reviews import repository_appeals as appeal_repo
from backend.reviews import repository_rectifications as rect_repo
from backend.reviews.errors import (
    AlreadyAppealed,
    AppealAlreadyDecided,
    AppealNotFound,
    AppealWindowClosed,
    NotDecider,
    NotPendingModeration,
    NotYourService,
)
from backend.reviews.models import Appeal, AppealStatus, TextStatus
from backend.reviews.repository import appeal_t, review_t
from backend.reviews.rules import rules_for
from backend.reviews.schemas import (
    AppealCreate,
    AppealDecision,
    AppealPublic,
    ModerationDecision,
    StaffReview,
)
from backend.reviews.service.common import changed, notify_resident, review_in_scope, scope_of, staff_review

_TARGET_COLUMNS = {"text": "status", "reply": "reply_status", "follow_up": "follow_up_status"}


class ReasonRequired(Unprocessable):
    code = "reason_required"
    title = Msg("驳回时须填写理由", "A rejection needs a reason")


async def moderate(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, body: ModerationDecision
) -> StaffReview:
    """Publish or reject a held text. A rejected text is hidden; the level still counts."""
    review, scope = await review_in_scope(session, principal, review_id)
    if not scope.may_decide_for_facility(review.facility_id):
        raise NotDecider()
    if not body.publish and not body.reason:
        raise ReasonRequired()
    column = _TARGET_COLUMNS[body.target]
    outcome = TextStatus.published if body.publish else TextStatus.rejected
    now = utcnow()
    done = await repo.update_review(
        session,
        review_id,
        review_t.c[column] == TextStatus.pending_moderation.value,
        **{column: outcome.value},
        moderated_by=principal.id,
        moderated_at=now,
        moderation_reason=body.reason,
        updated_at=now,
    )
    if not done:
        raise NotPendingModeration()
    await record(
        session,
        principal,
        "moderate",
        "review",
        review_id,
        {"target": body.target, "to": outcome.value, "reason": body.reason},
    )
    if body.target == "reply" and body.publish and review.reply_text:
        await notify_resident(session, review, "已回复", review.reply_text, "reply")
    await changed(session, review, figures=False)
    fresh = await repo.get_review(session, review_id)
    assert fresh is not None
    return staff_review(fresh, (await rect_repo.rectifications_of(session, [review_id])).get(review_id))


def appeal_public(a: Appeal) -> AppealPublic:
    return AppealPublic(
        id=a.id,
        review_id=a.review_id,
        reason=a.reason,  # type: ignore[arg-type]
        text=a.text,
        status=a.status,  # type: ignore[arg-type]
        created_at=a.created_at,
        decided_at=a.decided_at,
        decision_reason=a.decision_reason,
    )


async def appeal(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, body: AppealCreate
) -> AppealPublic:
    """The service's supplier appeals once, within 7 days of publication."""
    review, scope = await review_in_scope(session, principal, review_id)
    if not scope.acts_for_service(review.supplier_id):
        raise NotYourService()
    rules = await rules_for(session, review.facility_id)
    now = utcnow()
    if now > review.created_at + timedelta(days=rules.appeal_window_days):
        raise AppealWindowClosed(extra={"window_days": rules.appeal_window_days})
    appeal_id = uuid.uuid4()
    inserted = await appeal_repo.insert_appeal(
        session,
        {
            "id": appeal_id,
            "created_at": now,
            "updated_at": now,
            "review_id": review.id,
            "facility_id": review.facility_id,
            "supplier_id": review.supplier_id,
            "reason": body.reason.value,
            "text": body.text,
            "status": AppealStatus.pending.value,
            "created_by": principal.id,
        },
    )
    if not inserted:
        raise AlreadyAppealed()
    await record(
        session,
        principal,
        "appeal",
        "review",
        review.id,
        {"appeal_id": str(appeal_id), "reason": body.reason.value},
    )
    created = await appeal_repo.get_appeal(session, appeal_id)
    assert created is not None
    return appeal_public(created)


async def decide_appeal(
    session: AsyncSession, principal: Principal, appeal_id: uuid.UUID, body: AppealDecision
) -> AppealPublic:
    """The street office of the facility, a regulator above it, or an admin. Upheld: the review leaves
    every score and public figure and is kept with the reason. Rejected: nothing changes."""
    found = await appeal_repo.get_appeal(session, appeal_id)
    scope = await scope_of(session, principal)
    if found is None or not scope.sees_facility(found.facility_id):
        raise AppealNotFound()
    if not scope.may_decide_for_facility(found.facility_id):
        raise NotDecider()
    now = utcnow()
    status = AppealStatus.upheld if body.upheld else AppealStatus.rejected
    done = await appeal_repo.decide_appeal(
        session,
        appeal_id,
        status=status.value,
        decided_by=principal.id,
        decided_role=principal.role.value,
        decided_at=now,
        decision_reason=body.reason,
        updated_at=now,
    )
    if not done:
        raise AppealAlreadyDecided()
    if body.upheld:
        await repo.update_review(
            session,
            found.review_id,
            counted=False,
            excluded_reason=f"申诉成立：{body.reason}"[:200],
            updated_at=now,
        )
    await record(
        session,
        principal,
        "decide_appeal",
        "review_appeal",
        appeal_id,
        {"status": status.value, "reason": body.reason},
    )
    review = await repo.get_review(session, found.review_id)
    assert review is not None
    await changed(session, review, figures=body.upheld)
    decided = await appeal_repo.get_appeal(session, appeal_id)
    assert decided is not None
    return appeal_public(decided)


async def list_appeals(
    session: AsyncSession, principal: Principal, status: AppealStatus | None, cursor: str | None, limit: int
) -> Page[AppealPublic]:
    scope = await scope_of(session, principal)
    conditions: list[sa.ColumnElement[bool]] = [
        scope.service_filter(appeal_t.c.facility_id, appeal_t.c.supplier_id)
    ]
    if status is not None:
        conditions.append(appeal_t.c.status == status.value)
    rows = await appeal_repo.list_appeals(session, conditions, keyset_after(cursor), limit)
    page, next_cursor = keyset_page(rows, limit)
    return Page(items=[appeal_public(a) for a in page], next_cursor=next_cursor)
