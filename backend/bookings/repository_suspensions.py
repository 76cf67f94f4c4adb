"""Queries of suspension notices beyond their creation (the consent of the street office, lists, the
overdue-consent job). The notice's insert and the in-force subquery the booking path joins stay in
`repository`."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.models import ConsentStatus, Suspension
from backend.catalogue.queries import services_sql
from backend.core.pagination import keyset

IN_FORCE = (ConsentStatus.not_required.value, ConsentStatus.granted.value)


def target_facility() -> Any:
    """The facility a notice concerns: its own, or its service's (join `services_sql()` as `service`)."""
    return sa.func.coalesce(col(Suspension.facility_id), services_sql().c.facility_id)


def _with_target() -> Any:
    service = services_sql()
    return select(Suspension, target_facility().label("target_facility_id")).outerjoin(
        service, service.c.id == col(Suspension.service_id)
    )


async def get(
    session: AsyncSession, suspension_id: uuid.UUID, *, lock: bool = False
) -> tuple[Suspension, uuid.UUID] | None:
    """The notice and the facility it concerns."""
    stmt = _with_target().where(col(Suspension.id) == suspension_id)
    if lock:
        stmt = stmt.with_for_update(of=Suspension)
    row = (await session.exec(stmt)).first()
    return None if row is None else (row[0], row[1])


async def list_in_scope(
    session: AsyncSession,
    facility_filter: Callable[[Any], ColumnElement[bool]],
    *,
    facility_id: uuid.UUID | None,
    consent_status: str | None,
    overdue: bool | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Suspension]:
    """A page of notices on the facilities the caller sees, newest first (`limit + 1` rows)."""
    target = target_facility()
    stmt = _with_target().where(facility_filter(target))
    if facility_id is not None:
        stmt = stmt.where(target == facility_id)
    if consent_status is not None:
        stmt = stmt.where(col(Suspension.consent_status) == consent_status)
    if overdue is not None:
        flagged = col(Suspension.consent_overdue_at).is_not(None)
        stmt = stmt.where(flagged if overdue else sa.not_(flagged))
    stmt = keyset(stmt, col(Suspension.created_at), col(Suspension.id), after, limit, newest_first=True)
    return [row[0] for row in (await session.exec(stmt)).all()]


async def overdue_consents(session: AsyncSession, today: date) -> Sequence[Suspension]:
    """Pending consents whose due day has passed and that are not flagged yet (locked, skipping busy rows)."""
    stmt = (
        select(Suspension)
        .where(
            col(Suspension.consent_status) == ConsentStatus.pending.value,
            col(Suspension.consent_due_on) < today,
            col(Suspension.consent_overdue_at).is_(None),
        )
        .order_by(col(Suspension.consent_due_on), col(Suspension.id))
        .with_for_update(skip_locked=True)
    )
    return (await session.exec(stmt)).all()
