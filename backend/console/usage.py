"""Usage figures of a set of facilities, composed from the bookings domain's public aggregates."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings import queries as bookings
from backend.catalogue import queries as catalogue
from backend.console.schemas import ServedRow, Usage, UsageRow

Key = Callable[[bookings.SlotCounts | bookings.BookingCounts], str]
_FIELDS = ("slots", "capacity", "bookings", "completed", "cancelled", "no_show")


def _row(key: str, label: str, sums: dict[str, int]) -> UsageRow:
    capacity = sums.get("capacity", 0)
    taken = sums.get("bookings", 0) - sums.get("cancelled", 0)
    fill = round(taken / capacity, 4) if capacity else None
    return UsageRow(key=key, label=label, fill_rate=fill, **{f: sums.get(f, 0) for f in _FIELDS})


def _group(
    slots: Iterable[bookings.SlotCounts],
    counts: Iterable[bookings.BookingCounts],
    key: Key,
) -> dict[str, dict[str, int]]:
    sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_FIELDS, 0))
    for s in slots:
        sums[key(s)]["slots"] += s.slots
        sums[key(s)]["capacity"] += s.capacity
    for c in counts:
        target = sums[key(c)]
        for name in ("bookings", "completed", "cancelled", "no_show"):
            target[name] += getattr(c, name)
    return sums


async def usage_of(
    session: AsyncSession, facility_ids: Collection[uuid.UUID], start: datetime, end: datetime
) -> tuple[Usage, list[ServedRow]]:
    slots = await bookings.slot_counts(session, start=start, end=end, facility_ids=facility_ids)
    counts = await bookings.booking_counts(session, start=start, end=end, facility_ids=facility_ids)
    rows: list[bookings.SlotCounts | bookings.BookingCounts] = [*slots, *counts]
    facilities = await catalogue.names_of(session, "facility", {r.facility_id for r in rows})
    suppliers = await catalogue.names_of(session, "supplier", {r.supplier_id for r in rows})

    def table(key: Key, label: Callable[[str], str]) -> list[UsageRow]:
        grouped = _group(slots, counts, key)
        return [_row(k, label(k), grouped[k]) for k in sorted(grouped)]

    usage = Usage(
        total=_row("all", "合计", _group(slots, counts, lambda _: "all").get("all", {})),
        by_month=table(lambda r: r.month, str),
        by_facility=table(lambda r: str(r.facility_id), lambda k: facilities.get(uuid.UUID(k), k)),
        by_supplier=table(lambda r: str(r.supplier_id), lambda k: suppliers.get(uuid.UUID(k), k)),
        by_function=table(lambda r: r.function, str),
    )
    served = [
        ServedRow(
            facility_id=c.facility_id,
            facility=facilities.get(c.facility_id, str(c.facility_id)),
            function=c.function,
            month=c.month,
            person_times=c.person_times,
        )
        for c in counts
        if c.person_times
    ]
    return usage, _merge_served(served)


def _merge_served(rows: list[ServedRow]) -> list[ServedRow]:
    """One row per (facility, function, month): suppliers of one facility and function are summed."""
    merged: dict[tuple[uuid.UUID, str, str], ServedRow] = {}
    for row in rows:
        key = (row.facility_id, row.function, row.month)
        seen = merged.get(key)
        merged[key] = (
            row
            if seen is None
            else seen.model_copy(update={"person_times": seen.person_times + row.person_times})
        )
    return [merged[k] for k in sorted(merged, key=lambda k: (k[2], merged[k].facility, k[1]))]


def regroup(rows: Iterable[UsageRow], group_of: Callable[[str], tuple[str, str]]) -> list[UsageRow]:
    """Sum rows into coarser groups (facilities into operators): `group_of(key) -> (key, label)`."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_FIELDS, 0))
    labels: dict[str, str] = {}
    for row in rows:
        key, label = group_of(row.key)
        labels[key] = label
        for name in _FIELDS:
            sums[key][name] += getattr(row, name)
    return [_row(k, labels[k], sums[k]) for k in sorted(sums, key=lambda k: (labels[k], k))]
