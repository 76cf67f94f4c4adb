"""The idempotency records: one row per (caller, key), claimed, completed, released, taken over.

What `backend.core.idempotency` (the routes' side: the dependency, `Idempotency`, `Keyed`) stores and reads.
A claim is committed at once (`claim_key`); the response is stored with the request's change (`complete`,
or `held_claim_sql`/`complete_sql` inside a hot path's one statement); a failed request's claim is released
(`release`); a claim whose request died is taken over after its lease (`_claim_existing`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from fastapi.responses import JSONResponse
from sqlmodel import JSON, Column, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import utcnow
from backend.core.database import TableBase, UTCDateTime, db
from backend.core.errors import Conflict, Unprocessable
from backend.core.i18n import Msg
from backend.core.rawsql import Driver, autocommit_driver, compiled
from backend.core.settings import get_settings

log = logging.getLogger("backend.idempotency")

IN_FLIGHT = "in_flight"
KEY_INDEX = "uq_idempotency_record_scope_key"  # one record per (scope, key)
COMPLETED = "completed"


class IdempotencyRecord(TableBase, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (
        sa.UniqueConstraint("scope", "key", name=KEY_INDEX),
        sa.CheckConstraint("status IN ('in_flight', 'completed')", name="status"),
    )

    scope: str = Field(max_length=100)
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    status: str = Field(max_length=16)
    token: uuid.UUID
    locked_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    response_status: int | None = None
    response_body: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class IdempotencyKeyInFlight(Conflict):
    code = "idempotency_key_in_flight"
    title = Msg(
        "相同的请求正在处理中，请稍后再试", "The same request is still being processed, try again shortly"
    )


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency_key_reused"
    title = Msg(
        "该幂等键已用于另一个不同的请求", "This Idempotency-Key was already used with a different request"
    )


def fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 of the method, path and body; JSON bodies are compared by content, not by formatting."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        payload = canonical.encode()
    except (ValueError, UnicodeDecodeError):
        payload = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + payload).hexdigest()


@dataclass
class Claim:
    record_id: uuid.UUID
    token: uuid.UUID


async def claim_key(
    scope: str, key: str, request_hash: str, driver: Driver | None = None
) -> Claim | JSONResponse:
    """Claim `key` for this request (committed at once), or return the stored response to replay.

    `driver` (a deferred claim): run on the request's own connection (`rawsql.session_driver`), so a request
    never holds two pooled connections at once (a rush of them would otherwise wait on each other)."""
    settings = get_settings()
    for _ in range(3):
        now = utcnow()
        token = uuid.uuid4()
        values = {
            "id": uuid.uuid4(),
            "scope": scope,
            "key": key,
            "request_hash": request_hash,
            "status": IN_FLIGHT,
            "token": token,
            "locked_at": now,
            "expires_at": now + timedelta(hours=settings.idempotency_ttl_hours),
            "created_at": now,
            "updated_at": now,
        }
        # The usual case, a new key: one statement, committed at once (on PostgreSQL in autocommit on the
        # driver: no BEGIN/COMMIT round trips; SQLite keeps its serialised write transaction).
        if driver is not None:
            row = await driver.fetchrow(compiled(_claim_statement()), values)
            record_id = None if row is None else row["id"]
        else:
            record_id = await _autocommit(_claim_statement(), values, returning=True)
        if record_id is not None:
            return Claim(record_id, token)
        outcome = await _claim_existing(scope, key, request_hash, values, driver)
        if outcome is not None:
            return outcome
    raise IdempotencyKeyInFlight(headers={"Retry-After": "1"})


async def _claim_existing(
    scope: str, key: str, request_hash: str, values: dict[str, Any], driver: Driver | None
) -> Claim | JSONResponse | None:
    """The key exists: replay it, refuse (in flight, reused) or take over a stale or expired claim, with
    the record locked; None when it vanished meanwhile (released: claim again)."""
    if driver is None:
        async with db.sessionmaker() as session, session.begin():
            row = (await session.execute(_locked_record(), {"k_scope": scope, "k_key": key})).one_or_none()
            decision = _decide(row, request_hash, values)
            if isinstance(decision, Claim):
                await session.execute(_takeover_statement(), _takeover_params(values, decision))
            return decision
    async with driver.raw.transaction():  # a savepoint if the request's transaction is open
        record = await driver.fetchrow(compiled(_locked_record()), {"k_scope": scope, "k_key": key})
        decision = _decide(None if record is None else _Record(**record), request_hash, values)
        if isinstance(decision, Claim):
            await driver.execute(compiled(_takeover_statement()), _takeover_params(values, decision))
        return decision


@dataclass(frozen=True)
class _Record:
    id: uuid.UUID
    request_hash: str
    status: str
    locked_at: datetime
    expires_at: datetime
    response_status: int | None
    response_body: Any


def _decide(row: Any, request_hash: str, values: dict[str, Any]) -> Claim | JSONResponse | None:
    if row is None:
        return None  # released between our insert and our read: try again
    now, lease = values["locked_at"], timedelta(seconds=get_settings().idempotency_lease_seconds)
    expired = row.expires_at < now
    if not expired and row.request_hash != request_hash:
        # Checked before any takeover: a key stays bound to its first request for 24 h, even when that
        # request died, so another body under the key is always a 422.
        raise IdempotencyKeyReused()
    if expired or (row.status == IN_FLIGHT and row.locked_at < now - lease):
        return Claim(row.id, values["token"])
    if row.status == COMPLETED:
        return JSONResponse(
            row.response_body, status_code=row.response_status, headers={"Idempotent-Replayed": "true"}
        )
    left = row.locked_at + lease - now
    raise IdempotencyKeyInFlight(headers={"Retry-After": str(max(1, math.ceil(left.total_seconds())))})


@cache
def _locked_record() -> sa.Select[Any]:
    table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
    columns = [table.c[c] for c in _Record.__dataclass_fields__]
    scope, key = (
        sa.bindparam("k_scope", type_=table.c.scope.type),
        sa.bindparam("k_key", type_=table.c.key.type),
    )
    return sa.select(*columns).where(table.c.scope == scope, table.c.key == key).with_for_update()


_TAKEN_OVER = ("request_hash", "status", "token", "locked_at", "expires_at", "updated_at")


@cache
def _takeover_statement() -> sa.Update:
    """A stale or expired claim becomes ours (`r_id`; the new claim's values, `t_*`)."""
    table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
    return (
        sa.update(table)
        .where(table.c.id == sa.bindparam("r_id", type_=table.c.id.type))
        .values(
            **{c: sa.bindparam(f"t_{c}", type_=table.c[c].type) for c in _TAKEN_OVER},
            response_status=None,
            response_body=None,
        )
    )


def _takeover_params(values: dict[str, Any], claim: Claim) -> dict[str, Any]:
    # Only these names: SQLAlchemy would add any other column-named parameter to the UPDATE's SET.
    return {"r_id": claim.record_id, **{f"t_{c}": values[c] for c in _TAKEN_OVER}}


@cache
def _claim_statement() -> sa.TextualSelect:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, as a text statement built once (SQLAlchemy compiles
    an `on_conflict_do_nothing` construct anew on every call: it has no cache key)."""
    table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
    columns = ["id", "scope", "key", "request_hash", "status", "token", "locked_at", "expires_at"]
    columns += ["created_at", "updated_at"]
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) "  # noqa: S608
        "ON CONFLICT (scope, key) DO NOTHING RETURNING id"
    )
    binds = (sa.bindparam(c, type_=table.c[c].type) for c in columns)
    return sa.text(sql).bindparams(*binds).columns(table.c.id)


async def complete(session: AsyncSession, claim: Claim, status: int, body: dict[str, Any]) -> None:
    """Store the response in the request's transaction; fails if the claim was taken over meanwhile."""
    params = {
        "r_id": claim.record_id,
        "r_token": claim.token,
        "r_status": status,
        "body": body,
        "now": utcnow(),
    }
    result = await session.execute(_complete_statement(), params)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise IdempotencyKeyInFlight()


@cache
def _complete_statement() -> sa.Update:
    """`complete`'s UPDATE, built once: its compiled form is cached (building it cost more than running)."""
    table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
    return (
        sa.update(table)
        .where(*_ours(table), table.c.status == IN_FLIGHT)
        .values(
            status=COMPLETED,
            response_status=sa.bindparam("r_status", type_=table.c.response_status.type),
            response_body=sa.bindparam("body", type_=table.c.response_body.type),
            updated_at=sa.bindparam("now", type_=table.c.updated_at.type),
        )
    )


def key_known_sql(scope: sa.ColumnElement[Any], key: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """Whether a key has a record (in flight or completed): for a deferred claim's first read (`Keyed`)."""
    table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
    return sa.exists().where(table.c.scope == scope, table.c.key == key)


def held_claim_sql() -> tuple[str, tuple[sa.BindParameter[Any], ...]]:
    """A SELECT that locks our claim (`r_id`, `r_token`) while it is in flight: no row if it was taken
    over. A statement that makes its change only when this has a row cannot commit under a lost claim."""
    table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
    sql = (
        f"SELECT id FROM {table.name} WHERE id = :r_id AND token = :r_token "  # noqa: S608
        f"AND status = '{IN_FLIGHT}' FOR UPDATE"
    )
    return sql, (
        sa.bindparam("r_id", type_=table.c.id.type),
        sa.bindparam("r_token", type_=table.c.token.type),
    )


def complete_sql(held: str, made: str) -> tuple[str, tuple[sa.BindParameter[Any], ...]]:
    """An UPDATE completing the claim locked by the CTE `held` (`held_claim_sql`) with the response
    (`r_status`, `r_body`, at `r_now`) when the CTE `made` has a row."""
    table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
    sql = (
        f"UPDATE {table.name} SET status = '{COMPLETED}', response_status = :r_status, "  # noqa: S608
        f"response_body = :r_body, updated_at = :r_now "
        f"WHERE id IN (SELECT id FROM {held}) AND EXISTS (SELECT 1 FROM {made}) RETURNING id"
    )
    return sql, _response_binds(table)


def _response_binds(table: sa.Table) -> tuple[sa.BindParameter[Any], ...]:
    """The stored response's parameters (`r_status`, `r_body`, at `r_now`)."""
    return (
        sa.bindparam("r_status", type_=table.c.response_status.type),
        sa.bindparam("r_body", type_=table.c.response_body.type),
        sa.bindparam("r_now", type_=table.c.updated_at.type),
    )


def record_completed_sql(source: str) -> tuple[str, tuple[sa.BindParameter[Any], ...]]:
    """An INSERT recording a key never seen before as already completed with the response (`r_*`, as
    `complete_sql`; the key's `k_scope`, `k_key`, `k_hash`, `k_expires`) when the CTE `source` has a row: a
    hot path's write that records its key itself instead of claiming it first. A concurrent request with
    the same key fails the statement on `KEY_INDEX`, so at most one of them writes anything."""
    table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
    sql = (
        f"INSERT INTO {table.name} (id, scope, key, request_hash, status, token, locked_at, expires_at, "  # noqa: S608
        "created_at, updated_at, response_status, response_body) "
        f"SELECT :r_id, :k_scope, :k_key, :k_hash, '{COMPLETED}', :r_token, :r_now, :k_expires, :r_now, "
        f":r_now, :r_status, :r_body FROM {source} RETURNING id"
    )
    c = table.c
    return sql, (
        sa.bindparam("r_id", type_=c.id.type),
        sa.bindparam("r_token", type_=c.token.type),
        sa.bindparam("k_scope", type_=c.scope.type),
        sa.bindparam("k_key", type_=c.key.type),
        sa.bindparam("k_hash", type_=c.request_hash.type),
        sa.bindparam("k_expires", type_=c.expires_at.type),
        *_response_binds(table),
    )


async def renew(claim: Claim) -> bool:
    """Extend the lease of a claim still held; False when it was taken over or completed."""
    # One autocommit statement built once: in a rush, requests queued for a connection longer than a third
    # of the lease renew while they wait, and each renewal must cost as little as possible.
    params = {"r_id": claim.record_id, "r_token": claim.token, "now": utcnow()}
    return bool(await _autocommit(_renew_statement(), params))


@cache
def _renew_statement() -> sa.Update:
    table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
    return (
        sa.update(table)
        .where(*_ours(table), table.c.status == IN_FLIGHT)
        .values(
            locked_at=sa.bindparam("now", type_=table.c.locked_at.type),
            updated_at=sa.bindparam("now", type_=table.c.updated_at.type),
        )
    )


async def release(claim: Claim) -> None:
    """Forget a claim whose request failed (its transaction rolled back), so the key can be retried."""
    try:
        # One statement, committed at once (autocommit on PostgreSQL: a refused booking in the rush pays
        # one round trip here, not BEGIN + DELETE + COMMIT).
        await _autocommit(_release_statement(), {"r_id": claim.record_id, "r_token": claim.token})
    except Exception:
        # The lease still frees the key later; the original error is what the client must see.
        log.exception("could not release idempotency claim %s", claim.record_id)


@cache
def _release_statement() -> sa.Delete:
    # Only a claim still in flight: a hot path's write may have completed it (and committed its change)
    # before the request failed on its way out; that response must stay for the retry to replay.
    table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
    return sa.delete(table).where(*_ours(table), table.c.status == IN_FLIGHT)


async def _autocommit(statement: sa.Executable, params: dict[str, Any], *, returning: bool = False) -> Any:
    """Run one statement committed at once: the first column of its row (`returning`), else its row count.
    On PostgreSQL straight on the driver (`backend.core.rawsql`): these run for every keyed request."""
    if db.engine.dialect.name == "postgresql":
        raw = compiled(statement)
        async with autocommit_driver() as driver:
            if returning:
                row = await driver.fetchrow(raw, params)
                return None if row is None else next(iter(row.values()))
            tag = await driver.execute(raw, params)
            return int(tag.rsplit(" ", 1)[-1])
    async with db.engine.begin() as conn:
        result = await conn.execute(statement, params)
        return result.scalar_one_or_none() if returning else result.rowcount


def _ours(table: sa.Table) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    """The claim's record and our token (`r_id`, `r_token`): a claim taken over has another token."""
    return (
        table.c.id == sa.bindparam("r_id", type_=table.c.id.type),
        table.c.token == sa.bindparam("r_token", type_=table.c.token.type),
    )


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    table = IdempotencyRecord.__table__  # type: ignore[attr-defined]
    result = await session.execute(sa.delete(table).where(table.c.expires_at < now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
