"""Public reads of the bookings domain for other domains and the composing layer (reports, grading,
dashboards).

Aggregated in SQL, bucketed by the slot's start in Shanghai time, returned as frozen dataclasses.
Person-times served (服务人次) are completed bookings: the subsidy figure (Chongqing policy 17), so they are
counted exactly from the booking rows, never estimated.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings import repository_bookings
from backend.bookings import repository_usage as repo
from backend.bookings.models import BookingStatus


@dataclass(frozen=True, slots=True)
class BookingCounts:
    """Bookings of one (facility, supplier, function, month): by status at the time of reading."""

    facility_id: uuid.UUID
    supplier_id: uuid.UUID
    function: str
    month: str  # YYYY-MM, Shanghai
    bookings: int
    completed: int
    cancelled: int
    no_show: int

    @property
    def person_times(self) -> int:
        return self.completed


@dataclass(frozen=True, slots=True)
class SlotCounts:
    """Slots opened for one (facility, supplier, function, month) and their total capacity."""

    facility_id: uuid.UUID
    supplier_id: uuid.UUID
    function: str
    month: str
    slots: int
    capacity: int


async def booking_counts(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    facility_ids: Collection[uuid.UUID] | None = None,
) -> list[BookingCounts]:
    """Bookings whose slot starts in [start, end), grouped; `facility_ids=None` means every facility."""
    rows = await repo.booking_counts(session, start=start, end=end, facility_ids=facility_ids)
    return [BookingCounts(*row) for row in rows]


async def slot_counts(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    facility_ids: Collection[uuid.UUID] | None = None,
) -> list[SlotCounts]:
    """Slots starting in [start, end), grouped like `booking_counts`."""
    rows = await repo.slot_counts(session, start=start, end=end, facility_ids=facility_ids)
    return [SlotCounts(*row) for row in rows]


async def completed_by_operator(
    session: AsyncSession, *, start: datetime, end: datetime
) -> dict[uuid.UUID, int]:
    """Completed bookings (person-times served) per operator, slots starting in [start, end)."""
    return dict(await repo.completed_by_operator(session, start=start, end=end))


@dataclass(frozen=True, slots=True)
class BookingFacts:
    """A booking and the service it is for. `completed_at` is set only while the booking is completed."""

    id: uuid.UUID
    resident_id: uuid.UUID
    beneficiary_id: uuid.UUID
    status: str
    start_at: datetime
    completed_at: datetime | None
    service_id: uuid.UUID
    service_name: str
    function: str
    facility_id: uuid.UUID
    supplier_id: uuid.UUID
    operator_id: uuid.UUID


async def booking_facts(session: AsyncSession, booking_id: uuid.UUID) -> BookingFacts | None:
    row = await repository_bookings.booking_with_service(session, booking_id)
    if row is None:
        return None
    completed = row.status == BookingStatus.completed.value
    return BookingFacts(
        id=row.id,
        resident_id=row.resident_id,
        beneficiary_id=row.beneficiary_id,
        status=row.status,
        start_at=row.start_at,
        completed_at=row.status_changed_at if completed else None,
        service_id=row.service_id,
        service_name=row.service_name,
        function=row.function,
        facility_id=row.facility_id,
        supplier_id=row.supplier_id,
        operator_id=row.operator_id,
    )
