"""Writing and reading reviews: the review itself, the supplier's reply, the resident's follow-up (追评)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.queries import resident_facts, residents_facts
from backend.audit.service import record
from backend.bookings.queries import booking_facts
from backend.catalogue.errors import ServiceNotFound
from backend.catalogue.queries import service_ref
from backend.core.access import Principal
from backend.core.clock import utcnow
from backend.core.pagination import Page, keyset_after, keyset_page
from backend.reviews import repository as repo
from backend.reviews import repository_rectifications as rect_repo
from backend.reviews.errors import (
    AlreadyFollowedUp,
    AlreadyReplied,
    AlreadyReviewed,
    BookingNotCompleted,
    BookingNotFound,
    FollowUpWindowClosed,
    NotYourService,
    ReviewNotFound,
    ReviewWindowClosed,
    UnknownTag,
)
from backend.reviews.models import TextCheckState, TextStatus
from backend.reviews.repository import review_t
from backend.reviews.rules import rules_for
from backend.reviews.schemas import PublicReview, ReviewCreate, ReviewPublic, StaffReview, TagVocabulary
from backend.reviews.service import genuineness, rectifications
from backend.reviews.service.common import (
    changed,
    check_text,
    dated,
    limit_writes,
    notify_resident,
    review_in_scope,
    review_public,
    scope_of,
    staff_review,
)
from backend.reviews.tags import tags_for


def vocabulary(function: str | None) -> TagVocabulary:
    return TagVocabulary(function=function, tags=tags_for(function))


async def create_review(
    session: AsyncSession,
    principal: Principal,
    booking_id: uuid.UUID,
    body: ReviewCreate,
    device_id: str | None,
) -> ReviewPublic:
    """Only the booking's resident, only once it is completed, once, within the window (Wuhan art. 17:
    resident reviews feed the operator's grade). A bad review (1-2) opens its rectification at once."""
    facts = await booking_facts(session, booking_id)
    if facts is None or facts.resident_id != principal.id:
        raise BookingNotFound()
    rules = await rules_for(session, facts.facility_id)
    await limit_writes(principal.id, rules)
    if facts.completed_at is None:  # set only while the booking is completed
        raise BookingNotCompleted()
    now = utcnow()
    if now > facts.completed_at + timedelta(days=rules.review_window_days):
        raise ReviewWindowClosed(extra={"window_days": rules.review_window_days})
    allowed = set(tags_for(facts.function))
    unknown = [t for t in body.tags if t not in allowed]
    if unknown:
        raise UnknownTag(extra={"unknown_tags": unknown})
    status, check = TextStatus.published, TextCheckState.none
    if body.text:
        resident = await resident_facts(session, principal.id)
        assert resident is not None
        status, check = await check_text(resident.openid, body.text)
    review_id = uuid.uuid4()
    inserted = await repo.insert_review(
        session,
        {
            "id": review_id,
            "created_at": now,
            "updated_at": now,
            "booking_id": facts.id,
            "resident_id": facts.resident_id,
            "service_id": facts.service_id,
            "facility_id": facts.facility_id,
            "supplier_id": facts.supplier_id,
            "operator_id": facts.operator_id,
            "function": facts.function,
            "level": body.level,
            "tags": list(dict.fromkeys(body.tags)),
            "text": body.text,
            "status": status.value,
            "text_check": check.value,
            "device_id": device_id,
            "counted": True,
            "flag_status": "none",
        },
    )
    if not inserted:
        raise AlreadyReviewed()
    review = await repo.get_review(session, review_id)
    assert review is not None
    rect = await rectifications.open_for(session, review, rules, now) if body.level <= 2 else None
    await genuineness.check_new_review(session, review, rules, now)
    await record(
        session, principal, "create", "review", review_id, {"level": body.level, "status": status.value}
    )
    await changed(session, review, figures=True)
    review = await repo.get_review(session, review_id)
    assert review is not None
    return review_public(review, rect)


async def follow_up(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, text: str
) -> ReviewPublic:
    """追评: once, by the author, within the window after the review."""
    review, scope = await review_in_scope(session, principal, review_id)
    if scope.resident_id != review.resident_id:
        raise ReviewNotFound()
    rules = await rules_for(session, review.facility_id)
    await limit_writes(principal.id, rules)
    if review.follow_up_text is not None:
        raise AlreadyFollowedUp()
    now = utcnow()
    if now > review.created_at + timedelta(days=rules.follow_up_window_days):
        raise FollowUpWindowClosed(extra={"window_days": rules.follow_up_window_days})
    resident = await resident_facts(session, principal.id)
    assert resident is not None
    status, check = await check_text(resident.openid, text)
    done = await repo.update_review(
        session,
        review_id,
        review_t.c.follow_up_text.is_(None),
        follow_up_text=text,
        follow_up_status=status.value,
        follow_up_check=check.value,
        follow_up_at=now,
        updated_at=now,
    )
    if not done:
        raise AlreadyFollowedUp()
    await record(session, principal, "follow_up", "review", review_id, {"status": status.value})
    await changed(session, review, figures=False)
    return await _own(session, review_id)


async def reply(session: AsyncSession, principal: Principal, review_id: uuid.UUID, text: str) -> StaffReview:
    """The service's supplier staff reply once, publicly; the text is checked like the resident's (with
    the author's openid: WeChat's check needs a user, staff have none)."""
    review, scope = await review_in_scope(session, principal, review_id)
    if not scope.acts_for_service(review.supplier_id):
        raise NotYourService()
    if review.reply_text is not None:
        raise AlreadyReplied()
    author = await resident_facts(session, review.resident_id)
    assert author is not None
    status, check = await check_text(author.openid, text)
    now = utcnow()
    done = await repo.update_review(
        session,
        review_id,
        review_t.c.reply_text.is_(None),
        reply_text=text,
        reply_status=status.value,
        reply_check=check.value,
        reply_at=now,
        reply_by=principal.id,
        updated_at=now,
    )
    if not done:
        raise AlreadyReplied()
    await record(session, principal, "reply", "review", review_id, {"status": status.value})
    if status == TextStatus.published:
        await notify_resident(session, review, "已回复", text, "reply")
    await changed(session, review, figures=False)
    fresh = await repo.get_review(session, review_id)
    assert fresh is not None
    rects = await rect_repo.rectifications_of(session, [review_id])
    return staff_review(fresh, rects.get(review_id))


async def _own(session: AsyncSession, review_id: uuid.UUID) -> ReviewPublic:
    review = await repo.get_review(session, review_id)
    assert review is not None
    rects = await rect_repo.rectifications_of(session, [review_id])
    return review_public(review, rects.get(review_id))


def mask(nickname: str | None) -> str:
    """王** for 王小明; residents without a nickname show as 居民**."""
    first = (nickname or "").strip()[:1]
    return f"{first or '居民'}**"


async def list_public(
    session: AsyncSession, service_id: uuid.UUID, level: int | None, cursor: str | None, limit: int
) -> Page[PublicReview]:
    """Newest first; texts only once published; excluded reviews stay listed with `counted: false`. An
    unknown service is a 404 (never an empty list that reads as "no reviews yet")."""
    if await service_ref(session, service_id) is None:
        raise ServiceNotFound()
    rows = await repo.list_reviews(
        session, repo.published_on_service(service_id, level), keyset_after(cursor), limit
    )
    page, next_cursor = keyset_page(rows, limit)
    authors = await residents_facts(session, {r.resident_id for r in page})
    items = [
        PublicReview(
            id=r.id,
            service_id=r.service_id,
            author=mask(authors[r.resident_id].nickname if r.resident_id in authors else None),
            level=r.level,
            tags=list(r.tags),
            text=r.text if r.status == TextStatus.published.value else None,
            counted=r.counted,
            excluded_reason=r.excluded_reason,
            created_at=r.created_at,
            reply=dated(r.reply_text, r.reply_at, r.reply_status, public=True),
            follow_up=dated(r.follow_up_text, r.follow_up_at, r.follow_up_status, public=True),
        )
        for r in page
    ]
    return Page(items=items, next_cursor=next_cursor)


async def list_mine(
    session: AsyncSession, principal: Principal, cursor: str | None, limit: int
) -> Page[ReviewPublic]:
    rows = await repo.list_reviews(
        session, [review_t.c.resident_id == principal.id], keyset_after(cursor), limit
    )
    page, next_cursor = keyset_page(rows, limit)
    rects = await rect_repo.rectifications_of(session, [r.id for r in page])
    return Page(items=[review_public(r, rects.get(r.id)) for r in page], next_cursor=next_cursor)


async def list_for_staff(
    session: AsyncSession,
    principal: Principal,
    *,
    service_id: uuid.UUID | None,
    level: int | None,
    awaiting_moderation: bool,
    flagged: bool,
    cursor: str | None,
    limit: int,
) -> Page[StaffReview]:
    """Reviews of the services the caller sees (the scope decides), newest first."""
    scope = await scope_of(session, principal)
    conditions: list[sa.ColumnElement[bool]] = [
        scope.service_filter(review_t.c.facility_id, review_t.c.supplier_id)
    ]
    if service_id is not None:
        conditions.append(review_t.c.service_id == service_id)
    if level is not None:
        conditions.append(review_t.c.level == level)
    if awaiting_moderation:
        conditions.append(repo.awaiting_moderation())
    if flagged:
        conditions.append(repo.flagged_pending())
    rows = await repo.list_reviews(session, conditions, keyset_after(cursor), limit)
    page, next_cursor = keyset_page(rows, limit)
    rects = await rect_repo.rectifications_of(session, [r.id for r in page])
    return Page(items=[staff_review(r, rects.get(r.id)) for r in page], next_cursor=next_cursor)


async def get_review(session: AsyncSession, principal: Principal, review_id: uuid.UUID) -> StaffReview:
    review, _ = await review_in_scope(session, principal, review_id)
    rects = await rect_repo.rectifications_of(session, [review_id])
    return staff_review(review, rects.get(review_id))
