"""Complaint figures of a set of facilities, composed from the complaints domain's public read."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.complaints import queries as complaints
from backend.console.schemas import CategoryRow, Complaints


async def complaints_of(
    session: AsyncSession,
    facility_ids: Collection[uuid.UUID],
    start: datetime,
    end: datetime,
    operator_ids: Collection[uuid.UUID] = (),
) -> Complaints:
    s = await complaints.complaint_summary(session, facility_ids, start, end, operator_ids)
    rows = [CategoryRow(**{f: getattr(c, f) for f in CategoryRow.model_fields}) for c in s.by_category]
    return Complaints(
        count=s.count,
        answered_on_time=sum(r.answered_on_time for r in rows),
        resolved=sum(r.resolved for r in rows),
        escalated_to_street=sum(r.escalated_to_street for r in rows),
        median_response_hours=s.median_response_hours,
        by_category=rows,
    )
