"""Cached public reads: shared response cache, `ETag` / `If-None-Match` (304), versioned invalidation.

A read route builds its body once per *version* of the data it shows; writers bump the version instead of
hunting for keys. Each namespace (e.g. ``"catalogue"`` or ``f"slots:{service_id}"``) has a counter in the
cache (`get_kv().cache`: Redis, or the in-process stand-in); a stored response starts with the counters of
every namespace it depends on, and is served only while they are current, so a bump makes every older body
unreachable. A hit is one round trip (the counters and the body in one MGET), or none when the body is
kept in the process and Redis has said that none of its counters moved since (`backend.core.near_cache`).
If Redis is down the reads still work: every read misses and goes to the database.

In a route (public reads only: the body must not depend on who calls)::

    @router.get("/things/{id}", response_model=ThingPublic, dependencies=[Depends(PUBLIC)])
    async def get_thing(id: uuid.UUID, request: Request, session: SessionDep) -> Response:
        return await cached_json(request, ("things",), lambda: service.get_thing(session, id))

In the service that changes the data (same transaction as the write)::

    await invalidate(session, "things")

`invalidate` bumps at once *and* again after the transaction commits: the first bump makes the writer's
next read fresh; the second (awaited before the response in a request) drops anything a concurrent reader
cached from the pre-commit state.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.coalesce import Coalesced
from backend.core.database import after_commit
from backend.core.i18n import current_language
from backend.core.kv import get_kv
from backend.core.near_cache import Near

log = logging.getLogger("backend.http_cache")

DEFAULT_TTL_SECONDS = 300
_VERSION_PREFIX = "ver:"
_BODY_PREFIX = "http:"


async def namespace_version(namespace: str) -> str:
    raw = await get_kv().cache.get(_VERSION_PREFIX + namespace)
    return raw.decode() if raw else "0"


async def _incr(counter: str) -> None:
    await get_kv().cache.incr(counter)


# Writers of one namespace at once share an INCR (`backend.core.coalesce`): one begun after each asked.
_bumps = Coalesced(_incr)


async def bump(*namespaces: str) -> None:
    """Make every cached response that depends on these namespaces stale: returns once each namespace's
    counter has been moved by an INCR begun after the call."""
    for ns in namespaces:
        await _bumps.run(_VERSION_PREFIX + ns)


def invalidate_after_commit(session: AsyncSession, *namespaces: str) -> None:
    """Bump the namespaces once the session's transaction has committed (not on rollback): a core
    after-commit hook (`backend.core.database.after_commit`), awaited before the response in a request."""

    async def _bump() -> None:
        await bump(*namespaces)

    after_commit(session, _bump)


async def invalidate(session: AsyncSession, *namespaces: str) -> None:
    """Call from a service after a write: bump now and again after commit."""
    await bump(*namespaces)
    invalidate_after_commit(session, *namespaces)


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*":
            return True
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == etag:
            return True
    return False


def _encode(value: Any) -> bytes:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return json.dumps(jsonable_encoder(value), ensure_ascii=False, separators=(",", ":")).encode()


def _body_key(request: Request) -> str:
    query = "&".join(sorted(f"{k}={v}" for k, v in request.query_params.multi_items()))
    ident = f"{request.url.path}?{query}|{current_language()}"
    return _BODY_PREFIX + hashlib.sha256(ident.encode()).hexdigest()


def _response(request: Request, body: bytes, max_age: int, etag: str) -> Response:
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={max_age}, must-revalidate",
        "Vary": "Accept-Language",
    }
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)


async def cached_json(
    request: Request,
    namespaces: Iterable[str],
    build: Callable[[], Awaitable[Any]],
    *,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    max_age: int = 0,
) -> Response:
    """Serve `build()`'s JSON from the cache when the namespaces have not changed; 304 when the client's
    `If-None-Match` still matches. Errors raised by `build` propagate (and are never cached)."""
    namespaces = tuple(namespaces)
    counters = tuple(_VERSION_PREFIX + ns for ns in namespaces)
    kv = get_kv()
    key = _body_key(request)
    near = kv.near
    if near is not None and near.get(key) is not None:
        # One turn of the loop first: a bump notice that reached this process before this request did is
        # applied before the body is trusted (backend/core/near_cache.py).
        await asyncio.sleep(0)
        kept = near.get(key)
        if kept is not None:
            return _response(request, kept.body, max_age, kept.etag)
    mark = near.mark(counters) if near is not None else None  # before the read: `put` checks it again
    # One round trip: the namespaces' versions and the stored body, which starts with the versions it was
    # built at; a body built at other versions is a miss (so a bump makes every older body unreachable).
    *raw_versions, stored = await kv.cache.get_many(*counters, key)
    tag = "|".join(f"{ns}={v.decode() if v else '0'}" for ns, v in zip(namespaces, raw_versions, strict=True))
    head = tag.encode() + b"\n"
    if stored is not None and stored.startswith(head):
        body = stored[len(head) :]
    else:
        body = _encode(await build())
        await kv.cache.set(key, head + body, ttl_seconds)
    etag = etag_for(body)
    if near is not None and mark is not None:
        near.put(key, Near(body, etag, counters, mark, time.monotonic() + ttl_seconds))
    return _response(request, body, max_age, etag)
