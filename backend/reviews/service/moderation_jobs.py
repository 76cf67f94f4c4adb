"""Texts held because WeChat gave no verdict (error, timeout) are checked again; never published unchecked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.queries import residents_facts
from backend.audit.service import record
from backend.reviews import repository as repo
from backend.reviews.errors import ContentRejected
from backend.reviews.models import Review, TextCheckState, TextStatus
from backend.reviews.repository import review_t
from backend.reviews.service.common import changed, check_text

# (text column, status column, check column) of each text a review may hold.
_TEXTS = (("text", "status", "text_check"), ("reply_text", "reply_status", "reply_check"),
          ("follow_up_text", "follow_up_status", "follow_up_check"))  # fmt: skip


async def recheck_texts(session: AsyncSession, now: datetime, batch: int = 50) -> dict[str, Any]:
    rows = await repo.texts_to_recheck(session, batch)
    authors = await residents_facts(session, {r.resident_id for r in rows})
    counts: dict[str, int] = {}
    for review in rows:
        author = authors.get(review.resident_id)
        if author is None:
            continue
        for text_col, status_col, check_col in _TEXTS:
            outcome = await _recheck(session, review, author.openid, text_col, status_col, check_col, now)
            if outcome:
                counts[outcome] = counts.get(outcome, 0) + 1
    return counts


async def _recheck(
    session: AsyncSession,
    review: Review,
    openid: str,
    text_col: str,
    status_col: str,
    check_col: str,
    now: datetime,
) -> str | None:
    text = getattr(review, text_col)
    if (
        text is None
        or getattr(review, status_col) != TextStatus.pending_moderation.value
        or getattr(review, check_col) != TextCheckState.error.value
    ):
        return None
    values: dict[str, Any]
    try:
        status, check = await check_text(openid, text)
        if check == TextCheckState.error:
            return "still_unchecked"
        values = {status_col: status.value, check_col: check.value}
    except ContentRejected:
        values = {
            status_col: TextStatus.rejected.value,
            check_col: TextCheckState.risky.value,
            "moderation_reason": "内容安全检查未通过",
        }
    done = await repo.update_review(
        session,
        review.id,
        review_t.c[status_col] == TextStatus.pending_moderation.value,
        review_t.c[check_col] == TextCheckState.error.value,
        **values,
        updated_at=now,
    )
    if not done:
        return None
    await record(session, None, "recheck_text", "review", review.id, {"target": text_col, **values})
    await changed(session, review, figures=False)
    return str(values[status_col])
