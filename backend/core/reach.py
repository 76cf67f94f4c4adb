"""How a caller's reach is built: the role decides which ids make up its `Scope`, read by the domain that
knows the places (the catalogue implements `ReachLoader`; `backend.catalogue.queries.resolve_scope`).
`backend.core.scope` answers the questions once the Scope exists."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from backend.core.access import Principal, RegionLevel, Role
from backend.core.scope import RegionFacts, Scope


@dataclass(frozen=True, slots=True)
class RegulatorReach:
    """What a regulator's region holds (see `Scope.for_regulator`)."""

    region: RegionFacts
    facility_ids: frozenset[uuid.UUID]
    serving_operator_ids: frozenset[uuid.UUID]
    registered_operator_ids: frozenset[uuid.UUID]
    serving_supplier_ids: frozenset[uuid.UUID]
    registered_supplier_ids: frozenset[uuid.UUID]


class ReachLoader(Protocol):
    """The ids a caller's reach is made of, read by the domain that knows the places (the catalogue)."""

    async def operator_reach(
        self, operator_id: uuid.UUID
    ) -> tuple[frozenset[uuid.UUID], frozenset[uuid.UUID]]:
        """(facility ids, supplier ids) of an operator."""
        ...

    async def supplier_hosts(self, supplier_id: uuid.UUID) -> frozenset[uuid.UUID]:
        """The facilities where a supplier runs services."""
        ...

    async def regulator_reach(self, level: RegionLevel, region_id: uuid.UUID) -> RegulatorReach: ...


async def build_scope(principal: Principal, loader: ReachLoader) -> Scope:
    """The one place a caller's role decides what it reaches: admin everything, operator staff their operator,
    supplier staff their supplier, a regulator its region, anyone else nothing."""
    if principal.role == Role.admin:
        return Scope.admin(principal)
    if principal.role == Role.operator_staff and principal.operator_id is not None:
        facilities, suppliers = await loader.operator_reach(principal.operator_id)
        return Scope.for_operator(principal, facility_ids=facilities, supplier_ids=suppliers)
    if principal.role == Role.supplier_staff and principal.supplier_id is not None:
        hosts = await loader.supplier_hosts(principal.supplier_id)
        return Scope.for_supplier(principal, hosting_facility_ids=hosts)
    if principal.role == Role.regulator and principal.region_level and principal.region_id:
        reach = await loader.regulator_reach(principal.region_level, principal.region_id)
        return Scope.for_regulator(
            principal,
            region=reach.region,
            facility_ids=reach.facility_ids,
            serving_operator_ids=reach.serving_operator_ids,
            registered_operator_ids=reach.registered_operator_ids,
            serving_supplier_ids=reach.serving_supplier_ids,
            registered_supplier_ids=reach.registered_supplier_ids,
        )
    return Scope.nothing(principal)
