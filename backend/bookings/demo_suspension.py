"""Demo suspension notice waiting for the street office's consent (Wuhan art. 14): 江城颐康 gives notice
that one of its government-subsidised services stops, with its written report; the street office of
后湖街道 (`regulator-street-1`) sees it pending in `GET /suspensions?consent_status=pending` and can answer.

Idempotent: filed only when no notice is pending yet. Announced through the service, so
the notice carries the same checks, audit row and consent due day as one filed over the API.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.bookings import repository as repo
from backend.bookings.models import ConsentStatus, Suspension
from backend.bookings.schemas import SuspensionCreate
from backend.bookings.service.suspensions import announce
from backend.catalogue.demo_data import OPERATOR_IDS
from backend.catalogue.queries import ServiceStatus, ruleset_for_facility, services_sql, subsidised_services
from backend.core.access import Principal, Role
from backend.core.clock import SHANGHAI, utcnow
from backend.core.demo_ids import demo_id

YIKANG = "江城颐康社区服务有限公司"
OPERATOR_STAFF = demo_id("staff_account", "operator-1")


async def seed(session: AsyncSession) -> None:
    pending = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Suspension)
        .where(col(Suspension.consent_status) == ConsentStatus.pending.value)
    )
    if pending:
        return
    operator_id = OPERATOR_IDS[YIKANG]
    service_sql = services_sql()
    now = utcnow()
    services = (
        await session.execute(
            sa.select(service_sql.c.id, service_sql.c.facility_id)
            .where(service_sql.c.status == ServiceStatus.active)
            .order_by(service_sql.c.id)
        )
    ).all()
    for service in services:
        if await repo.facility_operator(session, service.facility_id) != operator_id:
            continue
        if not await subsidised_services(session, service_id=service.id, at=now):
            continue
        rules = (await ruleset_for_facility(session, service.facility_id)).document.oversight
        starts_on = now.astimezone(SHANGHAI).date() + timedelta(days=rules.suspension_notice_days + 14)
        principal = Principal(id=OPERATOR_STAFF, role=Role.operator_staff, operator_id=operator_id)
        body = SuspensionCreate(
            service_id=service.id,
            starts_on=starts_on,
            reason="场地改造，暂停该项服务",
            report="因社区用房改造，拟暂停本项服务约三个月；已安排周边站点承接，请街道办事处审核同意。",
        )
        await announce(session, principal, body)
        return
