"""The catalogue's public reads: what other domains may call (never the catalogue's tables directly)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import repository_scope as repo
from backend.core.access import Principal, RegionLevel, Role
from backend.core.scope import RegionFacts, Scope

_SESSION_KEY = "scope"


async def resolve_scope(session: AsyncSession, principal: Principal | None) -> Scope:
    """The caller's `Scope`, resolved once per transaction (memoised on the session)."""
    if principal is None:
        return Scope.nothing()
    memo: dict[object, Scope] = session.info.setdefault(_SESSION_KEY, {})
    key = (principal.id, principal.role, principal.operator_id, principal.supplier_id, principal.region_id)
    if key not in memo:
        memo[key] = await _resolve(session, principal)
    return memo[key]


async def _resolve(session: AsyncSession, principal: Principal) -> Scope:
    if principal.role == Role.admin:
        return Scope.admin(principal)
    if principal.role == Role.operator_staff and principal.operator_id is not None:
        facilities, suppliers = await repo.operator_reach(session, principal.operator_id)
        return Scope.for_operator(principal, facility_ids=facilities, supplier_ids=suppliers)
    if principal.role == Role.supplier_staff and principal.supplier_id is not None:
        hosts = await repo.supplier_hosts(session, principal.supplier_id)
        return Scope.for_supplier(principal, hosting_facility_ids=hosts)
    if principal.role == Role.regulator and principal.region_level and principal.region_id:
        communities, streets, districts = await repo.region_places(
            session, principal.region_level, principal.region_id
        )
        # A street office sees who serves its street; operators are registered with districts.
        registering = districts if principal.region_level != RegionLevel.street else frozenset()
        facilities, serving_ops, serving_sups, reg_ops, reg_sups = await repo.region_reach(
            session, communities, registering
        )
        return Scope.for_regulator(
            principal,
            region=RegionFacts(community_ids=communities, street_ids=streets, district_ids=districts),
            facility_ids=facilities,
            serving_operator_ids=serving_ops,
            registered_operator_ids=reg_ops,
            serving_supplier_ids=serving_sups,
            registered_supplier_ids=reg_sups,
        )
    return Scope.nothing(principal)
