"""Queries of facility function-change requests and supplier licences in force (the approvals side)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.models import ChangeRequestStatus, FacilityFunctionChange, SupplierLicence

Change = FacilityFunctionChange


async def get_change(session: AsyncSession, change_id: uuid.UUID, *, lock: bool = False) -> Change | None:
    stmt = select(Change).where(Change.id == change_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def pending_for(session: AsyncSession, facility_id: uuid.UUID) -> Change | None:
    stmt = select(Change).where(
        Change.facility_id == facility_id, Change.status == ChangeRequestStatus.pending.value
    )
    return (await session.exec(stmt.order_by(col(Change.created_at).desc()).limit(1))).first()


async def list_changes(
    session: AsyncSession,
    in_scope: Any,
    status: str | None,
    facility_id: uuid.UUID | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Change]:
    """Newest first; `in_scope` is the caller's `Scope.facility_filter(...)` condition."""
    stmt = select(Change).where(in_scope)
    if status is not None:
        stmt = stmt.where(Change.status == status)
    if facility_id is not None:
        stmt = stmt.where(Change.facility_id == facility_id)
    if after is not None:
        t, i = after
        stmt = stmt.where(
            sa.or_(col(Change.created_at) < t, sa.and_(col(Change.created_at) == t, col(Change.id) < i))
        )
    stmt = stmt.order_by(col(Change.created_at).desc(), col(Change.id).desc()).limit(limit + 1)
    return (await session.exec(stmt)).all()


async def licence_kinds_in_force(session: AsyncSession, supplier_id: uuid.UUID, on: date) -> set[str]:
    stmt = select(SupplierLicence.kind).where(
        SupplierLicence.supplier_id == supplier_id,
        col(SupplierLicence.valid_from) <= on,
        sa.or_(col(SupplierLicence.valid_until).is_(None), col(SupplierLicence.valid_until) >= on),
    )
    return set((await session.exec(stmt)).all())
