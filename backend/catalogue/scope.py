"""Who on the staff side may see or change which catalogue objects.

- admin: everything;
- regulator: what lies in their region (`region_level` street | district | city, `region_id`): facilities
  in its communities, operators registered in a district the region touches, their suppliers;
- operator staff: their operator, its facilities and the suppliers it introduced;
- supplier staff: their supplier and its services.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import repository as repo
from backend.catalogue.errors import ServiceNotFound
from backend.catalogue.models import Facility, Operator, Service, Supplier
from backend.core.access import Principal, Role


def _is_regulator(principal: Principal) -> bool:
    return (
        principal.role == Role.regulator
        and principal.region_level is not None
        and principal.region_id is not None
    )


async def facility_in_scope(session: AsyncSession, principal: Principal, facility: Facility) -> bool:
    if principal.role == Role.admin:
        return True
    if principal.role == Role.operator_staff:
        return principal.operator_id is not None and facility.operator_id == principal.operator_id
    if _is_regulator(principal):
        assert principal.region_level is not None and principal.region_id is not None
        return await repo.community_in_region(
            session, facility.community_id, principal.region_level, principal.region_id
        )
    return False


async def operator_in_scope(session: AsyncSession, principal: Principal, operator: Operator) -> bool:
    if principal.role == Role.admin:
        return True
    if principal.role == Role.operator_staff:
        return operator.id == principal.operator_id
    if _is_regulator(principal):
        assert principal.region_level is not None and principal.region_id is not None
        return await repo.district_in_region(
            session, operator.district_id, principal.region_level, principal.region_id
        )
    return False


async def supplier_in_scope(session: AsyncSession, principal: Principal, supplier: Supplier) -> bool:
    if principal.role == Role.supplier_staff:
        return supplier.id == principal.supplier_id
    if principal.role == Role.operator_staff:
        return supplier.operator_id == principal.operator_id
    operator = await repo.get_operator(session, supplier.operator_id)
    return operator is not None and await operator_in_scope(session, principal, operator)


async def staff_can_see_service(session: AsyncSession, principal: Principal, service: Service) -> bool:
    """Supplier staff of its supplier, operator staff of its facility's operator, regulators whose region
    contains its facility, and admin."""
    if principal.role == Role.admin:
        return True
    if principal.role == Role.supplier_staff:
        return principal.supplier_id is not None and service.supplier_id == principal.supplier_id
    if principal.role in (Role.operator_staff, Role.regulator):
        facility = await repo.get_facility(session, service.facility_id)
        return facility is not None and await facility_in_scope(session, principal, facility)
    return False


async def get_service_for_supplier(
    session: AsyncSession, principal: Principal, service_id: uuid.UUID
) -> Service:
    """The service, if the caller is staff of its supplier; else 404 `service_not_found`."""
    service = await repo.get_service(session, service_id)
    if (
        service is None
        or principal.role != Role.supplier_staff
        or principal.supplier_id is None
        or service.supplier_id != principal.supplier_id
    ):
        raise ServiceNotFound()
    return service


def facility_scope_condition(principal: Principal) -> Any | None:
    """A SQL condition on `Facility` limiting a staff list to the caller's scope (None: no limit)."""
    if principal.role == Role.admin:
        return None
    if principal.role == Role.operator_staff and principal.operator_id is not None:
        return Facility.operator_id == principal.operator_id
    if _is_regulator(principal):
        assert principal.region_level is not None and principal.region_id is not None
        return col(Facility.community_id).in_(
            repo.communities_in_region(principal.region_level, principal.region_id)
        )
    return col(Facility.id).is_(None)  # nothing


def operator_scope_condition(principal: Principal) -> Any | None:
    if principal.role == Role.admin:
        return None
    if principal.role == Role.operator_staff and principal.operator_id is not None:
        return Operator.id == principal.operator_id
    if _is_regulator(principal):
        assert principal.region_level is not None and principal.region_id is not None
        return col(Operator.district_id).in_(
            repo.districts_in_region(principal.region_level, principal.region_id)
        )
    return col(Operator.id).is_(None)


def supplier_scope_condition(principal: Principal) -> Any | None:
    if principal.role == Role.admin:
        return None
    if principal.role == Role.supplier_staff and principal.supplier_id is not None:
        return Supplier.id == principal.supplier_id
    if principal.role == Role.operator_staff and principal.operator_id is not None:
        return Supplier.operator_id == principal.operator_id
    operators = operator_scope_condition(principal)
    if principal.role == Role.regulator and operators is not None:
        return col(Supplier.operator_id).in_(select(Operator.id).where(operators))
    return col(Supplier.id).is_(None)
