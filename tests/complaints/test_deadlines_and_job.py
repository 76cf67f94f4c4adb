"""Deadlines in working days over weekends, holidays and 调休 Saturdays; urgent categories (safety,
food_safety) within 2 hours and 1 working day; the job escalates overdue answers and closes unconfirmed ones,
exactly once per tick, notifying through the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.complaints import jobs
from backend.complaints.models import ComplaintEvent
from backend.complaints.rules import DEFAULT_RULES
from backend.complaints.service import deadlines
from backend.core.clock import SHANGHAI, as_utc, utcnow
from backend.core.jobs import run_tick
from backend.notifications.models import OutboxMessage
from tests.bookings.factories import World
from tests.complaints.factories import People, file, get_row, move_times, resident_headers, supplier_headers


def sh(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def eod(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("filed", "ack", "answer"),
    [
        # Friday: the weekend does not count. Acknowledge Monday, answer the next Friday.
        (sh(2026, 11, 27), eod(2026, 11, 30), eod(2026, 12, 4)),
        # The eve of National Day 2026 (1-7 Oct off): 8, 9, 10 (调休 Saturday), 12, 13 Oct.
        (sh(2026, 9, 30), eod(2026, 10, 8), eod(2026, 10, 13)),
        # Friday before the 调休 Saturday 10 Oct: that Saturday is the first working day.
        (sh(2026, 10, 9, 17), eod(2026, 10, 10), eod(2026, 10, 15)),  # 10, 12, 13, 14, 15 Oct
        # Spring Festival 2026 (15-23 Feb off, Saturday 14 Feb works): 14, 24, 25, 26, 27 Feb.
        (sh(2026, 2, 13, 18), eod(2026, 2, 14), eod(2026, 2, 27)),
    ],
)
async def test_deadlines_count_official_working_days(
    session: AsyncSession, filed: datetime, ack: datetime, answer: datetime
) -> None:
    """Issue 10 defaults: acknowledge within 1 working day, answer within 5."""
    a, b = await deadlines(session, DEFAULT_RULES, False, as_utc(filed))
    assert (a.at, b.at, a.provisional, b.provisional) == (ack, answer, False, False)


@pytest.mark.parametrize(
    ("filed", "ack", "answer"),
    [
        (sh(2026, 10, 9, 22, 30), sh(2026, 10, 10, 0, 30), eod(2026, 10, 10)),  # 2 h; the 调休 Saturday
        (sh(2026, 9, 30, 15), sh(2026, 9, 30, 17), eod(2026, 10, 8)),  # over National Day
        (sh(2026, 11, 27, 9), sh(2026, 11, 27, 11), eod(2026, 11, 30)),  # over a weekend
    ],
)
async def test_urgent_deadlines(
    session: AsyncSession, filed: datetime, ack: datetime, answer: datetime
) -> None:
    """safety / food_safety: acknowledge within 2 hours, answer within 1 working day."""
    a, b = await deadlines(session, DEFAULT_RULES, True, as_utc(filed))
    assert (a.at, b.at) == (ack, answer)


async def test_filed_complaints_carry_their_deadlines(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    for category, urgent in (("food_safety", True), ("safety", True), ("price", False)):
        body = (
            await file(client, people.resident, {"facility_id": world.facility.id}, category=category)
        ).json()
        row = await get_row(session, body["id"])
        ack, answer = await deadlines(session, DEFAULT_RULES, urgent, row.created_at)
        assert (row.urgent, row.acknowledge_due_at, row.answer_due_at) == (urgent, ack.at, answer.at)
        assert body["urgent"] is urgent
        if urgent:
            assert row.acknowledge_due_at == row.created_at + timedelta(hours=2)


async def _outbox(session: AsyncSession) -> list[OutboxMessage]:
    return list(
        (await session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.created_at))).scalars()
    )  # type: ignore[arg-type]


async def test_overdue_answers_escalate_once_per_tick_and_notify(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    cid = (await file(client, people.resident, {"supplier_id": world.supplier.id})).json()["id"]
    late = (await file(client, people.resident, {"facility_id": world.facility.id})).json()["id"]
    now = utcnow()
    await move_times(session, late, answer_due_at=now - timedelta(minutes=1))
    tick = jobs.HANDLE_DEADLINES.tick_for(now) + timedelta(seconds=300)
    assert await run_tick(jobs.HANDLE_DEADLINES, tick) is True
    assert await run_tick(jobs.HANDLE_DEADLINES, tick) is False  # the ledger: this tick ran already
    row = await get_row(session, late)
    assert (row.status, row.escalation, row.overdue_at) == ("escalated", "operator", None)
    assert row.answer_due_at > tick  # the operator's own deadline
    assert (await get_row(session, cid)).status == "submitted"  # not late
    # The next tick finds nothing to do for it: one escalation, one message.
    await run_tick(jobs.HANDLE_DEADLINES, tick + timedelta(seconds=300))
    events = (
        await session.execute(
            sa.select(ComplaintEvent.action, ComplaintEvent.actor_role).where(
                ComplaintEvent.complaint_id == row.id
            )
        )
    ).all()  # type: ignore[arg-type]
    assert sorted(events) == [("auto_escalate", "system"), ("file", "resident")]
    (message,) = await _outbox(session)
    assert (message.resident_id, message.kind) == (people.resident, "complaint_update")
    assert message.data["character_string1"] == row.number and message.data["phrase2"] == "已升级"
    # Late again at the operator: up to the street office; late there: only marked, once.
    await move_times(session, late, answer_due_at=tick)
    await run_tick(jobs.HANDLE_DEADLINES, tick + timedelta(seconds=600))
    assert (await get_row(session, late)).escalation == "street"
    await move_times(session, late, answer_due_at=tick)
    await run_tick(jobs.HANDLE_DEADLINES, tick + timedelta(seconds=900))
    await run_tick(jobs.HANDLE_DEADLINES, tick + timedelta(seconds=1200))
    row = await get_row(session, late)
    assert (row.status, row.escalation, row.overdue_at is not None) == ("escalated", "street", True)
    assert [m.data["phrase2"] for m in await _outbox(session)] == ["已升级", "已升级", "已超期"]
    listed = await client.get("/complaints?overdue=true", headers=supplier_headers(world.supplier.id))
    assert listed.json()["items"] == []  # the supplier does not see the facility-level complaint


async def test_unconfirmed_answers_close_as_accepted_after_7_days(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    cid = (await file(client, people.resident, {"supplier_id": world.supplier.id})).json()["id"]
    r = await client.post(
        f"/complaints/{cid}/replies",
        json={"kind": "answer", "text": "已处理"},
        headers=supplier_headers(world.supplier.id),
    )
    row = await get_row(session, cid)
    assert row.confirm_due_at == row.answered_at + timedelta(days=7)  # type: ignore[operator]
    assert r.json()["status"] == "answered"
    tick = row.confirm_due_at + timedelta(minutes=5)  # type: ignore[operator]
    await run_tick(jobs.HANDLE_DEADLINES, jobs.HANDLE_DEADLINES.tick_for(tick))
    row = await get_row(session, cid)
    assert (row.status, row.resolved_at is not None) == ("closed", True)
    after = (await client.get(f"/complaints/{cid}", headers=resident_headers(people.resident))).json()
    assert (
        after["history"][-1]["action"] == "close_unconfirmed"
        and after["history"][-1]["actor_role"] == "system"
    )
    assert (
        await client.post(
            f"/complaints/{cid}/confirm", json={"accepted": False}, headers=resident_headers(people.resident)
        )
    ).status_code == 409


async def test_staff_list_filters(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    op = {"facility_id": world.facility.id}
    a = (await file(client, people.resident, op, category="price")).json()["id"]
    b = (await file(client, people.resident, op, category="safety")).json()["id"]
    await move_times(session, b, answer_due_at=utcnow() - timedelta(hours=1))
    from tests.complaints.factories import operator_headers

    headers = operator_headers(world.operator.id)

    async def ids(query: str) -> list[str]:
        r = await client.get(f"/complaints{query}", headers=headers)
        assert r.status_code == 200, r.text
        return [c["id"] for c in r.json()["items"]]

    assert await ids("") == [b, a]
    assert await ids("?overdue=true") == [b]
    assert await ids("?overdue=false") == [a]
    assert await ids("?category=price") == [a]
    assert await ids("?status=submitted&category=safety") == [b]
    assert await ids("?status=resolved") == []
    first = (await client.get("/complaints?limit=1", headers=headers)).json()
    second = (await client.get(f"/complaints?limit=1&cursor={first['next_cursor']}", headers=headers)).json()
    assert [c["id"] for c in first["items"] + second["items"]] == [b, a] and second["next_cursor"] is None
    assert (await client.get("/complaints?status=bogus", headers=headers)).status_code == 422


async def test_late_acknowledgements_are_marked_once_without_escalating(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    cid = (await file(client, people.resident, {"supplier_id": world.supplier.id})).json()["id"]
    now = utcnow()
    await move_times(session, cid, acknowledge_due_at=now - timedelta(minutes=1))
    tick = jobs.HANDLE_DEADLINES.tick_for(now) + timedelta(seconds=300)
    await run_tick(jobs.HANDLE_DEADLINES, tick)
    await run_tick(jobs.HANDLE_DEADLINES, tick + timedelta(seconds=300))
    body = (await client.get(f"/complaints/{cid}", headers=supplier_headers(world.supplier.id))).json()
    assert (body["status"], body["escalation"], body["acknowledge_overdue"]) == ("submitted", "none", True)
    assert [(e["action"], e["note"]) for e in body["history"]] == [
        ("file", None),
        ("mark_overdue", "acknowledgement overdue"),
    ]
    r = await client.post(
        f"/complaints/{cid}/replies",
        json={"kind": "acknowledge", "text": "已受理"},
        headers=supplier_headers(world.supplier.id),
    )
    assert r.json()["acknowledge_overdue"] is False
    # Escalated: the operator gets its own acknowledgement deadline, not yet late.
    r = await client.post(
        f"/complaints/{cid}/escalate", json={"reason": "太慢"}, headers=resident_headers(people.resident)
    )
    row = await get_row(session, cid)
    assert row.acknowledge_overdue_at is None and row.acknowledge_due_at > utcnow()
    assert r.json()["acknowledge_overdue"] is False


async def test_the_facilitys_ruleset_sets_the_deadlines(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    """A city that publishes its own complaint deadlines (ruleset section `complaints`) gets them."""
    from backend.catalogue.models import District
    from backend.rulesets.document import DEFAULT_DOCUMENT
    from backend.rulesets.models import RulesetVersion
    from backend.workdays.queries import add_working_days

    district = await session.get(District, world.operator.district_id)
    assert district is not None
    document = DEFAULT_DOCUMENT.model_copy(
        update={"complaints": DEFAULT_DOCUMENT.complaints.model_copy(update={"answer_working_days": 3})}
    )
    session.add(
        RulesetVersion(
            city_id=district.city_id,
            place_id=district.city_id,
            version=1,
            name="本市投诉时限",
            document=document.model_dump(mode="json"),
            published_at=utcnow() - timedelta(days=1),
        )
    )
    await session.commit()
    cid = (await file(client, people.resident, {"facility_id": world.facility.id})).json()["id"]
    row = await get_row(session, cid)
    assert row.answer_due_at == (await add_working_days(session, row.created_at, 3)).at
    assert row.answer_due_at != (await add_working_days(session, row.created_at, 5)).at


async def test_the_rulesets_mediation_deadline_sets_the_street_offices_deadline(
    client: httpx.AsyncClient, session: AsyncSession, world: World, people: People
) -> None:
    """Wuhan art. 15: the street office mediates; how many working days it has is the ruleset's
    `complaints.mediation_working_days` (10 by default), not a constant."""
    from backend.catalogue.models import District
    from backend.rulesets.document import DEFAULT_DOCUMENT
    from backend.rulesets.models import RulesetVersion
    from backend.workdays.queries import add_working_days

    assert DEFAULT_DOCUMENT.complaints.mediation_working_days == DEFAULT_RULES.mediation_working_days == 10
    district = await session.get(District, world.operator.district_id)
    assert district is not None
    document = DEFAULT_DOCUMENT.model_copy(
        update={"complaints": DEFAULT_DOCUMENT.complaints.model_copy(update={"mediation_working_days": 4})}
    )
    session.add(
        RulesetVersion(
            city_id=district.city_id,
            place_id=district.city_id,
            version=1,
            name="本市调解时限",
            document=document.model_dump(mode="json"),
            published_at=utcnow() - timedelta(days=1),
        )
    )
    await session.commit()
    cid = (await file(client, people.resident, {"facility_id": world.facility.id})).json()["id"]
    for _ in range(2):  # to the operator, then to the street office
        r = await client.post(
            f"/complaints/{cid}/escalate", json={"reason": "太慢"}, headers=resident_headers(people.resident)
        )
        assert r.status_code == 200, r.text
    row = await get_row(session, cid)
    assert row.escalation == "street" and row.escalated_at is not None
    assert row.answer_due_at == (await add_working_days(session, row.escalated_at, 4)).at
    assert row.answer_due_at != (await add_working_days(session, row.escalated_at, 10)).at
