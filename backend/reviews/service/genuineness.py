"""Not-genuine reviews: self-reviews (the author's phone is bound to a staff account of the service's supplier
or operator) and bursts (刷评: many reviews from one resident or one device in a short time) are flagged
`counted: false` with the reason, for a regulator over the facility (or an admin) to confirm or clear."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.queries import resident_facts, staff_share_phone
from backend.audit.service import record
from backend.core.access import Principal
from backend.core.clock import utcnow
from backend.reviews import repository as repo
from backend.reviews import repository_appeals as appeal_repo
from backend.reviews import repository_rectifications as rect_repo
from backend.reviews.errors import FlagNotPending, NotDecider
from backend.reviews.models import AppealStatus, Flag, FlagStatus, Review
from backend.reviews.repository import review_t
from backend.reviews.rules import ReviewRules
from backend.reviews.schemas import GenuinenessDecision, StaffReview
from backend.reviews.service.common import changed, review_in_scope, staff_review

SELF_REVIEW_REASON = "疑似自评：作者手机号与该服务方员工账号相同（待核实）"
BURST_REASON = "疑似刷评：{window}分钟内{count}条评价（待核实）"


async def check_new_review(
    session: AsyncSession, review: Review, rules: ReviewRules, now: datetime
) -> list[uuid.UUID]:
    """Flag the burst this review completes (by resident, and by device when the app sent one)."""
    since = now - timedelta(minutes=rules.burst_window_minutes)
    flagged: list[uuid.UUID] = []
    keys: list[tuple[str, object]] = [("resident_id", review.resident_id)]
    if review.device_id:
        keys.append(("device_id", review.device_id))
    for column, value in keys:
        count = await repo.count_recent(session, column, value, since)
        if count >= rules.burst_count:
            reason = BURST_REASON.format(window=rules.burst_window_minutes, count=count)
            flagged += await repo.flag_recent(session, column, value, since, Flag.burst.value, reason)
    author = await resident_facts(session, review.resident_id)
    if author is not None and await staff_share_phone(
        session, author.phone_hash, supplier_id=review.supplier_id, operator_id=review.operator_id
    ):
        done = await repo.update_review(
            session,
            review.id,
            review_t.c.flag_status == FlagStatus.none.value,
            flag=Flag.same_phone_staff.value,
            flag_status=FlagStatus.pending.value,
            counted=False,
            excluded_reason=SELF_REVIEW_REASON,
        )
        if done:
            flagged.append(review.id)
    if flagged:
        await record(
            session, None, "flag_not_genuine", "review", review.id, {"flagged": [str(i) for i in flagged]}
        )
    return flagged


async def decide(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, body: GenuinenessDecision
) -> StaffReview:
    review, scope = await review_in_scope(session, principal, review_id)
    if not scope.may_decide_for_facility(review.facility_id):
        raise NotDecider()
    now = utcnow()
    if body.genuine:
        appeal = await appeal_repo.appeal_of(session, review_id)
        excluded_by_appeal = appeal is not None and appeal.status == AppealStatus.upheld.value
        values: dict[str, Any] = {"flag_status": FlagStatus.cleared.value}
        if not excluded_by_appeal:
            values.update(counted=True, excluded_reason=None)
    else:
        values = {
            "flag_status": FlagStatus.confirmed.value,
            "excluded_reason": f"非真实评价：{body.reason}"[:200],
        }
    done = await repo.update_review(
        session, review_id, review_t.c.flag_status == FlagStatus.pending.value, updated_at=now, **values
    )
    if not done:
        raise FlagNotPending()
    await record(
        session,
        principal,
        "decide_genuineness",
        "review",
        review_id,
        {"genuine": body.genuine, "reason": body.reason},
    )
    await changed(session, review, figures=True)
    fresh = await repo.get_review(session, review_id)
    assert fresh is not None
    return staff_review(fresh, (await rect_repo.rectifications_of(session, [review_id])).get(review_id))
