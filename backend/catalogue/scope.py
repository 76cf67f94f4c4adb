"""The catalogue's object-level gates, answered by the caller's `Scope` (`backend.core.scope`, resolved by
`backend.catalogue.queries.resolve_scope`): fetch an object and refuse it when it lies outside the scope."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import repository as repo
from backend.catalogue.errors import ServiceNotFound
from backend.catalogue.models import Service
from backend.catalogue.queries import resolve_scope
from backend.core.access import Principal


async def get_service_for_supplier(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID
) -> Service:
    """The service, if the caller acts for it (staff of its supplier); else 404 `service_not_found`."""
    service = await repo.get_service(session, service_id)
    scope = await resolve_scope(session, principal)
    scope.require(service is not None and scope.acts_for_service(service.supplier_id), ServiceNotFound())
    assert service is not None
    return service
