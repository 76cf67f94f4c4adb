"""Queries of appeals against reviews (the only place that builds them)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.database import insert_for
from backend.reviews.models import Appeal
from backend.reviews.repository import After, appeal_t, newest, rowcount


async def insert_appeal(session: AsyncSession, values: dict[str, Any]) -> bool:
    insert = insert_for(session)
    stmt = insert(appeal_t).values(**values).on_conflict_do_nothing(index_elements=["review_id"])
    return rowcount(await session.execute(stmt)) == 1


async def get_appeal(session: AsyncSession, appeal_id: uuid.UUID) -> Appeal | None:
    return await session.get(Appeal, appeal_id, populate_existing=True)


async def appeal_of(session: AsyncSession, review_id: uuid.UUID) -> Appeal | None:
    return (
        await session.execute(sa.select(Appeal).where(appeal_t.c.review_id == review_id))
    ).scalar_one_or_none()


async def decide_appeal(session: AsyncSession, appeal_id: uuid.UUID, **values: Any) -> bool:
    stmt = (
        sa.update(appeal_t).where(appeal_t.c.id == appeal_id, appeal_t.c.status == "pending").values(**values)
    )
    return rowcount(await session.execute(stmt)) == 1


async def list_appeals(
    session: AsyncSession, conditions: Iterable[ColumnElement[bool]], after: After, limit: int
) -> Sequence[Appeal]:
    stmt = newest(sa.select(Appeal).where(*conditions), appeal_t, after, limit)
    return list((await session.execute(stmt)).scalars().all())
