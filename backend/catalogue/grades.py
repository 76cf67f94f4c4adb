"""The operator grade shown on facility pages (`Operator.grade`), written by the grading domain when it
publishes a result; the public catalogue cache is bumped so the pages show it at once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.models import Operator
from backend.catalogue.orgs import CACHE_NAMESPACE
from backend.core.http_cache import invalidate


async def record_operator_grades(session: AsyncSession, grades: Mapping[uuid.UUID, str | None]) -> None:
    for operator_id, grade in grades.items():
        await session.execute(sa.update(Operator).where(col(Operator.id) == operator_id).values(grade=grade))
    if grades:
        await invalidate(session, CACHE_NAMESPACE)
