"""The grading domain's public reads for the composing layer (the console), as frozen dataclasses.

- `latest_grades(session, operator_ids)`: each operator's latest published grade (one window-function
  query, built by the repository; operators never published are absent).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.grading import repository as repo


@dataclass(frozen=True, slots=True)
class GradeRef:
    """An operator's public grade: as published, never a nightly recomputation."""

    operator_id: uuid.UUID
    result_id: uuid.UUID
    grade: str | None  # 5A..1A | 不合格 (or the ruleset's own names); None when not graded
    level: str | None
    status: str  # graded | insufficient_sample | not_graded
    total: float
    qualified: bool
    published_at: datetime


async def latest_grades(
    session: AsyncSession, operator_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, GradeRef]:
    """Per operator, its latest published result (the one `/operators/{id}/rating` answers)."""
    return {
        row.operator_id: GradeRef(
            operator_id=row.operator_id,
            result_id=row.id,
            grade=row.grade,
            level=row.level,
            status=row.status,
            total=float(row.total),
            qualified=bool(row.qualified),
            published_at=row.published_at,
        )
        for row in await repo.latest_grade_rows(session, list(operator_ids))
    }
