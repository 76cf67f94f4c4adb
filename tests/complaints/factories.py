"""What the complaints tests arrange: the bookings tests' small city, a street office over it, bookings."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings.models import Booking
from backend.catalogue.models import Community
from backend.complaints.models import Complaint
from backend.core.access import Principal, RegionLevel, Role
from backend.core.clock import utcnow
from tests.bookings.factories import (
    World,
    bearer,
    make_resident,
    make_slot,
    operator_headers,
    resident_headers,
    supplier_headers,
)

__all__ = [
    "World",
    "bearer",
    "make_resident",
    "operator_headers",
    "resident_headers",
    "supplier_headers",
]


@dataclass
class People:
    resident: uuid.UUID
    beneficiary: uuid.UUID
    other_resident: uuid.UUID
    street_id: uuid.UUID


async def make_people(session: AsyncSession, world: World) -> People:
    resident, beneficiary = await make_resident(session)
    other, _ = await make_resident(session)
    street_id = (
        await session.execute(
            sa.select(Community.street_id).where(Community.id == world.facility.community_id)
        )  # type: ignore[arg-type]
    ).scalar_one()
    return People(resident.id, beneficiary.id, other.id, street_id)


def street_headers(street_id: uuid.UUID) -> dict[str, str]:
    return bearer(
        Principal(id=uuid.uuid4(), role=Role.regulator, region_level=RegionLevel.street, region_id=street_id)
    )


def other_street_headers() -> dict[str, str]:
    return street_headers(uuid.uuid4())


_SLOT_MINUTES = itertools.count()


async def make_booking(
    session: AsyncSession,
    world: World,
    resident_id: uuid.UUID,
    beneficiary_id: uuid.UUID,
    status: str = "completed",
) -> Booking:
    # Each booking its own slot: slots are unique per service and start, and two bookings made within the
    # same second would otherwise ask for the same (second-truncated) start.
    starts_in = timedelta(days=-2, minutes=-next(_SLOT_MINUTES))
    slot = await make_slot(session, world.elder_care, starts_in=starts_in)
    now = utcnow()
    booking = Booking(
        slot_id=slot.id,
        service_id=world.elder_care.id,
        resident_id=resident_id,
        beneficiary_id=beneficiary_id,
        start_at=slot.start_at,
        status=status,
        total_fen=1000,
        subsidy_fen=300,
        discount_fen=0,
        community_fen=0,
        payable_fen=700,
        status_changed_at=now,
    )
    session.add(booking)
    await session.commit()
    return booking


async def file(
    client: httpx.AsyncClient,
    resident_id: uuid.UUID,
    target: dict[str, Any],
    *,
    category: str = "service_quality",
    text: str = "服务人员迟到了一个小时",
    key: str | None = None,
) -> httpx.Response:
    headers = resident_headers(resident_id) | {"Idempotency-Key": key or uuid.uuid4().hex}
    body = {"target": {k: str(v) for k, v in target.items()}, "category": category, "text": text}
    return await client.post("/complaints", json=body, headers=headers)


async def move_times(session: AsyncSession, complaint_id: Any, **values: datetime | None) -> None:
    """Pretend time has passed: set the complaint's deadlines or timestamps."""
    await session.execute(
        sa.update(Complaint).where(Complaint.id == uuid.UUID(str(complaint_id))).values(**values)  # type: ignore[arg-type]
    )
    await session.commit()


async def get_row(session: AsyncSession, complaint_id: Any) -> Complaint:
    row = (
        await session.execute(
            sa.select(Complaint)
            .where(Complaint.id == uuid.UUID(str(complaint_id)))  # type: ignore[arg-type]
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    return row
