"""Queries of the oversight domain's safety records (the only place that builds them)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.access import Principal
from backend.core.clock import utcnow
from backend.core.pagination import keyset
from backend.core.scope import Scope
from backend.oversight.models import (
    Drill,
    EmergencyPlan,
    Hazard,
    HazardStatus,
    Incident,
    Inspection,
    OversightEvent,
    SafetyCheck,
)

Row = TypeVar("Row", Inspection, SafetyCheck, EmergencyPlan, Drill, Incident, Hazard)


async def get(
    session: AsyncSession, model: type[Row], record_id: uuid.UUID, *, lock: bool = False
) -> Row | None:
    stmt = select(model).where(model.id == record_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def list_in_scope(
    session: AsyncSession,
    model: type[Row],
    scope: Scope,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
    *conditions: Any,
) -> Sequence[Row]:
    """A page of `model` rows in the caller's facilities, newest first (`limit + 1` rows)."""
    stmt = select(model).where(scope.facility_filter(model.facility_id), *conditions)
    return (
        await session.exec(keyset(stmt, model.created_at, model.id, after, limit, newest_first=True))
    ).all()


async def list_for_resident(
    session: AsyncSession, resident_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> Sequence[Hazard]:
    stmt = select(Hazard).where(Hazard.resident_id == resident_id)
    return (
        await session.exec(keyset(stmt, Hazard.created_at, Hazard.id, after, limit, newest_first=True))
    ).all()


async def latest(
    session: AsyncSession, model: type[Row], facility_id: uuid.UUID, date_column: str, *conditions: Any
) -> Row | None:
    """The most recent record of a facility by its own date (then by when it was recorded)."""
    column = getattr(model, date_column)
    stmt = (
        select(model)
        .where(model.facility_id == facility_id, *conditions)
        .order_by(column.desc(), model.created_at.desc())  # type: ignore[attr-defined]
        .limit(1)
    )
    return (await session.exec(stmt)).first()


async def latest_inspection(session: AsyncSession, facility_id: uuid.UUID, kind: str) -> Inspection | None:
    return await latest(session, Inspection, facility_id, "inspected_on", Inspection.kind == kind)


async def overdue_hazards(session: AsyncSession, now: datetime) -> Sequence[Hazard]:
    stmt = (
        select(Hazard)
        .where(Hazard.status == HazardStatus.open.value, Hazard.answer_due_at < now)  # type: ignore[operator]
        .order_by(Hazard.answer_due_at)  # type: ignore[arg-type]
        .with_for_update(skip_locked=True)
    )
    return (await session.exec(stmt)).all()


async def add_event(
    session: AsyncSession,
    record_kind: str,
    record_id: uuid.UUID,
    action: str,
    actor: Principal | None,
    reason: str | None = None,
    at: datetime | None = None,
) -> None:
    session.add(
        OversightEvent(
            record_kind=record_kind,
            record_id=record_id,
            action=action,
            actor_role=actor.role.value if actor else "system",
            actor_id=actor.id if actor else None,
            reason=reason,
            at=at or utcnow(),
        )
    )
    await session.flush()
