"""Shared by the review services: the text check, shapes, scope look-ups, notifications, cache bumps."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.queries import staff_to_notify
from backend.bookings.queries import booking_facts
from backend.catalogue.queries import facility_street, resolve_scope
from backend.core.access import Principal
from backend.core.http_cache import invalidate
from backend.core.kv import get_kv
from backend.core.scope import Scope
from backend.notifications import messages
from backend.notifications.service import MessageKind, enqueue, enqueue_many, staff_message
from backend.reviews import repository as repo
from backend.reviews import repository_rectifications as rect_repo
from backend.reviews.errors import ContentRejected, RectificationNotFound, ReviewNotFound, TooManyReviewWrites
from backend.reviews.models import Rectification, Review, TextCheckState, TextStatus
from backend.reviews.rules import ReviewRules
from backend.reviews.schemas import Dated, RectificationPublic, ReviewPublic, StaffReview
from backend.wechat.provider import get_wechat

log = logging.getLogger("backend.reviews")

# Every public figure (review summaries, satisfaction) depends on this cache namespace; every change to a
# review's level, exclusion or flag bumps it.
FIGURES_NAMESPACE = "reviews:figures"


def reviews_namespace(service_id: uuid.UUID) -> str:
    return f"reviews:service:{service_id}"


async def changed(session: AsyncSession, review: Review, *, figures: bool) -> None:
    """Drop cached public pages that show this review (and the figures when they may have moved)."""
    namespaces = [reviews_namespace(review.service_id)]
    if figures:
        namespaces.append(FIGURES_NAMESPACE)
    await invalidate(session, *namespaces)


async def check_text(openid: str, text: str) -> tuple[TextStatus, TextCheckState]:
    """WeChat msg_sec_check v2: pass -> published; review -> held; no verdict -> held (re-checked by a
    job); risky -> `ContentRejected` (the caller stores nothing)."""
    verdict = await get_wechat().msg_sec_check(openid, text)
    if not verdict.checked:
        return TextStatus.pending_moderation, TextCheckState.error
    if verdict.suggest == "risky":
        raise ContentRejected(extra={"label": verdict.label})
    if verdict.suggest == "review":
        return TextStatus.pending_moderation, TextCheckState.review
    return TextStatus.published, TextCheckState.passed


async def limit_writes(resident_id: uuid.UUID, rules: ReviewRules) -> None:
    decision = await get_kv().limiter.hit(f"review-writes:{resident_id}", rules.writes_per_hour, 3600)
    if not decision.allowed:
        raise TooManyReviewWrites(headers={"Retry-After": str(decision.retry_after)})


async def scope_of(session: AsyncSession, principal: Principal) -> Scope:
    return await resolve_scope(session, principal)


async def review_in_scope(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> tuple[Review, Scope]:
    """The review if the caller may see it (its author, or staff who see its service); else 404."""
    review = await repo.get_review(session, review_id)
    scope = await scope_of(session, principal)
    if review is None or not (
        scope.resident_id == review.resident_id or scope.sees_service(review.facility_id, review.supplier_id)
    ):
        raise ReviewNotFound()
    return review, scope


async def rectification_in_scope(
    session: AsyncSession, principal: Principal, rect_id: uuid.UUID
) -> tuple[Rectification, Scope]:
    rect = await rect_repo.get_rectification(session, rect_id)
    scope = await scope_of(session, principal)
    if rect is None or not (
        scope.resident_id == rect.resident_id or scope.sees_service(rect.facility_id, rect.supplier_id)
    ):
        raise RectificationNotFound()
    return rect, scope


def dated(text: str | None, at: datetime | None, status: str | None, *, public: bool) -> Dated | None:
    if text is None or at is None:
        return None
    if public and status != TextStatus.published.value:
        return None
    return Dated(text=text, at=at)


def rectification_public(r: Rectification) -> RectificationPublic:
    return RectificationPublic(
        id=r.id,
        review_id=r.review_id,
        status=r.status,  # type: ignore[arg-type]
        call_back_due_at=r.call_back_due_at,
        call_back_due_provisional=r.call_back_provisional,
        fix_due_at=r.fix_due_at,
        fix_due_provisional=r.fix_provisional,
        called_back_at=r.called_back_at,
        call_back_note=r.call_back_note,
        fixed_at=r.fixed_at,
        fix_description=r.fix_description,
        verdict=r.verdict,  # type: ignore[arg-type]
        verdict_comment=r.verdict_comment,
        escalated_to=r.escalated_to,  # type: ignore[arg-type]
        overdue_step=r.overdue_step,
        closed_at=r.closed_at,
        close_note=r.close_note,
        service_id=r.service_id,
        facility_id=r.facility_id,
        supplier_id=r.supplier_id,
        created_at=r.created_at,
    )


def review_public(review: Review, rect: Rectification | None) -> ReviewPublic:
    """The author's view: their own text whatever its status; the reply and follow-up once published
    (their own follow-up always)."""
    return ReviewPublic(
        id=review.id,
        booking_id=review.booking_id,
        service_id=review.service_id,
        level=review.level,
        tags=list(review.tags),
        text=review.text,
        status=review.status,  # type: ignore[arg-type]
        counted=review.counted,
        excluded_reason=review.excluded_reason,
        created_at=review.created_at,
        reply=dated(review.reply_text, review.reply_at, review.reply_status, public=True),
        follow_up=dated(review.follow_up_text, review.follow_up_at, review.follow_up_status, public=False),
        rectification=rectification_public(rect) if rect else None,
    )


def staff_review(review: Review, rect: Rectification | None) -> StaffReview:
    base = review_public(review, rect).model_dump()
    return StaffReview(
        **base,
        facility_id=review.facility_id,
        supplier_id=review.supplier_id,
        reply_status=review.reply_status,  # type: ignore[arg-type]
        reply_text=review.reply_text,
        follow_up_status=review.follow_up_status,  # type: ignore[arg-type]
        follow_up_text=review.follow_up_text,
        flag=review.flag,
        flag_status=review.flag_status,  # type: ignore[arg-type]
        moderation_reason=review.moderation_reason,
    )


async def notify_resident(
    session: AsyncSession, review: Review, progress: str, note: str, dedupe: str
) -> None:
    """Tell the review's author (outbox, in this transaction). `dedupe` makes each step's message unique."""
    facts = await booking_facts(session, review.booking_id)
    name = facts.service_name if facts else "社区服务"
    await enqueue(
        session,
        review.resident_id,
        MessageKind.review_update,
        messages.review_update_data(name, progress, note),
        page=messages.review_page(review.id),
        dedupe_key=f"review:{review.id}:{dedupe}"[:100],
    )


async def notify_staff(
    session: AsyncSession,
    rect: Rectification,
    task: str,
    due_at: datetime,
    note: str,
    dedupe: str,
    *,
    street: bool = False,
) -> int:
    """Tell the staff who must act on a rectification (outbox, in this transaction), those who bound their
    WeChat: the operator's and the service's supplier's staff; with `street`, the street office's."""
    street_id = await facility_street(session, rect.facility_id) if street else None
    whom = await staff_to_notify(
        session,
        operator_id=None if street else rect.operator_id,
        supplier_id=None if street else rect.supplier_id,
        street_id=street_id,
    )
    if not whom:
        return 0
    review = await repo.get_review(session, rect.review_id)
    facts = await booking_facts(session, review.booking_id) if review is not None else None
    name = facts.service_name if facts else "社区服务"
    data = messages.staff_task_data(name, task, due_at, note)
    page = messages.rectification_page(rect.id)
    return await enqueue_many(
        session,
        [
            staff_message(staff_id, MessageKind.staff_task, data, page=page,
                          dedupe_key=f"rect:{rect.id}:{dedupe}:{staff_id}"[:100])
            for staff_id in whom
        ],
    )  # fmt: skip
