"""Dashboards: figures of several domains composed for one operator or one region, scoped by `Scope`."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import queries as catalogue
from backend.catalogue.errors import OperatorNotFound
from backend.console.complaints import complaints_of
from backend.console.findings import standings
from backend.console.satisfaction import satisfaction_of
from backend.console.schemas import (
    NamedRef,
    OperatorDashboard,
    RegionDashboard,
    RegionRef,
    RegionUsage,
    WindowOut,
)
from backend.console.usage import regroup, usage_of
from backend.core.access import Principal, RegionLevel
from backend.core.clock import to_shanghai, utcnow
from backend.core.daterange import DateRange
from backend.core.errors import NotFound
from backend.core.i18n import Msg


async def dashboard_facilities(
    session: AsyncSession, principal: Principal, operator_id: uuid.UUID
) -> tuple[catalogue.Named, list[catalogue.Named], bool]:
    """The operator and those of its facilities the caller sees (a street office: the ones in its street);
    404 when the caller may not see the operator at all."""
    scope = await catalogue.resolve_scope(session, principal)
    operator = await catalogue.operator_named(session, operator_id)
    if operator is None or not scope.sees_operator(operator_id):
        raise OperatorNotFound()
    facilities = await catalogue.facilities_of_operators(session, [operator_id])
    visible = [f for f in facilities if scope.sees_facility(f.id)]
    # Complaints naming the operator but no facility belong to whoever sees the whole operator.
    return operator, visible, len(visible) == len(facilities)


async def operator_dashboard(
    session: AsyncSession, principal: Principal, operator_id: uuid.UUID, window: DateRange
) -> OperatorDashboard:
    operator, facilities, whole = await dashboard_facilities(session, principal, operator_id)
    start, end = window.window()
    ids = [f.id for f in facilities]
    usage, served = await usage_of(session, ids, start, end)
    satisfaction, rectifications, _ = await satisfaction_of(session, ids, start, end)
    complaints = await complaints_of(session, ids, start, end, [operator_id] if whole else [])
    return OperatorDashboard(
        operator=NamedRef(id=operator.id, name=operator.name),
        window=WindowOut(from_=window.first, to=window.last),
        satisfaction=satisfaction,
        rectifications=rectifications,
        complaints=complaints,
        usage=usage,
        served=served,
    )


class RegionNotFound(NotFound):
    code = "region_not_found"
    title = Msg("区域不存在", "Region not found")


async def region_dashboard(
    session: AsyncSession, principal: Principal, level: RegionLevel, region_id: uuid.UUID, window: DateRange
) -> RegionDashboard:
    """Every operator and facility of a street, district or city: for regulators over it, and admins."""
    scope = await catalogue.resolve_scope(session, principal)
    if not scope.sees_region(level, region_id) or not await catalogue.place_exists(session, level, region_id):
        raise RegionNotFound()
    facilities = await catalogue.facilities_in_region(session, level, region_id)
    operator_of = {str(f.id): (str(f.operator_id), f.operator) for f in facilities}
    start, end = window.window()
    ids = [f.id for f in facilities]
    usage, served = await usage_of(session, ids, start, end)
    satisfaction, rectifications, by_op = await satisfaction_of(session, ids, start, end, operator_of)
    operators = {f.operator_id: f.operator for f in facilities}
    now = utcnow()
    findings, by_operator, by_facility = await standings(
        session, facilities, first=window.first, last=window.last, now=now, today=to_shanghai(now).date()
    )
    return RegionDashboard(
        region=RegionRef(level=level.value, id=region_id),
        window=WindowOut(from_=window.first, to=window.last),
        operators=[NamedRef(id=i, name=n) for i, n in sorted(operators.items(), key=lambda p: (p[1], p[0]))],
        findings=findings,
        by_operator=by_operator,
        by_facility=by_facility,
        satisfaction=satisfaction,
        satisfaction_by_operator=by_op,
        rectifications=rectifications,
        complaints=await complaints_of(session, ids, start, end),
        usage=RegionUsage(
            total=usage.total,
            by_month=usage.by_month,
            by_operator=regroup(usage.by_facility, lambda key: operator_of.get(key, (key, key))),
            by_facility=usage.by_facility,
            by_function=usage.by_function,
        ),
        served=served,
    )
