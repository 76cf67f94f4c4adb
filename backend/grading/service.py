"""Grading runs (on demand, nightly, monthly) and the public reads of their results.

A run grades each operator by the ruleset in force where it is registered, stores every result with the
ruleset version and document, window, inputs and canonical result (with its digest), and, when it publishes,
marks the results public, updates the public list and the grade facility pages show.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.service import record
from backend.catalogue import queries as catalogue
from backend.core.access import Principal
from backend.core.clock import utcnow
from backend.core.errors import Forbidden, NotFound
from backend.core.i18n import Msg
from backend.core.pagination import Page, keyset_after, keyset_page
from backend.grading import repository as repo
from backend.grading import repository_evaluations as repo_evaluations
from backend.grading.compute import compute
from backend.grading.explain import explain
from backend.grading.gather import gather
from backend.grading.inputs import Inputs
from backend.grading.models import RatingResult, RatingRun, RunKind
from backend.grading.schemas import QualifiedList, QualifiedOperator, RatingPublic, RunCreate, RunPublic
from backend.grading.store import Graded, StoredResult, store_run
from backend.oversight import queries as oversight
from backend.rulesets.document import RulesetDocument
from backend.rulesets.queries import Ruleset, ruleset_for_city


class OperatorNotFound(NotFound):
    code = "operator_not_found"
    title = Msg("运营商不存在", "Operator not found")


class NotRated(NotFound):
    code = "rating_not_found"
    title = Msg("该运营商尚无公布的评级", "The operator has no published rating yet")


class MayNotPublish(Forbidden):
    code = "rating_publish_not_allowed"
    title = Msg(
        "只有运营商注册地的区、市监管部门可以公布评级",
        "Only the district or city regulator where the operator is registered may publish its rating",
    )


RulesKey = tuple[uuid.UUID | None, int, uuid.UUID | None]


async def evaluate(session: AsyncSession, operator_ids: list[uuid.UUID] | None, at: datetime) -> list[Graded]:
    """Grade the (active) operators by the ruleset in force where each is registered; nothing is stored."""
    facts = await catalogue.operator_facts(session, operator_ids=operator_ids)
    by_rules: dict[RulesKey, list[catalogue.OperatorFacts]] = defaultdict(list)
    rulesets: dict[RulesKey, Ruleset] = {}
    by_place: dict[tuple[uuid.UUID, uuid.UUID], Ruleset] = {}
    for f in facts:
        place = (f.city_id, f.district_id)
        if place not in by_place:
            by_place[place] = await ruleset_for_city(session, f.city_id, at, district_id=f.district_id)
        rs = by_place[place]
        key = (rs.id, rs.version, rs.city_id)
        by_rules[key].append(f)
        rulesets[key] = rs
    out: list[Graded] = []
    for key, group in by_rules.items():
        rs = rulesets[key]
        inputs = await gather(session, group, rs.document.grading, at)
        for f in group:
            out.append(Graded(f, rs, inputs[f.id], compute(inputs[f.id], rs.document.grading, rs.ref())))
    return out


async def grade_operators(
    session: AsyncSession,
    *,
    kind: RunKind,
    publish: bool,
    operator_ids: list[uuid.UUID] | None = None,
    requested_by: uuid.UUID | None = None,
    at: datetime | None = None,
) -> tuple[RatingRun, list[StoredResult]]:
    """Grade the (active) operators and store the results; publish them if asked. No authorisation here."""
    at = at or utcnow()
    graded = await evaluate(session, operator_ids, at)
    return await store_run(session, graded, kind=kind, publish=publish, at=at, operator_ids=operator_ids,
                           requested_by=requested_by)  # fmt: skip


async def publish_veto_changes(
    session: AsyncSession, at: datetime, lookback: timedelta
) -> list[StoredResult]:
    """A veto takes effect at once (RATING.md 一票否决): operators with an incident recorded, or a veto set
    or lifted, after their latest published result are graded again, and published when the vetoes differ
    from the published ones (a new veto: 不合格 now; a lifted one: the grade without it). Changes older than
    `lookback` were taken in by the monthly publication."""
    changes = await oversight.incidents_changed_since(session, at - lookback)
    if not changes:
        return []
    owners: dict[uuid.UUID, uuid.UUID] = {}
    for facility_id in sorted({c.incident.facility_id for c in changes}):
        ref = await catalogue.facility_ref(session, facility_id)
        if ref is not None:
            owners[facility_id] = ref.operator_id
    changed: dict[uuid.UUID, datetime] = {}
    for c in changes:
        op = owners.get(c.incident.facility_id)
        if op is not None:
            changed[op] = max(changed.get(op, c.changed_at), c.changed_at)
    published = await repo.latest_published_many(session, list(changed))
    stale = sorted(op for op, t in changed.items() if op not in published or published[op].published_at < t)  # type: ignore[operator]
    if not stale:
        return []
    graded = [
        g for g in await evaluate(session, stale, at)
        if g.facts.id not in published or g.veto_ids != _veto_ids(published[g.facts.id])
    ]  # fmt: skip
    if not graded:
        return []
    _, results = await store_run(
        session, graded, kind=RunKind.veto, publish=True, at=at, operator_ids=[g.facts.id for g in graded]
    )
    return results


def _veto_ids(r: RatingResult) -> frozenset[str]:
    return frozenset(v["incident_id"] for v in r.result.get("vetoes", ()))


def recompute(result: RatingResult) -> str:
    """The canonical JSON of a stored result, recomputed from its stored inputs and ruleset document."""
    document = RulesetDocument.model_validate(result.ruleset_document)
    return compute(Inputs.from_json(result.inputs), document.grading, result.result["ruleset"]).text


# ---------------------------------------------------------------- API


async def run_on_demand(session: AsyncSession, principal: Principal, body: RunCreate) -> RunPublic:
    scope = await catalogue.resolve_scope(session, principal)
    wanted = body.operator_ids
    if wanted is not None:
        for oid in wanted:
            scope.require(scope.sees_operator(oid), OperatorNotFound())
            if body.publish and not scope.may_change_operator(oid):
                raise MayNotPublish()
        ids = list(wanted)
    else:
        facts = await catalogue.operator_facts(session)
        allowed = scope.may_change_operator if body.publish else scope.sees_operator
        ids = [f.id for f in facts if allowed(f.id)]
    run, results = await grade_operators(
        session, kind=RunKind.on_demand, publish=body.publish, operator_ids=ids, requested_by=principal.id
    )
    await record(session, principal, "run", "rating_run", run.id,
                 {"operators": len(results), "publish": body.publish})  # fmt: skip
    return RunPublic(id=run.id, kind=run.kind, publish=run.publish, created_at=run.created_at,
                     results=[to_public(r) for r in results])  # fmt: skip


def to_public(r: RatingResult | StoredResult) -> RatingPublic:
    data = r.result
    return RatingPublic(
        id=r.id,
        operator=data["operator"],
        grade=r.grade,
        level=r.level,
        status=r.status,
        total=r.total,
        parts=data["parts"],
        caps=data["caps"],
        vetoes=data["vetoes"],
        thresholds=data["thresholds"],
        wilson_lower_bound=data["wilson_lower_bound"],
        excluded_reviews=len(data["excluded_reviews"]),
        excluded=data["excluded_reviews"],
        window={"from": r.window_from, "to": r.window_to},
        ruleset=data["ruleset"],
        qualified=r.qualified,
        explanation=explain(data),
        digest=r.digest,
        computed_at=r.computed_at,
        published_at=r.published_at,
    )


async def current_rating(session: AsyncSession, operator_id: uuid.UUID) -> RatingPublic:
    if not await catalogue.operator_exists(session, operator_id):
        raise OperatorNotFound()
    found = await repo.latest_published(session, operator_id)
    if found is None:
        raise NotRated()
    return to_public(found)


async def rating_history(
    session: AsyncSession, operator_id: uuid.UUID, cursor: str | None, limit: int
) -> Page[RatingPublic]:
    if not await catalogue.operator_exists(session, operator_id):
        raise OperatorNotFound()
    rows = await repo.published_history(session, operator_id, keyset_after(cursor), limit)
    items, after = keyset_page(rows, limit, time_field="published_at")
    return Page(items=[to_public(r) for r in items], next_cursor=after)


async def qualified_operators(session: AsyncSession, city_id: uuid.UUID) -> QualifiedList:
    """The latest published result per operator of the city, qualified ones only; an operator whose latest
    yearly evaluation removed it from the list (Baotou art. 44) is left out whatever its monthly grade."""
    latest = await repo.latest_published_in_city(session, city_id)
    removed = await repo_evaluations.removed_from_list(session, [r.operator_id for r in latest])
    items = [
        QualifiedOperator(operator_id=r.operator_id, name=r.result["operator"]["name"], grade=r.grade,
                          level=r.level, total=r.total, published_at=r.published_at)  # type: ignore[arg-type]
        for r in latest
        if r.qualified and r.operator_id not in removed
    ]  # fmt: skip
    updated = max((r.published_at for r in latest if r.published_at), default=None)
    return QualifiedList(city_id=city_id, updated_at=updated, items=items)
