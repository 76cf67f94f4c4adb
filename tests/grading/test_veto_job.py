# ruff: noqa: E501
"""A veto takes effect at once (RATING.md 一票否决; Wuhan art. 16): the minute job publishes 不合格 for an
operator whose incident a regulator vetoed after its latest published result, once per tick across processes,
and the grade without it when the veto is lifted."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import utcnow
from backend.core.jobs import run_tick
from backend.grading.jobs import JOBS
from backend.grading.models import RatingResult, RatingRun
from tests.conftest import requires_postgres
from tests.grading.test_api import district, run
from tests.grading.test_safety_inputs import _in_good_standing, _inspect, _today
from tests.reviews.factories import make_review_world

pytestmark = requires_postgres

VETO_JOB = next(j for j in JOBS if j.name == "grading.vetoes")


async def _published(session: AsyncSession, operator_id: uuid.UUID) -> list[tuple[str, str | None]]:
    rows = await session.execute(
        sa.select(RatingRun.kind, RatingResult.level)
        .join(RatingRun, RatingRun.id == RatingResult.run_id)  # type: ignore[arg-type]
        .where(RatingResult.operator_id == operator_id, RatingResult.published_at.is_not(None))  # type: ignore[union-attr]
        .order_by(RatingResult.published_at)  # type: ignore[arg-type]
    )
    return [(k, lvl) for k, lvl in rows.all()]


async def test_a_veto_set_by_the_street_office_publishes_fail_at_once_and_lifting_it_restores(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rw = await make_review_world(session)
    op = rw.w.operator.id
    await _in_good_standing(session, rw)
    await _inspect(session, rw.w.facility.id, "fire", "pass", _today() - timedelta(days=9))
    await _inspect(session, rw.w.facility.id, "food", "A", _today() - timedelta(days=9))
    r = await run(client, district(rw), operator_ids=[str(op)], publish=True)
    assert r.json()["results"][0]["level"] == "2A"

    # The operator records a minor food-poisoning case; not a veto by itself: the job publishes nothing.
    body = {"facility_id": str(rw.w.facility.id), "occurred_at": (utcnow() - timedelta(hours=2)).isoformat(),
            "kind": "food_poisoning", "severity": "minor", "description": "两名老人午餐后腹泻"}  # fmt: skip
    r = await client.post("/incidents", json=body, headers=rw.operator)
    assert r.status_code == 201, r.text
    incident = r.json()["id"]
    now = utcnow()
    assert await run_tick(VETO_JOB, VETO_JOB.tick_for(now))
    assert await _published(session, op) == [("on_demand", "2A")]

    # The street office vetoes it: within the next tick the public grade is 不合格, published once.
    decision = {"veto": True, "reason": "集体食物中毒，一票否决"}
    r = await client.post(f"/incidents/{incident}/veto", json=decision, headers=rw.street)
    assert r.status_code == 200, r.text
    tick = VETO_JOB.tick_for(now + timedelta(minutes=1))
    ran = await asyncio.gather(*(run_tick(VETO_JOB, tick) for _ in range(3)))
    assert sorted(ran) == [False, False, True]  # exactly one run per tick across processes
    assert await _published(session, op) == [("on_demand", "2A"), ("veto", "不合格")]
    public = (await client.get(f"/operators/{op}/rating")).json()
    assert public["grade"] == "不合格" and public["qualified"] is False
    assert [(v["incident_id"], v["set_by_regulator"]) for v in public["vetoes"]] == [(incident, True)]
    assert (await client.get(f"/facilities/{rw.w.facility.id}")).json()["operator"]["grade"] == "不合格"
    assert await run_tick(VETO_JOB, VETO_JOB.tick_for(now + timedelta(minutes=2)))
    assert len(await _published(session, op)) == 2  # nothing changed since: nothing published

    # Lifted on review: the next tick publishes the grade without it.
    r = await client.post(f"/incidents/{incident}/veto", json={"veto": False, "reason": "经查非本机构餐食所致"},
                          headers=rw.street)  # fmt: skip
    assert r.status_code == 200, r.text
    assert await run_tick(VETO_JOB, VETO_JOB.tick_for(now + timedelta(minutes=3)))
    assert (await _published(session, op))[-1] == ("veto", "2A")


async def test_a_serious_incident_is_a_veto_without_a_decision_and_other_operators_are_untouched(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """RATING.md: a serious fire incident → 不合格 at once, whatever the score; another operator (never
    published, no incident) gets no result."""
    rw = await make_review_world(session)
    op, other = rw.w.operator.id, rw.w.other_operator.id
    body = {"facility_id": str(rw.w.facility.id), "occurred_at": (utcnow() - timedelta(hours=1)).isoformat(),
            "kind": "fire", "severity": "serious", "description": "厨房油锅起火，一人烧伤"}  # fmt: skip
    assert (await client.post("/incidents", json=body, headers=rw.operator)).status_code == 201
    assert await run_tick(VETO_JOB, VETO_JOB.tick_for(utcnow()))
    assert await _published(session, op) == [("veto", "不合格")]
    assert await _published(session, other) == []
