"""The bookings domain's public usage reads: exact counts, bucketed by Shanghai month (subsidy figures:
Chongqing policy 17 pays meal canteens per person-time served, so completed bookings must be exact)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings import queries
from backend.bookings.models import BookingStatus, Slot
from tests.bookings.factories import World, make_booked_slot

# 2026-10-31 16:30 UTC is already 1 November in Shanghai: it belongs to November's figures.
EDGE = datetime(2026, 10, 31, 16, 30, tzinfo=UTC)
OCTOBER = datetime(2026, 10, 10, 2, 0, tzinfo=UTC)


async def _slot_with(
    session: AsyncSession, world: World, start: datetime, statuses: list[BookingStatus], capacity: int = 10
) -> Slot:
    return await make_booked_slot(session, world.meal, start, [s.value for s in statuses], capacity)


async def test_counts_by_status_and_shanghai_month(session: AsyncSession, world: World) -> None:
    done, cancelled, no_show = BookingStatus.completed, BookingStatus.cancelled, BookingStatus.no_show
    await _slot_with(session, world, OCTOBER, [cancelled, done, done], capacity=8)
    await _slot_with(session, world, EDGE, [BookingStatus.confirmed, no_show, done], capacity=6)

    rows = await queries.booking_counts(
        session, start=datetime(2026, 10, 1, tzinfo=UTC), end=datetime(2026, 12, 1, tzinfo=UTC)
    )
    by_month = {r.month: r for r in rows}
    assert set(by_month) == {"2026-10", "2026-11"}
    oct_, nov = by_month["2026-10"], by_month["2026-11"]
    assert (oct_.bookings, oct_.completed, oct_.cancelled, oct_.no_show) == (3, 2, 1, 0)
    assert (nov.bookings, nov.completed, nov.cancelled, nov.no_show, nov.person_times) == (3, 1, 0, 1, 1)
    assert {r.facility_id for r in rows} == {world.facility.id}
    assert {r.function for r in rows} == {world.meal.function}

    slots = {
        s.month: s
        for s in await queries.slot_counts(
            session, start=datetime(2026, 10, 1, tzinfo=UTC), end=datetime(2026, 12, 1, tzinfo=UTC)
        )
    }
    assert (slots["2026-10"].slots, slots["2026-10"].capacity) == (1, 8)
    assert (slots["2026-11"].slots, slots["2026-11"].capacity) == (1, 6)

    served = await queries.completed_by_operator(
        session, start=datetime(2026, 10, 1, tzinfo=UTC), end=datetime(2026, 12, 1, tzinfo=UTC)
    )
    assert served == {world.operator.id: 3}


async def test_facility_filter_and_window_edges(session: AsyncSession, world: World) -> None:
    await _slot_with(session, world, EDGE, [BookingStatus.completed])
    # The window is half-open: a slot starting exactly at `end` is not in it.
    assert await queries.booking_counts(session, start=EDGE - timedelta(days=1), end=EDGE) == []
    inside = await queries.booking_counts(session, start=EDGE, end=EDGE + timedelta(seconds=1))
    assert [r.completed for r in inside] == [1]
    assert (
        await queries.booking_counts(session, start=EDGE, end=EDGE + timedelta(days=1), facility_ids=[]) == []
    )
    other = await queries.booking_counts(
        session, start=EDGE, end=EDGE + timedelta(days=1), facility_ids=[world.other_service.facility_id]
    )
    assert other == []
