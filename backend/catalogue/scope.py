"""The catalogue's object-level gates, answered by the caller's `Scope` (`backend.core.scope`, resolved by
`backend.catalogue.queries.resolve_scope`): fetch an object and refuse it when it lies outside the scope."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import repository as repo
from backend.catalogue.errors import ServiceNotFound
from backend.catalogue.models import Service
from backend.catalogue.queries import resolve_scope
from backend.core.access import Principal


async def service_row_for_supplier(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID
) -> Service:
    """The service's row (the catalogue's own writes), if the caller acts for it (staff of its supplier); else
    404 `service_not_found`."""
    service = await repo.get_service(session, service_id)
    scope = await resolve_scope(session, principal)
    scope.require(service is not None and scope.acts_for_service(service.supplier_id), ServiceNotFound())
    assert service is not None
    return service


@dataclass(frozen=True, slots=True)
class SupplierService:
    """What other domains learn of a service its supplier acts on (a copy: never the catalogue's row)."""

    id: uuid.UUID
    name: str
    supplier_id: uuid.UUID
    facility_id: uuid.UUID
    function: str
    service_class: str
    booking_mode: str
    status: str
    min_age_years: int | None
    max_age_years: int | None
    cancel_cutoff_minutes: int
    order_cutoff_minutes: int | None
    requires_address: bool


async def get_service_for_supplier(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID
) -> SupplierService:
    """The service, if the caller acts for it (staff of its supplier); else 404 `service_not_found`."""
    s = await service_row_for_supplier(session, principal, service_id)
    return SupplierService(
        id=s.id,
        name=s.name,
        supplier_id=s.supplier_id,
        facility_id=s.facility_id,
        function=s.function,
        service_class=s.service_class,
        booking_mode=s.booking_mode,
        status=s.status,
        min_age_years=s.min_age_years,
        max_age_years=s.max_age_years,
        cancel_cutoff_minutes=s.cancel_cutoff_minutes,
        order_cutoff_minutes=s.order_cutoff_minutes,
        requires_address=s.requires_address,
    )
