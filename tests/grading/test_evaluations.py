# ruff: noqa: E501
"""The yearly evaluation (Chongqing arts. 12, 15; Baotou art. 44): opened by the regulator at the ruleset's
evaluator level, proposed from the year's published results, scored, answered in writing by the operator,
confirmed; 不合格 → 3 months of rectification, then contract termination (Chongqing) or at once removal from
the qualified list (Baotou). Every change is recorded with its actor and time."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

import httpx
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.models import AuditEntry
from backend.catalogue.models import District, Operator
from backend.core.access import Principal, RegionLevel, Role
from backend.core.clock import SHANGHAI, as_utc
from backend.grading import evaluations
from backend.grading.yearly import add_months
from tests.bookings.factories import bearer
from tests.grading.test_api import district, run
from tests.grading.test_safety_inputs import _in_good_standing, _inspect, _today
from tests.reviews.factories import ReviewWorld, make_review_world

SCORES = {"site_visit": 80, "satisfaction_survey": 75, "expert": 70}


async def _city(session: AsyncSession, rw: ReviewWorld) -> uuid.UUID:
    city = await session.scalar(sa.select(District.city_id).where(District.id == rw.district_id))
    assert city is not None
    return city


def _regulator(level: RegionLevel, region: uuid.UUID) -> dict[str, str]:
    return bearer(Principal(id=uuid.uuid4(), role=Role.regulator, region_level=level, region_id=region))


async def _world(
    client: httpx.AsyncClient, session: AsyncSession, preset: str
) -> tuple[ReviewWorld, uuid.UUID]:
    rw = await make_review_world(session)
    city = await _city(session, rw)
    r = await client.post(f"/cities/{city}/rulesets", json={"preset": preset},
                          headers={**rw.admin, "Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
    assert r.status_code == 201, r.text
    return rw, city


async def _open(
    client: httpx.AsyncClient, rw: ReviewWorld, headers: dict[str, str], year: int | None = None
) -> httpx.Response:
    return await client.post(f"/operators/{rw.w.operator.id}/evaluations", json={"year": year or _today().year},
                             headers={**headers, "Idempotency-Key": uuid.uuid4().hex})  # fmt: skip


async def _opened_failing(
    client: httpx.AsyncClient, session: AsyncSession, preset: str
) -> tuple[ReviewWorld, uuid.UUID, dict[str, object]]:
    """An operator graded 不合格 this year (nothing configured, no inspections) and its evaluation opened."""
    rw, city = await _world(client, session, preset)
    r = await run(client, district(rw), operator_ids=[str(rw.w.operator.id)], publish=True)
    assert r.json()["results"][0]["level"] == "不合格"
    r = await _open(client, rw, district(rw))
    assert r.status_code == 201, r.text
    return rw, city, r.json()


async def test_chongqing_failing_year_rectifies_three_months_then_the_contract_is_marked_for_termination_art_15(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rw, city, ev = await _opened_failing(client, session, "chongqing")
    eid = ev["id"]
    assert (ev["status"], ev["proposed_level"], ev["proposed_grade"]) == ("open", "不合格", "不合格")
    assert ev["scores_missing"] == ["expert", "satisfaction_survey", "site_visit"]
    assert [b["proposed_from"] for b in ev["basis"]] == [True] and ev["ruleset"][
        "evaluator_level"
    ] == "district"
    assert (await _open(client, rw, district(rw))).json()["code"] == "evaluation_exists"

    # Only the district (the Chongqing evaluator level) of the operator, or an admin, evaluates.
    street = _regulator(RegionLevel.street, rw.street_id)
    r = await client.post(f"/evaluations/{eid}/scores", json={"scores": SCORES}, headers=street)
    assert (r.status_code, r.json()["code"]) == (403, "evaluation_not_allowed")
    assert (
        await client.post(
            f"/evaluations/{eid}/scores", json={"scores": SCORES}, headers=_regulator(RegionLevel.city, city)
        )
    ).status_code == 403
    other = _regulator(RegionLevel.district, uuid.uuid4())
    assert (await client.get(f"/evaluations/{eid}", headers=other)).json()["code"] == "evaluation_not_found"
    assert (await client.post(f"/evaluations/{eid}/confirm", headers=rw.operator)).status_code == 403

    h = district(rw)
    r = await client.post(f"/evaluations/{eid}/confirm", headers=h)
    assert (r.status_code, r.json()["code"], r.json()["missing"]) == (
        409,
        "evaluation_scores_missing",
        ["expert", "satisfaction_survey", "site_visit"],
    )
    r = await client.post(f"/evaluations/{eid}/scores", json={"scores": {"mystery": 50}}, headers=h)
    assert (r.status_code, r.json()["code"]) == (422, "evaluation_unknown_score")
    assert (
        await client.post(f"/evaluations/{eid}/scores", json={"scores": {"expert": 101}}, headers=h)
    ).status_code == 422
    r = await client.post(f"/evaluations/{eid}/scores", json={"scores": SCORES}, headers=h)
    assert r.status_code == 200 and r.json()["scores_missing"] == []

    # The operator may respond in writing before confirmation (10 days); its own staff only.
    r = await client.post(f"/evaluations/{eid}/confirm", headers=h)
    assert (r.status_code, r.json()["code"]) == (409, "evaluation_awaiting_response")
    other_op = bearer(
        Principal(id=uuid.uuid4(), role=Role.operator_staff, operator_id=rw.w.other_operator.id)
    )
    assert (
        await client.post(f"/evaluations/{eid}/response", json={"text": "不同意"}, headers=other_op)
    ).status_code == 404
    r = await client.post(
        f"/evaluations/{eid}/response", json={"text": "已整改消防通道，申请复核"}, headers=rw.operator
    )
    assert r.status_code == 200 and r.json()["response"] == "已整改消防通道，申请复核"

    r = await client.post(f"/evaluations/{eid}/confirm", headers=h)
    assert r.status_code == 200, r.text
    confirmed = r.json()
    assert (confirmed["status"], confirmed["grade"], confirmed["level"]) == ("rectifying", "不合格", "不合格")
    assert (
        confirmed["rectification_due"] == add_months(_today(), 3).isoformat()
    )  # Chongqing art. 15: 3 months
    assert (
        await client.post(f"/evaluations/{eid}/response", json={"text": "x"}, headers=rw.operator)
    ).json()["code"] == "evaluation_state_conflict"
    r = await client.post(f"/evaluations/{eid}/reevaluate", headers=h)
    assert (r.status_code, r.json()["code"]) == (409, "rectification_not_due")

    # The day before the period ends nothing happens; on its last day the job re-evaluates: still 不合格.
    due = add_months(_today(), 3)
    assert (
        await evaluations.reevaluate_all_due(
            session, as_utc(datetime.combine(due - timedelta(days=1), time(10), tzinfo=SHANGHAI))
        )
        == []
    )
    done = await evaluations.reevaluate_all_due(
        session, as_utc(datetime.combine(due, time(10), tzinfo=SHANGHAI))
    )
    await session.commit()
    assert [str(i) for i in done] == [eid]
    final = (await client.get(f"/evaluations/{eid}", headers=rw.operator)).json()
    assert final["status"] == "terminate_contract" and final["reevaluation"]["level"] == "不合格"
    assert [(e["action"], e["actor_role"], e["status"]) for e in final["events"]] == [
        ("opened", "regulator", "open"),
        ("scores", "regulator", "open"),
        ("response", "operator_staff", "open"),
        ("confirmed", "regulator", "rectifying"),
        ("reevaluated", "system", "terminate_contract"),
    ]
    audited = await session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.entity == "evaluation")
    )
    assert audited == 4  # the staff's changes; the system's re-evaluation is in the events

    listed = (await client.get("/evaluations", params={"year": _today().year}, headers=h)).json()["items"]
    assert [x["id"] for x in listed] == [eid]
    assert (await client.get("/evaluations", headers=other)).json()["items"] == []
    assert (await client.get("/evaluations", params={"year": _today().year - 1}, headers=h)).json()[
        "items"
    ] == []


async def test_chongqing_rectified_operator_passes_its_re_evaluation(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """整改 succeeded: the re-evaluation grades the operator afresh (published) with the re-evaluation scores."""
    rw, _, ev = await _opened_failing(client, session, "chongqing")
    eid, h = ev["id"], district(rw)
    await client.post(f"/evaluations/{eid}/scores", json={"scores": SCORES}, headers=h)
    await client.post(
        f"/evaluations/{eid}/response", json={"text": "接受评价，立即整改"}, headers=rw.operator
    )
    assert (await client.post(f"/evaluations/{eid}/confirm", headers=h)).json()["status"] == "rectifying"
    await _in_good_standing(session, rw)
    await _inspect(session, rw.w.facility.id, "fire", "pass", _today())
    await _inspect(session, rw.w.facility.id, "food", "A", _today())
    r = await client.post(f"/evaluations/{eid}/scores", json={"scores": {"site_visit": 90}}, headers=h)
    assert r.json()["rectification_scores"] == {"site_visit": 90} and r.json()["scores"]["site_visit"] == 80
    due = add_months(_today(), 3)
    await evaluations.reevaluate_all_due(session, as_utc(datetime.combine(due, time(10), tzinfo=SHANGHAI)))
    await session.commit()
    final = (await client.get(f"/evaluations/{eid}", headers=h)).json()
    assert final["status"] == "passed" and final["reevaluation"]["grade"] == "合格"
    assert final["reevaluation"]["scores"]["site_visit"] == 90
    rating = (await client.get(f"/operators/{rw.w.operator.id}/rating")).json()
    assert rating["id"] == final["reevaluation"]["result_id"]  # the re-evaluation's result is published


async def test_baotou_failing_operator_leaves_the_qualified_list_at_once_art_44(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rw, city, ev = await _opened_failing(client, session, "baotou")
    eid, h = ev["id"], district(rw)
    assert ev["scores_missing"] == ["site_visit"]
    await client.post(f"/evaluations/{eid}/scores", json={"scores": {"site_visit": 60}}, headers=h)
    await client.post(f"/evaluations/{eid}/response", json={"text": "无异议"}, headers=rw.operator)
    r = await client.post(f"/evaluations/{eid}/confirm", headers=h)
    assert (r.json()["status"], r.json()["rectification_due"]) == ("remove_from_list", None)

    # A later monthly grade of 合格 does not put it back on the list: the year's evaluation removed it.
    await _in_good_standing(session, rw)
    await _inspect(session, rw.w.facility.id, "fire", "pass", _today())
    await _inspect(session, rw.w.facility.id, "food", "A", _today())
    r = await run(client, h, operator_ids=[str(rw.w.operator.id)], publish=True)
    assert r.json()["results"][0]["qualified"] is True and r.json()["results"][0]["grade"] == "合格"
    listed = (await client.get("/qualified-operators", params={"city_id": str(city)})).json()["items"]
    assert str(rw.w.operator.id) not in {x["operator_id"] for x in listed}


async def test_no_evaluation_without_a_yearly_ruleset_in_trial_or_without_results_chongqing_art_12(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rw = await make_review_world(session)
    assert (await _open(client, rw, district(rw))).json()[
        "code"
    ] == "evaluation_not_in_ruleset"  # Wuhan: monthly A-levels
    rw2, _ = await _world(client, session, "chongqing")
    r = await _open(client, rw2, district(rw2))
    assert (r.status_code, r.json()["code"]) == (409, "evaluation_no_results")
    assert (await _open(client, rw2, district(rw2), year=_today().year + 1)).json()[
        "code"
    ] == "evaluation_year_not_started"
    operator = await session.get(Operator, rw2.w.operator.id)
    assert operator is not None
    operator.started_on = _today() - timedelta(days=60)  # two months of trial operation, three are required
    session.add(operator)
    await session.commit()
    r = await _open(client, rw2, district(rw2))
    assert (r.status_code, r.json()["code"]) == (409, "evaluation_in_trial")
    assert (await _open(client, rw2, rw2.street)).json()["code"] == "evaluation_not_allowed"
