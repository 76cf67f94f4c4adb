"""Wuhan art. 14: suspending a service carries a written report to the street office, and a subsidised
service's suspension needs the street office's consent, answered within 30 days (the ruleset's
`oversight.consent_days`); until then the notice is not in force."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.models import AuditEntry
from backend.bookings.jobs import flag_overdue_consents
from backend.bookings.models import Suspension
from backend.catalogue.models import Community, District, Facility, Street
from backend.core.access import Principal, RegionLevel, Role
from backend.core.clock import SHANGHAI, utcnow
from backend.notifications.models import OutboxMessage
from backend.rulesets.document import DEFAULT_DOCUMENT
from backend.rulesets.models import RulesetVersion
from tests.bookings.factories import (
    World,
    bearer,
    make_resident,
    make_slot,
    operator_headers,
    resident_headers,
)


def _today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


async def _places(session: AsyncSession, world: World) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """(street, district, city) of the world's facility."""
    row = (
        await session.execute(
            sa.select(Street.id, District.id, District.city_id)
            .join(Community, Community.street_id == Street.id)  # type: ignore[arg-type]
            .join(Facility, Facility.community_id == Community.id)  # type: ignore[arg-type]
            .join(District, District.id == Street.district_id)  # type: ignore[arg-type]
            .where(Facility.id == world.facility.id)  # type: ignore[arg-type]
        )
    ).one()
    return row[0], row[1], row[2]


def _regulator(level: RegionLevel, region_id: uuid.UUID) -> Principal:
    return Principal(id=uuid.uuid4(), role=Role.regulator, region_level=level, region_id=region_id)


async def _announce(client: httpx.AsyncClient, world: World, days: int = 70, **target: Any) -> httpx.Response:
    body = {
        **{k: str(v) for k, v in target.items()},
        "starts_on": str(_today() + timedelta(days=days)),
        "reason": "场地改造",
        "report": "关于暂停服务的书面报告：场地改造三个月，期间老人转介至邻近站点。",
    }
    return await client.post("/suspensions", json=body, headers=operator_headers(world.operator.id))


async def _book(client: httpx.AsyncClient, session: AsyncSession, world: World, days: int) -> httpx.Response:
    slot = await make_slot(session, world.elder_care, starts_in=timedelta(days=days))
    resident, ben = await make_resident(session)
    return await client.post(
        "/bookings",
        json={"slot_id": str(slot.id), "beneficiary_id": str(ben.id)},
        headers=resident_headers(resident.id),
    )


async def _audit(session: AsyncSession, suspension_id: str) -> list[tuple[str, str, uuid.UUID | None]]:
    rows = (
        await session.execute(
            sa.select(AuditEntry.action, AuditEntry.actor_role, AuditEntry.actor_id)
            .where(AuditEntry.entity == "suspension", AuditEntry.entity_id == uuid.UUID(suspension_id))  # type: ignore[arg-type]
            .order_by(AuditEntry.created_at)  # type: ignore[arg-type]
        )
    ).all()
    return [(a, r, i) for a, r, i in rows]


async def test_the_written_report_is_required_wuhan_art_14(client: httpx.AsyncClient, world: World) -> None:
    body = {
        "service_id": str(world.meal.id),
        "starts_on": str(_today() + timedelta(days=70)),
        "reason": "改造",
    }
    r = await client.post("/suspensions", json=body, headers=operator_headers(world.operator.id))
    assert r.status_code == 422
    r = await client.post(
        "/suspensions", json={**body, "report": "  "}, headers=operator_headers(world.operator.id)
    )
    assert r.status_code == 422


async def test_unsubsidised_service_is_in_force_at_once_wuhan_art_14(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """The meal service has no government subsidy: no consent, in force at once, nothing to consent to."""
    r = await _announce(client, world, service_id=world.meal.id)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["subsidised"], body["consent_status"], body["in_force"], body["consent_due_on"]) == (
        False,
        "not_required",
        True,
        None,
    )
    assert body["report"].startswith("关于暂停服务的书面报告")
    street, _, _ = await _places(session, world)
    r = await client.post(
        f"/suspensions/{body['id']}/consent",
        json={"decision": "consent"},
        headers=bearer(_regulator(RegionLevel.street, street)),
    )
    assert (r.status_code, r.json()["code"]) == (409, "consent_not_pending")


async def test_subsidised_service_waits_for_the_street_offices_consent_wuhan_art_14(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """Elder care carries a government subsidy: the notice is pending, due in 30 days, not in force (a later
    booking is still taken, nobody is told) until the street office over the facility consents."""
    holder = await _book(client, session, world, 80)
    assert holder.status_code == 201
    r = await _announce(client, world, service_id=world.elder_care.id)
    assert r.status_code == 201, r.text
    notice = r.json()
    assert (notice["subsidised"], notice["consent_status"], notice["in_force"], notice["notified_count"]) == (
        True,
        "pending",
        False,
        0,
    )
    assert notice["consent_due_on"] == str(_today() + timedelta(days=30))
    assert (await _book(client, session, world, 81)).status_code == 201  # not in force yet

    street, district, _ = await _places(session, world)
    office = _regulator(RegionLevel.street, street)
    url = f"/suspensions/{notice['id']}/consent"
    # the operator may not consent to its own notice; a district regulator is not the street office;
    # another street's office does not see it
    r = await client.post(url, json={"decision": "consent"}, headers=operator_headers(world.operator.id))
    assert r.status_code == 403
    r = await client.post(
        url, json={"decision": "consent"}, headers=bearer(_regulator(RegionLevel.district, district))
    )
    assert (r.status_code, r.json()["code"]) == (403, "not_street_office")
    r = await client.post(
        url, json={"decision": "consent"}, headers=bearer(_regulator(RegionLevel.street, uuid.uuid4()))
    )
    assert (r.status_code, r.json()["code"]) == (404, "suspension_not_found")

    pending = await client.get("/suspensions?consent_status=pending", headers=bearer(office))
    assert [s["id"] for s in pending.json()["items"]] == [notice["id"]]

    r = await client.post(url, json={"decision": "consent", "reason": "已安排转介"}, headers=bearer(office))
    assert r.status_code == 200, r.text
    decided = r.json()
    assert (decided["consent_status"], decided["in_force"], decided["consent_reason"]) == (
        "granted",
        True,
        "已安排转介",
    )
    assert decided["notified_count"] == 2 and decided["consent_decided_at"] is not None
    told = (
        await session.execute(
            sa.select(sa.func.count()).where(OutboxMessage.kind == "suspension_notice")  # type: ignore[arg-type]
        )
    ).scalar_one()
    assert told == 2
    r = await _book(client, session, world, 82)
    assert (r.status_code, r.json()["code"]) == (409, "service_suspended")
    r = await client.post(url, json={"decision": "refuse", "reason": "晚了"}, headers=bearer(office))
    assert (r.status_code, r.json()["code"]) == (409, "consent_not_pending")

    trail = await _audit(session, notice["id"])
    assert [(a, role) for a, role, _ in trail] == [("announce", "operator_staff"), ("consent", "regulator")]
    assert trail[1][2] == office.id


async def test_refused_consent_never_puts_the_notice_in_force_wuhan_art_14(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """A facility notice is subsidised when any of its services is; a refusal gives its reason."""
    r = await _announce(client, world, facility_id=world.facility.id)
    assert r.status_code == 201 and r.json()["consent_status"] == "pending"
    street, _, _ = await _places(session, world)
    office = bearer(_regulator(RegionLevel.street, street))
    url = f"/suspensions/{r.json()['id']}/consent"
    assert (await client.post(url, json={"decision": "refuse"}, headers=office)).status_code == 422
    r = await client.post(url, json={"decision": "refuse", "reason": "辖区无替代服务"}, headers=office)
    assert r.status_code == 200
    assert (r.json()["consent_status"], r.json()["in_force"]) == ("refused", False)
    assert (await _book(client, session, world, 90)).status_code == 201
    assert [a for a, _, _ in await _audit(session, r.json()["id"])] == ["announce", "refuse"]


async def test_notice_and_consent_deadlines_come_from_the_city_ruleset_wuhan_art_14(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    _, _, city = await _places(session, world)
    document = DEFAULT_DOCUMENT.model_dump(mode="json")
    document["oversight"].update(consent_days=20, suspension_notice_days=90)
    session.add(
        RulesetVersion(city_id=city, place_id=city, version=1, name="测试规则", document=document,
                       published_at=utcnow() - timedelta(days=1))
    )  # fmt: skip
    await session.commit()
    r = await _announce(client, world, service_id=world.elder_care.id)
    assert (r.status_code, r.json()["code"], r.json()["min_notice_days"]) == (422, "notice_too_short", 90)
    r = await _announce(client, world, days=95, service_id=world.elder_care.id)
    assert r.json()["consent_due_on"] == str(_today() + timedelta(days=20))


async def test_unanswered_consent_past_its_due_day_is_a_finding_wuhan_art_14(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """The job flags (once) a consent still pending after its due day; the district lists it."""
    late = (await _announce(client, world, service_id=world.elder_care.id)).json()
    fresh = (await _announce(client, world, facility_id=world.facility.id)).json()
    await session.execute(
        sa.update(Suspension)
        .where(Suspension.id == uuid.UUID(late["id"]))  # type: ignore[arg-type]
        .values(consent_due_on=_today() - timedelta(days=1))
    )
    await session.commit()
    assert await flag_overdue_consents(session, utcnow()) == {"flagged": 1}
    await session.commit()
    assert await flag_overdue_consents(session, utcnow()) == {"flagged": 0}
    await session.commit()
    street, district, _ = await _places(session, world)
    for caller in (_regulator(RegionLevel.district, district), _regulator(RegionLevel.street, street)):
        r = await client.get("/suspensions?consent_overdue=true", headers=bearer(caller))
        assert r.status_code == 200
        items = r.json()["items"]
        assert [s["id"] for s in items] == [late["id"]] and items[0]["consent_overdue_at"] is not None
    r = await client.get(
        "/suspensions?consent_overdue=false", headers=bearer(_regulator(RegionLevel.district, district))
    )
    assert [s["id"] for s in r.json()["items"]] == [fresh["id"]]
    other = await client.get("/suspensions", headers=bearer(_regulator(RegionLevel.district, uuid.uuid4())))
    assert other.json()["items"] == []
    assert [(a, role) for a, role, _ in await _audit(session, late["id"])] == [
        ("announce", "operator_staff"),
        ("consent_overdue", "system"),
    ]
