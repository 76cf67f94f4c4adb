"""Dashboard routes: operators' staff see their own operator, regulators what lies in their region."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.console import service
from backend.console.export import REGION_TABLES, TABLES, ExportFormat, export_response
from backend.console.schemas import OperatorDashboard, RegionDashboard
from backend.core.access import OperatorOrOversight, Oversight, RegionLevel
from backend.core.clock import InRangeDate
from backend.core.database import SessionDep
from backend.core.daterange import DateRange, check_range, shanghai_today

router = APIRouter(tags=["dashboards"])

MAX_DAYS = 731


async def dashboard_window(  # async: no thread-pool hop per request
    from_: Annotated[
        InRangeDate | None,
        Query(
            alias="from",
            description="First day, included (YYYY-MM-DD; default: 12 months back, 1st of month)",
        ),
    ] = None,
    to: Annotated[
        InRangeDate | None,
        Query(description=f"Last day, included (YYYY-MM-DD; default today; at most {MAX_DAYS} days)"),
    ] = None,
) -> DateRange:
    last = to or shanghai_today()
    first = from_ or (last.replace(day=1) - timedelta(days=335)).replace(day=1)
    return check_range(first, last, MAX_DAYS)


Window = Annotated[DateRange, Depends(dashboard_window)]
Viewer = OperatorOrOversight


@router.get("/operators/{operator_id}/dashboard", response_model=OperatorDashboard)
async def operator_dashboard(
    operator_id: uuid.UUID, window: Window, principal: Viewer, session: SessionDep
) -> OperatorDashboard:
    """Usage and served figures of one operator (satisfaction and complaints join as those domains land)."""
    return await service.operator_dashboard(session, principal, operator_id, window)


@router.get("/operators/{operator_id}/dashboard/export")
async def export_operator_table(
    operator_id: uuid.UUID,
    window: Window,
    principal: Viewer,
    session: SessionDep,
    table: Annotated[str, Query(pattern=r"^[a-z_]+$", description="One of the dashboard's tables")],
    format: Annotated[ExportFormat, Query(description="csv (UTF-8 with BOM) or xlsx")] = ExportFormat.csv,
):  # type: ignore[no-untyped-def]
    """One table of the dashboard as a download (streamed), for Excel."""
    dashboard = await service.operator_dashboard(session, principal, operator_id, window)
    return export_response(TABLES, dashboard, table, format, stem=f"dashboard-{shanghai_today():%Y%m%d}")


@router.get("/regions/{level}/{region_id}/dashboard", response_model=RegionDashboard)
async def region_dashboard(
    level: RegionLevel,
    region_id: uuid.UUID,
    window: Window,
    principal: Oversight,
    session: SessionDep,
) -> RegionDashboard:
    """Per operator and facility across a street, district or city (regulators over it; admins): usage,
    satisfaction, complaints, each operator's published grade and the open findings (configuration, safety,
    late or missing reports, overdue rectifications)."""
    return await service.region_dashboard(session, principal, level, region_id, window)


@router.get("/regions/{level}/{region_id}/dashboard/export")
async def export_region_table(
    level: RegionLevel,
    region_id: uuid.UUID,
    window: Window,
    principal: Oversight,
    session: SessionDep,
    table: Annotated[str, Query(pattern=r"^[a-z_]+$", description=f"One of: {', '.join(REGION_TABLES)}")],
    format: Annotated[ExportFormat, Query(description="csv (UTF-8 with BOM) or xlsx")] = ExportFormat.csv,
):  # type: ignore[no-untyped-def]
    """One table of the region dashboard (operators with grades and findings, facilities) as a download."""
    dashboard = await service.region_dashboard(session, principal, level, region_id, window)
    stem = f"region-{level.value}-{shanghai_today():%Y%m%d}"
    return export_response(REGION_TABLES, dashboard, table, format, stem=stem)
