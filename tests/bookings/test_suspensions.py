"""Suspension notices: at least 60 days ahead; bookings from that date refused; holders told."""

from __future__ import annotations

from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.models import SubsidyRule
from backend.core.clock import SHANGHAI, utcnow
from backend.notifications.models import OutboxMessage
from tests.bookings.factories import (
    World,
    make_resident,
    make_slot,
    operator_headers,
    resident_headers,
    supplier_headers,
)


async def test_notice_of_at_least_60_days(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    today = utcnow().astimezone(SHANGHAI).date()
    body = {
        "service_id": str(world.elder_care.id),
        "starts_on": str(today + timedelta(days=59)),
        "reason": "场地改造",
        "report": "关于暂停日间照料服务的书面报告",
    }
    r = await client.post("/suspensions", json=body, headers=operator_headers(world.operator.id))
    assert (
        r.status_code == 422 and r.json()["code"] == "notice_too_short" and r.json()["min_notice_days"] == 60
    )
    assert "60" in r.json()["title"]
    r = await client.post("/suspensions", json=body, headers=supplier_headers(world.supplier.id))
    assert r.status_code == 403
    r = await client.post(
        "/suspensions",
        json={**body, "starts_on": str(today + timedelta(days=70))},
        headers=operator_headers(world.other_operator.id),
    )
    assert r.status_code == 404
    both = {**body, "facility_id": str(world.facility.id)}
    assert (
        await client.post("/suspensions", json=both, headers=operator_headers(world.operator.id))
    ).status_code == 422


async def test_later_bookings_refused_and_holders_told(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    early = await make_slot(session, world.elder_care, starts_in=timedelta(days=10))
    late = await make_slot(session, world.elder_care, starts_in=timedelta(days=80))
    later = await make_slot(session, world.elder_care, starts_in=timedelta(days=81))
    holder, ben = await make_resident(session)
    for slot in (early, late):
        r = await client.post(
            "/bookings",
            json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id)},
            headers=resident_headers(holder.id),
        )
        assert r.status_code == 201
    # No public subsidy runs on: the notice is in force at once (Wuhan art. 14: consent only if subsidised).
    await session.execute(sa.update(SubsidyRule).values(valid_until=utcnow() - timedelta(days=1)))
    await session.commit()
    today = utcnow().astimezone(SHANGHAI).date()
    body = {
        "facility_id": str(world.facility.id),
        "starts_on": str(today + timedelta(days=70)),
        "reason": "合同到期",
        "report": "运营合同到期，设施停止服务的书面报告",
    }
    r = await client.post("/suspensions", json=body, headers=operator_headers(world.operator.id))
    assert r.status_code == 201, r.text
    assert r.json()["notified_count"] == 1
    assert (r.json()["consent_status"], r.json()["in_force"], r.json()["subsidised"]) == (
        "not_required",
        True,
        False,
    )
    told = (
        (await session.execute(sa.select(OutboxMessage).where(OutboxMessage.kind == "suspension_notice")))
        .scalars()
        .all()
    )
    assert [m.resident_id for m in told] == [holder.id] and told[0].data["thing3"] == "合同到期"
    other, other_ben = await make_resident(session)
    r = await client.post(
        "/bookings",
        json={"slot_id": str(later.id), "beneficiary_id": str(other_ben.id)},
        headers=resident_headers(other.id),
    )
    assert r.status_code == 409 and r.json()["code"] == "service_suspended"
    r = await client.post(
        "/bookings",
        json={"slot_id": str(early.id), "beneficiary_id": str(other_ben.id)},
        headers=resident_headers(other.id),
    )
    assert r.status_code == 201
