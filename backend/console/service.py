"""Dashboards: figures of several domains composed for one operator or one region, scoped by `Scope`."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import queries as catalogue
from backend.catalogue.errors import OperatorNotFound
from backend.console.schemas import NamedRef, OperatorDashboard, WindowOut
from backend.console.usage import usage_of
from backend.core.access import Principal
from backend.core.daterange import DateRange


async def dashboard_facilities(
    session: AsyncSession, principal: Principal, operator_id: uuid.UUID
) -> tuple[catalogue.Named, list[catalogue.Named]]:
    """The operator and those of its facilities the caller sees (a street office: the ones in its street);
    404 when the caller may not see the operator at all."""
    scope = await catalogue.resolve_scope(session, principal)
    operator = await catalogue.operator_named(session, operator_id)
    if operator is None or not scope.sees_operator(operator_id):
        raise OperatorNotFound()
    facilities = await catalogue.facilities_of_operators(session, [operator_id])
    return operator, [f for f in facilities if scope.sees_facility(f.id)]


async def operator_dashboard(
    session: AsyncSession, principal: Principal, operator_id: uuid.UUID, window: DateRange
) -> OperatorDashboard:
    operator, facilities = await dashboard_facilities(session, principal, operator_id)
    start, end = window.window()
    usage, served = await usage_of(session, [f.id for f in facilities], start, end)
    return OperatorDashboard(
        operator=NamedRef(id=operator.id, name=operator.name),
        window=WindowOut(from_=window.first, to=window.last),
        usage=usage,
        served=served,
    )
