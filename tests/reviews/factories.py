"""The reviews tests' world: the bookings tests' small city, completed bookings, and every caller's token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.models import Resident
from backend.bookings.models import Booking, Slot
from backend.catalogue.models import Community, Service
from backend.core.access import Principal, RegionLevel, Role
from backend.core.clock import utcnow
from tests.bookings.factories import World, bearer, make_resident, make_world


@dataclass
class ReviewWorld:
    w: World
    street_id: uuid.UUID
    district_id: uuid.UUID

    @property
    def supplier(self) -> dict[str, str]:
        return bearer(Principal(id=uuid.uuid4(), role=Role.supplier_staff, supplier_id=self.w.supplier.id))

    @property
    def other_supplier(self) -> dict[str, str]:
        return bearer(
            Principal(id=uuid.uuid4(), role=Role.supplier_staff, supplier_id=self.w.other_supplier.id)
        )

    @property
    def operator(self) -> dict[str, str]:
        return bearer(Principal(id=uuid.uuid4(), role=Role.operator_staff, operator_id=self.w.operator.id))

    @property
    def street(self) -> dict[str, str]:
        return bearer(
            Principal(
                id=uuid.uuid4(),
                role=Role.regulator,
                region_level=RegionLevel.street,
                region_id=self.street_id,
            )
        )

    @property
    def other_street(self) -> dict[str, str]:
        return bearer(
            Principal(
                id=uuid.uuid4(), role=Role.regulator, region_level=RegionLevel.street, region_id=uuid.uuid4()
            )
        )

    @property
    def admin(self) -> dict[str, str]:
        return bearer(Principal(id=uuid.uuid4(), role=Role.admin))


async def make_review_world(session: AsyncSession) -> ReviewWorld:
    w = await make_world(session)
    street_id = await session.scalar(
        sa.select(Community.street_id).where(Community.id == w.facility.community_id)
    )
    from backend.catalogue.models import Street

    district_id = await session.scalar(sa.select(Street.district_id).where(Street.id == street_id))
    assert street_id is not None and district_id is not None
    return ReviewWorld(w, street_id, district_id)


def resident_headers(resident_id: uuid.UUID, **extra: str) -> dict[str, str]:
    return {**bearer(Principal(id=resident_id, role=Role.resident)), **extra}


async def completed_booking(
    session: AsyncSession,
    service: Service,
    *,
    resident: Resident | None = None,
    completed_at: datetime | None = None,
    status: str = "completed",
    nickname: str | None = "王小明",
) -> tuple[uuid.UUID, uuid.UUID]:
    """A booking of `service` completed at `completed_at` (default now): (booking id, resident id)."""
    if resident is None:
        resident, beneficiary = await make_resident(session)
        resident.nickname = nickname
        session.add(resident)
    else:
        from backend.accounts.models import Beneficiary

        beneficiary = (
            await session.execute(sa.select(Beneficiary).where(Beneficiary.resident_id == resident.id))  # type: ignore[arg-type]
        ).scalar_one()
    done = completed_at or utcnow()
    start = done - timedelta(hours=2)
    slot = Slot(
        service_id=service.id, start_at=start + timedelta(seconds=uuid.uuid4().int % 100000),
        end_at=start + timedelta(days=2), capacity=10,
    )  # fmt: skip
    session.add(slot)
    await session.flush()
    booking = Booking(
        slot_id=slot.id, service_id=service.id, resident_id=resident.id, beneficiary_id=beneficiary.id,
        start_at=slot.start_at, status=status, total_fen=1000, subsidy_fen=0, discount_fen=0, community_fen=0,
        payable_fen=1000, status_changed_at=done,
    )  # fmt: skip
    session.add(booking)
    await session.commit()
    return booking.id, resident.id


async def post_review(
    client: httpx.AsyncClient, booking_id: uuid.UUID, resident_id: uuid.UUID, **body: object
) -> httpx.Response:
    payload = {"level": 5, **body}
    return await client.post(
        f"/bookings/{booking_id}/review",
        json=payload,
        headers=resident_headers(resident_id, **{"Idempotency-Key": uuid.uuid4().hex}),
    )
