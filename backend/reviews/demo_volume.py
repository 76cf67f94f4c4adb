"""Demo review volume per operator, so the demo city's operators are graded across the range (RATING.md):
plenty of good reviews for some, middling ones for another, and too few (below the sample minimum of 10) for
one; every bad review (level 1–2) with its rectification closed on time to the resident's satisfaction. Each
review is of its own completed booking, one a day going back; written straight through the repository like
`demo.py`. Idempotent (deterministic ids)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.demo import completed_bookings
from backend.bookings.queries import booking_facts
from backend.catalogue.demo_data import OPERATOR_IDS
from backend.catalogue.queries import ServiceStatus, facilities_sql, services_sql
from backend.core.demo_ids import demo_id
from backend.reviews import repository as repo
from backend.reviews.demo import _rectification
from backend.reviews.models import RectificationStatus, TextStatus

# operator -> counted reviews per level
VOLUME: dict[str, dict[int, int]] = {
    "武汉楚邻社区发展有限公司": {5: 70, 4: 4, 2: 2},  # the best
    "武汉乐龄智慧养老服务有限公司": {5: 32, 4: 9, 3: 1, 2: 2},  # good, but a failed fire inspection (2A cap)
    "江城颐康社区服务有限公司": {5: 30, 4: 8, 2: 2},  # good reviews, many complaints
    "江岸区邻里家园社会工作服务中心": {4: 10, 3: 12, 2: 8},  # middling
    "湖北童享托育服务有限公司": {5: 6},  # below the sample minimum: 样本不足
}

TEXTS = {5: "服务很好，老人很满意。", 4: "整体不错。", 3: "一般，还可以更好。", 2: "等了很久，体验一般。"}


def _levels(counts: dict[int, int]) -> list[int]:
    """The levels interleaved (a bad one every few days rather than all together)."""
    pool = {k: v for k, v in counts.items()}
    out: list[int] = []
    while any(pool.values()):
        for level in sorted(pool, reverse=True):
            if pool[level]:
                out.append(level)
                pool[level] -= 1
    return out


async def _services(session: AsyncSession, operator_id: Any) -> list[Any]:
    s, f = services_sql(), facilities_sql()
    stmt = (
        sa.select(s.c.id)
        .join(f, f.c.id == s.c.facility_id)
        .where(f.c.operator_id == operator_id, s.c.status == ServiceStatus.active)
        .order_by(s.c.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def seed(session: AsyncSession) -> None:
    for name, counts in VOLUME.items():
        levels = _levels(counts)
        key = f"volume/{name}"
        bookings = await completed_bookings(
            session, key, await _services(session, OPERATOR_IDS[name]), len(levels), hour=14
        )
        for index, (booking_id, level) in enumerate(zip(bookings, levels, strict=True)):
            review_id = demo_id("review", f"{key}/{index}")
            if await repo.get_review(session, review_id) is not None:
                continue
            facts = await booking_facts(session, booking_id)
            assert facts is not None and facts.completed_at is not None
            at = facts.completed_at + timedelta(hours=3)
            await repo.insert_review(
                session,
                {
                    "id": review_id, "created_at": at, "updated_at": at, "booking_id": facts.id,
                    "resident_id": facts.resident_id, "service_id": facts.service_id,
                    "facility_id": facts.facility_id, "supplier_id": facts.supplier_id,
                    "operator_id": facts.operator_id, "function": facts.function, "level": level, "tags": [],
                    "text": TEXTS[level], "status": TextStatus.published.value, "text_check": "pass",
                    "counted": True, "flag_status": "none",
                },
            )  # fmt: skip
            if level <= 2:
                await _rectification(session, review_id, facts, at, RectificationStatus.closed)
