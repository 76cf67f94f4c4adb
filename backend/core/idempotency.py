"""`Idempotency-Key` for create endpoints, stored in the database.

Contract: the same key and body within 24 h returns the first response; the same key with another body is
a 422 `idempotency_key_reused`; the same key while the first request still runs is a 409
`idempotency_key_in_flight`. Keys are scoped per caller (role and id): two residents never collide.

How it works:
1. Before the route runs, the key is *claimed* in its own short transaction, committed at once, as an
   `in_flight` row with a fresh fencing `token`. A concurrent duplicate finds that row and gets 409.
2. The route's work and the completion (`status = completed`, the response status and body) are written
   in the request's one transaction, so a booking and its stored response commit or vanish together.
3. If the request fails in any way (a 4xx rule, a validation error, an unexpected error, a failed
   commit), its transaction is rolled back, nothing happened, and the claim is *released* (deleted) in a
   fresh transaction: the client may retry with the same key. Only successful responses are stored.
4. A deferred key (`keyed_transaction`, the booking write on PostgreSQL) is handled by the
   work itself, after its read-only refusals (a full slot in the morning rush writes nothing). A key the
   work's first read finds already known is claimed before anything is answered (`Keyed.claim`), so
   retries still replay and a duplicate in flight still gets 409; its claim is completed inside the
   work's one write statement, fenced by the claim's token. A key the first read did not find is not
   claimed at all: the write statement records it, completed with the response (`Keyed.for_write`), and
   a concurrent request with the same key fails that statement on the key's unique index (409 in
   flight; its retry is replayed). No lease is renewed for either: the one write is atomic and fenced.
5. A claim is a lease of `idempotency_lease_seconds` (10 s), renewed every third of it while the request
   runs. If the process dies (kill -9) or the release itself fails (the database is down), renewal stops
   and, at most one lease later, the next request with that key takes the claim over with a new token: an
   honest retry succeeds within seconds. The 409 tells when (`Retry-After`). The completion is fenced by
   the token, so a request that lost its claim cannot commit.

Usage in a route (declare the dependency before `SessionDep`, so its cleanup runs after the commit):

    async def create_x(idem: Annotated[Idempotency, Depends(idempotent(RESIDENT))], session: SessionDep,
                       body: XCreate) -> Any:
        return await idem.run(session, lambda: service.create_x(session, idem.principal, body))
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.access import Access, Principal
from backend.core.database import db, request_transaction
from backend.core.idempotency_records import (
    Claim,
    claim_key,
    complete,
    fingerprint,
    release,
    renew,
)
from backend.core.rawsql import session_driver
from backend.core.settings import get_settings

log = logging.getLogger("backend.idempotency")

HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class NewKey:
    """A key the work's first read did not find: its write records it, completed (`record_completed_sql`)."""

    scope: str
    key: str
    request_hash: str


@dataclass
class Completion:
    """The Idempotency-Key's response, stored by the work itself in the statement that makes its change (a
    hot path): with a `claim`, the work binds `params(body)` into `held_claim_sql`/`complete_sql`; with a
    `new_key`, into `record_completed_sql`. It sets `stored` once it wrote."""

    claim: Claim
    status: int
    stored: bool = False
    new_key: NewKey | None = None

    def params(self, body: dict[str, Any], now: datetime) -> dict[str, Any]:
        params = {"r_id": self.claim.record_id, "r_token": self.claim.token, "r_status": self.status,
                  "r_body": body, "r_now": now}  # fmt: skip
        if self.new_key is not None:
            expires = now + timedelta(hours=get_settings().idempotency_ttl_hours)
            key = self.new_key
            params.update(k_scope=key.scope, k_key=key.key, k_hash=key.request_hash, k_expires=expires)
        return params


@dataclass
class Idempotency:
    """What a route gets: the caller, and either a claim to complete or a stored response to replay."""

    principal: Principal
    key: str | None = None
    claim: Claim | None = None
    replay: JSONResponse | None = None
    completed: bool = field(default=False)
    # A deferred claim (`keyed_transaction`): taken by the work through `Keyed.claim`.
    scope: str | None = None
    request_hash: str | None = None

    async def run(
        self, session: AsyncSession, work: Callable[[], Awaitable[BaseModel]], status_code: int = 201
    ) -> Any:
        """Replay the stored response, or do `work` and store its result in the same transaction."""
        return await self.run_keyed(session, lambda _keyed: work(), status_code)

    async def run_keyed(
        self, session: AsyncSession, work: Callable[[Keyed], Awaitable[BaseModel]], status_code: int = 201
    ) -> Any:
        """`run` for a hot path that takes the claim itself (`Keyed.claim`, when its cheap refusals are
        behind it) and may store the response in its own write (`Completion`); when it did not, the
        response is stored here, in the request's transaction, as `run` does."""
        if self.replay is not None:
            return self.replay
        keyed = Keyed(self, session, status_code)
        try:
            result = await work(keyed)
            # Taken already unless the work never asked (it must ask before it writes, if it writes).
            completion = keyed.completion or await keyed.claim()
        except Replayed as replayed:
            return replayed.response
        if self.key is not None:
            if completion is not None and not completion.stored:
                await complete(session, completion.claim, status_code, result.model_dump(mode="json"))
            self.completed = True
        return result


class Replayed(Exception):
    def __init__(self, response: JSONResponse) -> None:
        self.response = response


@dataclass
class Keyed:
    """A hot path's handle on the request's Idempotency-Key. With a deferred claim (`keyed_transaction`,
    PostgreSQL), `lookup` is the (scope, key) the work checks in its first read: a key
    already known there must be claimed before anything is answered (to replay, or to refuse a duplicate
    in flight); otherwise the work refuses what it must without writing, and claims just before its write."""

    idempotency: Idempotency
    session: AsyncSession
    status: int
    completion: Completion | None = None

    @property
    def lookup(self) -> tuple[str, str] | None:
        idem = self.idempotency
        if idem.key is None or idem.claim is not None or idem.scope is None:
            return None
        return idem.scope, idem.key

    async def claim(self) -> Completion | None:
        """The claim (taken now if deferred), or None without a key; raises `Replayed` with the stored
        response, 409 `idempotency_key_in_flight` or 422 `idempotency_key_reused` as `claim_key` decides."""
        idem = self.idempotency
        if idem.key is None:
            return None
        if idem.claim is None:
            assert idem.scope is not None and idem.request_hash is not None
            driver = await session_driver(self.session)
            claimed = await claim_key(idem.scope, idem.key, idem.request_hash, driver)
            if isinstance(claimed, JSONResponse):
                raise Replayed(claimed)
            idem.claim = claimed
        if self.completion is None:
            self.completion = Completion(idem.claim, self.status)
        return self.completion

    def for_write(self) -> Completion | None:
        """What the work's one write statement stores the response with: the claim when one was taken (a
        known key, or SQLite's up-front claim); otherwise (a deferred key its first read did not find) a new
        record, inserted completed by that same statement: no claim, no commit of its own, nothing to
        release. A concurrent request with the same key fails its statement on the key's unique index
        (409 `idempotency_key_in_flight`; its retry is replayed)."""
        idem = self.idempotency
        if idem.key is None:
            return None
        if self.completion is None:
            if idem.claim is not None:
                self.completion = Completion(idem.claim, self.status)
            else:
                assert idem.scope is not None and idem.request_hash is not None
                new_key = NewKey(idem.scope, idem.key, idem.request_hash)
                self.completion = Completion(Claim(uuid.uuid4(), uuid.uuid4()), self.status, new_key=new_key)
        return self.completion


@asynccontextmanager
async def leased(claim: Claim, every_seconds: float | None = None) -> AsyncIterator[None]:
    """Keep renewing the claim's lease while the body runs (a request slower than the lease keeps it)."""
    every = every_seconds or max(get_settings().idempotency_lease_seconds / 3, 0.5)

    async def _renew_forever() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                if not await renew(claim):
                    return
            except Exception:
                log.warning("could not renew idempotency claim %s", claim.record_id, exc_info=True)

    task = asyncio.create_task(_renew_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


KeyHeader = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=255,
        pattern=r"^[!-~]+$",
        description="Optional; the same key and body within 24 h returns the first response.",
    ),
]


def idempotent(access: Access) -> Callable[..., AsyncIterator[Idempotency]]:
    """A dependency (declare it before `SessionDep`) that admits `access` and handles the key."""

    async def dependency(
        request: Request,
        principal: Principal = Depends(access),  # a default, not Annotated: `access` is a closure variable
        key: KeyHeader = None,
    ) -> AsyncIterator[Idempotency]:
        async with _keyed(request, principal, key, deferred=False) as idem:
            yield idem

    return dependency


@asynccontextmanager
async def keyed_transaction(
    request: Request, principal: Principal, key: str | None
) -> AsyncIterator[tuple[Idempotency, AsyncSession]]:
    """`idempotent(access)` and `SessionDep` for a hot path run with `Idempotency.run_keyed`, without either
    dependency: the route declares its caller and `KeyHeader` itself and opens this around its work (FastAPI's
    resolution of the two generator dependencies cost the booking write ~10 % of its CPU). The key is handled
    around the request's transaction as the dependencies do, its cleanup after the commit.

    The key is deferred (PostgreSQL, where a claim is one autocommitted statement): claimed by the work after
    its read-only refusals, so a refused request (a full slot in the morning rush) writes nothing: no claim
    and no release. Its last write is fenced by the claim's token (`held_claim_sql`), so no lease is kept.
    On SQLite it is claimed up front, as `idempotent` does."""
    async with _keyed(request, principal, key, deferred=True) as idem, request_transaction() as session:
        yield idem, session


@asynccontextmanager
async def _keyed(
    request: Request, principal: Principal, key: str | None, *, deferred: bool
) -> AsyncIterator[Idempotency]:
    """The key's handling around the route's work (see the module's docstring)."""
    if key is None:
        yield Idempotency(principal)
        return
    scope = f"{principal.role.value}:{principal.id}"
    # The scope's path is what `request.url.path` gives for any routed path, without building the URL.
    request_hash = fingerprint(request.method, request.scope["path"], await request.body())
    if deferred and db.engine.dialect.name == "postgresql":
        late = Idempotency(principal, key, scope=scope, request_hash=request_hash)
        try:
            yield late
        except BaseException:
            if late.claim is not None:
                await release(late.claim)
            raise
        if late.claim is not None and not late.completed:
            await release(late.claim)
        return
    claimed = await claim_key(scope, key, request_hash)
    if isinstance(claimed, JSONResponse):
        yield Idempotency(principal, key, replay=claimed)
        return
    ctx = Idempotency(principal, key, claim=claimed)
    try:
        async with leased(claimed):
            yield ctx
    except BaseException:
        await release(claimed)
        raise
    if not ctx.completed:
        await release(claimed)
