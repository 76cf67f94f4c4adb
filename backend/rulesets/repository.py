"""The only place that queries the ruleset table."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.rulesets.models import RulesetVersion


async def latest(
    session: AsyncSession, place_id: uuid.UUID, at: datetime | None = None
) -> RulesetVersion | None:
    """The newest version of a place (city or district) published at or before `at`."""
    stmt = select(RulesetVersion).where(RulesetVersion.place_id == place_id)
    if at is not None:
        stmt = stmt.where(col(RulesetVersion.published_at) <= at)
    stmt = stmt.order_by(col(RulesetVersion.version).desc()).limit(1)
    return (await session.exec(stmt)).first()


async def get(session: AsyncSession, ruleset_id: uuid.UUID) -> RulesetVersion | None:
    return await session.get(RulesetVersion, ruleset_id)


async def versions(
    session: AsyncSession, place_id: uuid.UUID, before_version: int | None, limit: int
) -> list[RulesetVersion]:
    stmt = select(RulesetVersion).where(RulesetVersion.place_id == place_id)
    if before_version is not None:
        stmt = stmt.where(col(RulesetVersion.version) < before_version)
    stmt = stmt.order_by(col(RulesetVersion.version).desc()).limit(limit)
    return list((await session.exec(stmt)).all())


async def next_version(session: AsyncSession, place_id: uuid.UUID) -> int:
    stmt = sa.select(sa.func.coalesce(sa.func.max(RulesetVersion.version), 0)).where(
        RulesetVersion.place_id == place_id  # type: ignore[arg-type]
    )
    return int((await session.execute(stmt)).scalar_one()) + 1
