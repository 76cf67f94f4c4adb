"""The cached slot list of a service (the hottest read of the morning rush).

The list is served through `backend.core.http_cache` under the namespace `slots:{service_id}`; every
change of a service's slots or bookings bumps that namespace once the change has committed (a core
after-commit hook, awaited before the response is sent), so the writer and everyone after see the new
list. The cache only serves reads: a booking is always decided by the database, never by the cache.
"""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core import http_cache
from backend.core.database import after_commit


def namespace(service_id: uuid.UUID) -> str:
    return f"slots:{service_id}"


async def bump(*service_ids: uuid.UUID) -> None:
    await http_cache.bump(*(namespace(s) for s in dict.fromkeys(service_ids)))


def invalidate_after_commit(session: AsyncSession, service_id: uuid.UUID) -> None:
    """Bump the service's namespace once the request's transaction has committed (once per request)."""
    pending: set[uuid.UUID] = session.info.setdefault("slot_cache_pending", set())
    if service_id in pending:
        return
    pending.add(service_id)

    async def _bump() -> None:
        pending.discard(service_id)
        await bump(service_id)

    after_commit(session, _bump)


async def invalidate_in_job(session: AsyncSession, *service_ids: uuid.UUID) -> None:
    """For jobs (no request): bump now and again after their transaction commits."""
    if service_ids:
        await http_cache.invalidate(session, *(namespace(s) for s in dict.fromkeys(service_ids)))
