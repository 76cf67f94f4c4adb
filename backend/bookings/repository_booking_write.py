"""The booking hot path's two statements: what a new booking decides on (`booking_context`, one query) and
its write (`write_booking`, one statement on PostgreSQL; `place_booking`, the same steps on SQLite)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.queries import owned_live_beneficiary_sql
from backend.bookings.models import ACTIVE_BOOKING_INDEX, ACTIVE_STATUSES, SlotStatus
from backend.bookings.repository import earliest_suspension, facility_t, service_t, slot_t, take_place
from backend.bookings.repository_bookings import booking_t, event_t, insert_booking, insert_event
from backend.bookings.views import BookingContext
from backend.catalogue.queries import price_stamp_sql
from backend.core.idempotency import Completion
from backend.core.idempotency_records import (
    KEY_INDEX,
    complete_sql,
    held_claim_sql,
    key_known_sql,
    record_completed_sql,
)
from backend.core.rawsql import RawStatement, compiled, is_postgresql, session_driver, violates_unique
from backend.notifications.queries import outbox_insert_sql, outbox_params


async def booking_context(
    session: AsyncSession,
    slot_id: uuid.UUID,
    resident_id: uuid.UUID,
    beneficiary_id: uuid.UUID,
    *,
    lock_slot: bool = False,
    key: tuple[str, str] | None = None,
) -> BookingContext | None:
    """Everything a booking decision reads, in one query: the slot, its service and facility, the first
    announced stop, and the beneficiary if (and only if) it is the caller's and not deleted.

    `key`: an Idempotency-Key's (scope, key), to tell whether it is already known (`key_known`).

    `lock_slot` locks the slot row (FOR UPDATE OF slot) for decisions made on `booked` itself, such as
    joining the waitlist of a full slot: a concurrent cancellation (which frees the place by updating the
    same row) then either comes first, or comes after and sees the new entry."""
    params: dict[str, Any] = {"slot_id": slot_id, "resident_id": resident_id}
    params.update(beneficiary_id=beneficiary_id, k_scope=key and key[0], k_key=key and key[1])
    row: Any
    if not lock_slot and is_postgresql(session):  # the hot path: on the driver (`backend.core.rawsql`)
        row = await (await session_driver(session)).fetchrow(compiled(context_statement(False)), params)
    else:
        row = (await session.execute(context_statement(lock_slot), params)).one_or_none()
    return None if row is None else BookingContext.from_row(row)


@cache
def context_statement(lock_slot: bool) -> sa.Select[Any]:
    """The booking-context statement (its columns are `BookingContext`'s fields), built once per lock mode
    with bind parameters (`slot_id`, `resident_id`, `beneficiary_id`): building and hashing a statement this
    size for every booking costs more CPU than the database spends answering it; a reused statement's cache
    key is memoised. No IN lists: SQLAlchemy re-renders an IN's "expanding" parameter on every execution."""
    beneficiary_id = sa.bindparam("beneficiary_id", type_=booking_t.c.beneficiary_id.type)
    resident_id = sa.bindparam("resident_id", type_=booking_t.c.resident_id.type)
    b = owned_live_beneficiary_sql(beneficiary_id, resident_id)  # the accounts' rule, in this statement
    stmt = (
        sa.select(
            slot_t.c.id.label("slot_id"),
            slot_t.c.start_at,
            slot_t.c.end_at,
            slot_t.c.status.label("slot_status"),
            slot_t.c.capacity,
            slot_t.c.booked,
            service_t.c.id.label("service_id"),
            service_t.c.name.label("service_name"),
            service_t.c.function,
            service_t.c.service_class,
            service_t.c.booking_mode,
            service_t.c.min_age_years,
            service_t.c.max_age_years,
            service_t.c.order_cutoff_minutes,
            service_t.c.requires_address,
            service_t.c.status.label("service_status"),
            service_t.c.facility_id,
            facility_t.c.status.label("facility_status"),
            earliest_suspension(service_t.c.id, service_t.c.facility_id).label("suspended_from"),
            b.c.id.label("beneficiary_id"),
            b.c.name.label("beneficiary_name"),
            b.c.relation,
            b.c.birth_date,
            b.c.dibao,
            b.c.disability,
            sa.exists()
            .where(
                booking_t.c.slot_id == slot_t.c.id,
                booking_t.c.beneficiary_id == beneficiary_id,
                # Literals, not parameters: a generic plan can then use the partial unique index of active
                # bookings (with parameters it scanned every booking of the slot).
                booking_t.c.status.in_([sa.literal_column(f"'{status}'") for status in ACTIVE_STATUSES]),
            )
            .label("already_booked"),
            price_stamp_sql(service_t.c.id).label("price_stamp"),
            # An Idempotency-Key (`k_scope`, `k_key`) already known: a deferred claim must be taken first.
            key_known_sql(
                sa.bindparam("k_scope", type_=sa.String()), sa.bindparam("k_key", type_=sa.String())
            ).label("key_known"),
        )
        .select_from(slot_t)
        .join(service_t, service_t.c.id == slot_t.c.service_id)
        .join(facility_t, facility_t.c.id == service_t.c.facility_id)
        .outerjoin(b, b.c.id == beneficiary_id)
        .where(slot_t.c.id == sa.bindparam("slot_id", type_=slot_t.c.id.type))
    )
    return stmt.with_for_update(of=slot_t) if lock_slot else stmt


class Written(enum.Enum):
    """What the one-statement booking write did (`write_booking`)."""

    made = "made"
    full = "full"  # no place taken: the slot is full, closed or started
    duplicate = "duplicate"  # the beneficiary already holds an active booking for the slot: nothing written
    claim_lost = "claim_lost"  # the Idempotency-Key claim was taken over: nothing written


async def place_booking(
    session: AsyncSession, row: dict[str, Any], actor_role: str, actor_id: uuid.UUID, now: datetime
) -> Written:
    """`write_booking`'s place, booking and history rows one statement at a time, in the request's
    transaction (SQLite, the first-run database): on `duplicate` the caller raises, and the rollback
    gives the place back."""
    if not await take_place(session, row["slot_id"], now):
        return Written.full
    if not await insert_booking(session, row):
        return Written.duplicate
    await insert_event(session, row["id"], None, row["status"], actor_role, actor_id, now)
    return Written.made


async def write_booking(
    session: AsyncSession,
    row: dict[str, Any],
    actor_role: str,
    actor_id: uuid.UUID,
    now: datetime,
    message: dict[str, Any],
    completion: Completion | None,
    response: dict[str, Any],
) -> Written:
    """PostgreSQL: the whole booking write as one statement on the driver, atomic without a transaction of
    its own: take the place (`booked < capacity`, open, not started), insert the booking, its first history
    row, the confirmation message (`message`, a `notifications.service.message` row) and, with a
    `completion`, the stored `response` of the Idempotency-Key: a claimed key's claim is locked first
    (under a lost claim nothing is written); a new key is recorded completed, and a concurrent request with
    the same key fails on the key's unique index (`claim_lost`). A beneficiary who already holds an active
    booking for the slot (a race the context read could not see) fails the insert on the unique index, and
    with it the whole statement: the place is not taken."""
    params = {f"b_{k}": v for k, v in row.items()}
    params.update(now=now, e_id=uuid.uuid4(), e_actor_role=actor_role, e_actor_id=actor_id)
    params.update(outbox_params(message))
    if completion is not None:
        params.update(completion.params(response, now))
    mode = None if completion is None else _Key.new if completion.new_key else _Key.claimed
    statement = _write_statement(tuple(row), tuple(message), mode)
    try:
        result = await (await session_driver(session)).fetchrow(statement, params)
    except Exception as exc:
        if violates_unique(exc, ACTIVE_BOOKING_INDEX):
            return Written.duplicate
        if violates_unique(exc, KEY_INDEX):
            return Written.claim_lost
        raise
    assert result is not None  # the statement always answers one row
    if not result["claimed"]:
        return Written.claim_lost
    if not result["placed"]:
        return Written.full
    if completion is not None:
        completion.stored = True
    return Written.made


class _Key(enum.Enum):
    """How the write stores the Idempotency-Key's response."""

    claimed = "claimed"  # completes the claim taken before, locked first
    new = "new"  # records a key never seen before, completed


@cache
def _write_statement(
    columns: tuple[str, ...], message_columns: tuple[str, ...], key: _Key | None
) -> RawStatement:
    s, b, e = slot_t, booking_t, event_t
    message_sql, message_binds = outbox_insert_sql(message_columns, "made")
    held = key is _Key.claimed  # lock our claim first, take the place only while it is ours
    claim_sql, claim_binds = held_claim_sql() if held else ("", ())
    done_sql, done_binds = complete_sql("claim", "made") if held else ("", ())
    # A new key is recorded right after the place is taken and before the booking is inserted: a
    # concurrent retry under the same key then fails on the key (409 in flight, replayed on its next try),
    # never on the booking it would duplicate.
    new_sql, new_binds = record_completed_sql("place") if key is _Key.new else ("", ())
    sql = f"""
WITH {f"claim AS ({claim_sql}), " if held else ""}place AS (
  UPDATE {s.name} SET booked = booked + 1, updated_at = :now
  WHERE id = :b_slot_id AND status = '{SlotStatus.open.value}' AND booked < capacity AND start_at > :now
  {"AND EXISTS (SELECT 1 FROM claim)" if held else ""}
  RETURNING id
), {f"recorded AS ({new_sql}), " if new_sql else ""}made AS (
  INSERT INTO {b.name} ({", ".join(columns)})
  SELECT {", ".join(f":b_{c}" for c in columns)} FROM {"recorded" if new_sql else "place"}
  RETURNING id
), history AS (
  INSERT INTO {e.name} (id, created_at, updated_at, booking_id, from_status, to_status, actor_role, actor_id)
  SELECT :e_id, :now, :now, made.id, NULL, :b_status, :e_actor_role, :e_actor_id FROM made
  RETURNING id
), message AS ({message_sql}){f", completed AS ({done_sql})" if held else ""}
SELECT (SELECT count(*) FROM place) AS placed, {"(SELECT count(*) FROM claim)" if held else "1"} AS claimed"""  # noqa: S608
    binds = [sa.bindparam(f"b_{c}", type_=b.c[c].type) for c in columns]
    binds += [
        sa.bindparam("now", type_=b.c.created_at.type),
        sa.bindparam("e_id", type_=e.c.id.type),
        sa.bindparam("e_actor_role", type_=e.c.actor_role.type),
        sa.bindparam("e_actor_id", type_=e.c.actor_id.type),
        *message_binds,
        *claim_binds,
        *done_binds,
        *new_binds,
    ]
    return RawStatement.compile(sa.text(sql).bindparams(*binds))
