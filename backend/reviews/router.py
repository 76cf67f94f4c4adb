"""HTTP routes of the reviews domain: reviews, replies, follow-ups, appeals, moderation, rectifications.

Each route parses, declares its audience and calls one service function; object-level rules (whose review,
whose service, whose facility) are the Scope's, in the services.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from backend.core.access import (
    PUBLIC,
    RESIDENTS,
    SUPPLIERS,
    AnyStaff,
    Oversight,
    Resident,
    ResidentOrStaff,
    SupplierStaff,
)
from backend.core.database import SessionDep
from backend.core.http_cache import cached_json
from backend.core.idempotency import Idempotency, idempotent
from backend.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page
from backend.reviews.models import AppealStatus, RectificationStatus
from backend.reviews.schemas import (
    AppealCreate,
    AppealDecision,
    AppealPublic,
    CallBack,
    Fix,
    GenuinenessDecision,
    ModerationDecision,
    PublicReview,
    RectificationClose,
    RectificationPublic,
    ReviewCreate,
    ReviewPublic,
    StaffReview,
    TagVocabulary,
    TextBody,
    VerdictBody,
)
from backend.reviews.service import decisions, genuineness, rectifications, reviews
from backend.reviews.service.common import reviews_namespace

router = APIRouter(tags=["reviews"])

Staff = AnyStaff
Decider = Oversight
ResidentCreate = Annotated[Idempotency, Depends(idempotent(RESIDENTS), scope="function")]
SupplierCreate = Annotated[Idempotency, Depends(idempotent(SUPPLIERS), scope="function")]
DeviceId = Annotated[
    str | None,
    Header(alias="X-Device-Id", max_length=64, description="The mini-program's device id (burst detection)"),
]
Level = Annotated[int | None, Query(ge=1, le=5)]


# ---------------------------------------------------------------- public reads


@router.get("/review-tags", response_model=TagVocabulary, dependencies=[Depends(PUBLIC)])
async def review_tags(function: Annotated[str | None, Query(max_length=32)] = None) -> TagVocabulary:
    """The tags a resident may pick for a service of this function (common tags without one)."""
    return reviews.vocabulary(function)


@router.get(
    "/services/{service_id}/reviews", response_model=Page[PublicReview], dependencies=[Depends(PUBLIC)]
)
async def list_service_reviews(
    service_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    level: Level = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response:
    """Published reviews, newest first, author masked; excluded ones show `counted: false` and why."""
    return await cached_json(
        request,
        (reviews_namespace(service_id),),
        lambda: reviews.list_public(session, service_id, level, cursor, limit),
    )


# ---------------------------------------------------------------- residents


@router.post("/bookings/{booking_id}/review", response_model=ReviewPublic, status_code=201)
async def create_review(
    booking_id: uuid.UUID,
    body: ReviewCreate,
    idem: ResidentCreate,
    resident: Resident,
    session: SessionDep,
    device_id: DeviceId = None,
) -> Any:
    return await idem.run(
        session, lambda: reviews.create_review(session, resident, booking_id, body, device_id)
    )


@router.get("/me/reviews", response_model=Page[ReviewPublic])
async def my_reviews(
    resident: Resident, session: SessionDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page[ReviewPublic]:
    """The resident's reviews, newest first, each with its reply, follow-up and rectification."""
    return await reviews.list_mine(session, resident, cursor, limit)


@router.post("/reviews/{review_id}/follow-up", response_model=ReviewPublic)
async def follow_up(
    review_id: uuid.UUID, body: TextBody, resident: Resident, session: SessionDep
) -> ReviewPublic:
    return await reviews.follow_up(session, resident, review_id, body.text)


@router.post("/rectifications/{rect_id}/verdict", response_model=RectificationPublic)
async def verdict(
    rect_id: uuid.UUID, body: VerdictBody, resident: Resident, session: SessionDep
) -> RectificationPublic:
    return await rectifications.give_verdict(session, resident, rect_id, body)


# ---------------------------------------------------------------- staff


@router.get("/reviews", response_model=Page[StaffReview])
async def list_reviews(
    staff: Staff,
    session: SessionDep,
    service_id: uuid.UUID | None = None,
    level: Level = None,
    awaiting_moderation: bool = False,
    flagged: Annotated[bool, Query(description="Only reviews with a pending not-genuine flag")] = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[StaffReview]:
    """Reviews of the services in the caller's scope (the moderation queue: `awaiting_moderation=true`)."""
    return await reviews.list_for_staff(
        session,
        staff,
        service_id=service_id,
        level=level,
        awaiting_moderation=awaiting_moderation,
        flagged=flagged,
        cursor=cursor,
        limit=limit,
    )


@router.get("/reviews/{review_id}", response_model=StaffReview)
async def get_review(review_id: uuid.UUID, staff: Staff, session: SessionDep) -> StaffReview:
    return await reviews.get_review(session, staff, review_id)


@router.post("/reviews/{review_id}/reply", response_model=StaffReview)
async def reply(
    review_id: uuid.UUID, body: TextBody, staff: SupplierStaff, session: SessionDep
) -> StaffReview:
    return await reviews.reply(session, staff, review_id, body.text)


@router.post("/reviews/{review_id}/appeal", response_model=AppealPublic, status_code=201)
async def appeal(
    review_id: uuid.UUID, body: AppealCreate, idem: SupplierCreate, staff: SupplierStaff, session: SessionDep
) -> Any:
    return await idem.run(session, lambda: decisions.appeal(session, staff, review_id, body))


@router.get("/appeals", response_model=Page[AppealPublic])
async def list_appeals(
    staff: Staff,
    session: SessionDep,
    status: AppealStatus | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[AppealPublic]:
    return await decisions.list_appeals(session, staff, status, cursor, limit)


@router.post("/appeals/{appeal_id}/decision", response_model=AppealPublic)
async def decide_appeal(
    appeal_id: uuid.UUID, body: AppealDecision, decider: Decider, session: SessionDep
) -> AppealPublic:
    """A regulator over the facility (its street office, or a district/city above it), or an admin."""
    return await decisions.decide_appeal(session, decider, appeal_id, body)


@router.post("/reviews/{review_id}/moderation", response_model=StaffReview)
async def moderate(
    review_id: uuid.UUID, body: ModerationDecision, decider: Decider, session: SessionDep
) -> StaffReview:
    """Publish or reject a held text (`target`: text, reply or follow_up); the level stays counted."""
    return await decisions.moderate(session, decider, review_id, body)


@router.post("/reviews/{review_id}/genuineness", response_model=StaffReview)
async def decide_genuineness(
    review_id: uuid.UUID, body: GenuinenessDecision, decider: Decider, session: SessionDep
) -> StaffReview:
    """Confirm (not genuine: stays out of every figure) or clear (counted again) a not-genuine flag."""
    return await genuineness.decide(session, decider, review_id, body)


@router.get("/rectifications", response_model=Page[RectificationPublic])
async def list_rectifications(
    staff: Staff,
    session: SessionDep,
    status: RectificationStatus | None = None,
    overdue: bool | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[RectificationPublic]:
    return await rectifications.list_for_staff(
        session, staff, status=status, overdue=overdue, cursor=cursor, limit=limit
    )


@router.get("/rectifications/{rect_id}", response_model=RectificationPublic)
async def get_rectification(
    rect_id: uuid.UUID, caller: ResidentOrStaff, session: SessionDep
) -> RectificationPublic:
    return await rectifications.get(session, caller, rect_id)


@router.post("/rectifications/{rect_id}/call-back", response_model=RectificationPublic)
async def call_back(
    rect_id: uuid.UUID, body: CallBack, staff: SupplierStaff, session: SessionDep
) -> RectificationPublic:
    return await rectifications.call_back(session, staff, rect_id, body.note)


@router.post("/rectifications/{rect_id}/close", response_model=RectificationPublic)
async def close_rectification(
    rect_id: uuid.UUID, body: RectificationClose, decider: Decider, session: SessionDep
) -> RectificationPublic:
    """The street office closes a rectification escalated to it (two 不满意, or a step overdue), with its
    conclusion; a regulator over the facility or an admin (409 while it is not the street's; audited)."""
    return await rectifications.close(session, decider, rect_id, body)


@router.post("/rectifications/{rect_id}/fix", response_model=RectificationPublic)
async def fix(
    rect_id: uuid.UUID, body: Fix, staff: SupplierStaff, session: SessionDep
) -> RectificationPublic:
    return await rectifications.fix(session, staff, rect_id, body.description)
