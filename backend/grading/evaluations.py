"""The yearly evaluation (Chongqing arts. 12, 15; Baotou art. 44) as a workflow.

A regulator at the evaluator level the operator's ruleset names (`Scope.may_evaluate_operator`) opens the
year's evaluation; the system proposes the grade from the year's published results (the latest of them: its
window is the twelve months up to its publication; all of them are listed as the basis). The regulator records
the scores the ruleset asks for (site visit, satisfaction survey, expert), the operator may respond in
writing until `response_due_on`, and the regulator confirms (`yearly.year_grade`). 不合格 opens the ruleset's
rectification period (Chongqing: 3 months), re-evaluated at its end from a freshly published result (by
`POST /evaluations/{id}/reevaluate` or the daily job): still 不合格 → marked for contract termination
(Chongqing) or removed from the qualified list (Baotou, at once where the ruleset gives no rectification).
Every change is an `evaluation_event` (who, when, the status after it) and, for staff, an audit entry. The
evaluation keeps the ruleset document it was opened under.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.service import record
from backend.catalogue import queries as catalogue
from backend.core.access import Principal, RegionLevel
from backend.core.clock import SHANGHAI, as_utc, to_shanghai, utcnow
from backend.core.pagination import Page, keyset_after, keyset_page
from backend.core.scope import Scope
from backend.grading import repository_evaluations as repo
from backend.grading.compute import display_grade, months_between
from backend.grading.evaluation_errors import (
    AwaitingResponse,
    EvaluationExists,
    EvaluationNotAllowed,
    EvaluationNotFound,
    EvaluationStateConflict,
    InTrial,
    NoResults,
    NotEvaluatedYearly,
    RectificationNotDue,
    ResponseNotAllowed,
    ScoresMissing,
    UnknownScore,
    YearNotStarted,
)
from backend.grading.models import Evaluation, EvaluationEvent, EvaluationStatus, RunKind
from backend.grading.schemas_evaluations import (
    EvaluationCreate,
    EvaluationEventPublic,
    EvaluationPublic,
    ResponseRecord,
    ScoresRecord,
)
from backend.grading.service import OperatorNotFound, grade_operators
from backend.grading.yearly import Consequence, after_confirmation, after_rectification, year_grade
from backend.rulesets.document import FAILED, GradingSection, RulesetDocument


def _today(now: datetime) -> date:
    return to_shanghai(now).date()


def _grading(ev: Evaluation) -> GradingSection:
    return RulesetDocument.model_validate(ev.ruleset_document).grading


def _year_window(year: int) -> tuple[datetime, datetime]:
    start = as_utc(datetime.combine(date(year, 1, 1), time.min, tzinfo=SHANGHAI))
    return start, as_utc(datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=SHANGHAI))


async def _event(
    session: AsyncSession, ev: Evaluation, action: str, principal: Principal | None, at: datetime,
    detail: dict[str, Any],
) -> None:  # fmt: skip
    role = principal.role.value if principal else "system"
    session.add(
        EvaluationEvent(evaluation_id=ev.id, action=action, actor_role=role, status=ev.status, detail=detail,
                        actor_id=principal.id if principal else None, at=at)
    )  # fmt: skip
    if principal is not None:
        await record(session, principal, action, "evaluation", ev.id, {**detail, "status": ev.status})
    await session.flush()


def _require_evaluator(scope: Scope, ev: Evaluation) -> None:
    scope.require(scope.sees_operator(ev.operator_id), EvaluationNotFound())
    level = RegionLevel(_grading(ev).evaluator_level.value)
    if not scope.may_evaluate_operator(ev.operator_id, level):
        raise EvaluationNotAllowed(extra={"evaluator_level": level.value})


async def _for_evaluator(session: AsyncSession, principal: Principal, evaluation_id: uuid.UUID) -> Evaluation:
    ev = await repo.get(session, evaluation_id, lock=True)
    scope = await catalogue.resolve_scope(session, principal)
    scope.require(ev is not None, EvaluationNotFound())
    assert ev is not None
    _require_evaluator(scope, ev)
    return ev


# ---------------------------------------------------------------- open, score, respond, confirm


async def open_evaluation(
    session: AsyncSession, principal: Principal, operator_id: uuid.UUID, body: EvaluationCreate
) -> EvaluationPublic:
    now = utcnow()
    today = _today(now)
    scope = await catalogue.resolve_scope(session, principal)
    scope.require(scope.sees_operator(operator_id), OperatorNotFound())
    facts = await catalogue.operator_facts(session, operator_ids=[operator_id])
    if not facts:
        raise OperatorNotFound()
    ruleset = await catalogue.ruleset_for_operator(session, operator_id)
    g = ruleset.document.grading
    if not g.yearly.enabled:
        raise NotEvaluatedYearly()
    level = RegionLevel(g.evaluator_level.value)
    if not scope.may_evaluate_operator(operator_id, level):
        raise EvaluationNotAllowed(extra={"evaluator_level": level.value})
    if body.year > today.year:
        raise YearNotStarted()
    if months_between(facts[0].started_on, today) < g.trial_months:
        raise InTrial(extra={"started_on": facts[0].started_on.isoformat(), "trial_months": g.trial_months})
    if await repo.find(session, operator_id, body.year) is not None:
        raise EvaluationExists()
    results = await repo.published_between(session, operator_id, *_year_window(body.year))
    graded = [r for r in results if r.level is not None]
    if not graded:
        raise NoResults()
    latest = graded[-1]
    ev = Evaluation(
        operator_id=operator_id, city_id=facts[0].city_id, year=body.year, ruleset_id=ruleset.id,
        ruleset_version=ruleset.version, ruleset_document=ruleset.document.model_dump(mode="json"),
        basis=[{"result_id": str(r.id), "published_at": to_shanghai(r.published_at).isoformat(),  # type: ignore[arg-type]
                "level": r.level, "grade": r.grade, "total": r.total, "status": r.status,
                "proposed_from": r.id == latest.id} for r in results],
        proposed_level=latest.level, proposed_total=latest.total,  # type: ignore[arg-type]
        response_due_on=today + timedelta(days=g.yearly.response_days), opened_by=principal.id,
    )  # fmt: skip
    session.add(ev)
    await session.flush()
    proposal = {"year": body.year, "proposed_level": ev.proposed_level, "proposed_total": ev.proposed_total}
    await _event(session, ev, "opened", principal, now, proposal)
    return await to_public(session, ev)


async def record_scores(
    session: AsyncSession, principal: Principal, evaluation_id: uuid.UUID, body: ScoresRecord
) -> EvaluationPublic:
    """While open: the year's scores; while rectifying: the re-evaluation's (they replace earlier ones)."""
    ev = await _for_evaluator(session, principal, evaluation_id)
    wanted = _grading(ev).yearly.extra_scores
    unknown = sorted(set(body.scores) - set(wanted))
    if unknown:
        raise UnknownScore(extra={"unknown": unknown, "asked_for": sorted(wanted)})
    if ev.status == EvaluationStatus.open:
        ev.scores = {**ev.scores, **body.scores}
    elif ev.status == EvaluationStatus.rectifying:
        ev.rectification_scores = {**ev.rectification_scores, **body.scores}
    else:
        raise EvaluationStateConflict()
    session.add(ev)
    await _event(session, ev, "scores", principal, utcnow(), {"scores": dict(sorted(body.scores.items()))})
    return await to_public(session, ev)


async def respond(
    session: AsyncSession, principal: Principal, evaluation_id: uuid.UUID, body: ResponseRecord
) -> EvaluationPublic:
    """The operator's written response before confirmation (a later one replaces it; each is kept as an
    event)."""
    ev = await repo.get(session, evaluation_id, lock=True)
    scope = await catalogue.resolve_scope(session, principal)
    scope.require(ev is not None and scope.sees_operator(ev.operator_id), EvaluationNotFound())
    assert ev is not None
    if not scope.acts_for_operator(ev.operator_id):
        raise ResponseNotAllowed()
    if ev.status != EvaluationStatus.open:
        raise EvaluationStateConflict()
    now = utcnow()
    ev.response, ev.responded_at = body.text, now
    session.add(ev)
    await _event(session, ev, "response", principal, now, {"text": body.text})
    return await to_public(session, ev)


def _status(c: Consequence) -> str:
    return EvaluationStatus(c.status).value


async def confirm(session: AsyncSession, principal: Principal, evaluation_id: uuid.UUID) -> EvaluationPublic:
    ev = await _for_evaluator(session, principal, evaluation_id)
    if ev.status != EvaluationStatus.open:
        raise EvaluationStateConflict()
    g = _grading(ev)
    now = utcnow()
    today = _today(now)
    missing = sorted(set(g.yearly.extra_scores) - set(ev.scores))
    if missing:
        raise ScoresMissing(extra={"missing": missing})
    if ev.response is None and today < ev.response_due_on:
        raise AwaitingResponse(extra={"response_due_on": ev.response_due_on.isoformat()})
    grade = year_grade(ev.proposed_level, ev.proposed_total, ev.scores, g)
    consequence = after_confirmation(grade, today, g)
    ev.level, ev.grade, ev.total = grade.level, grade.grade, grade.total
    ev.confirmed_at, ev.confirmed_by = now, principal.id
    ev.status, ev.rectification_due = _status(consequence), consequence.rectification_due
    session.add(ev)
    await _event(session, ev, "confirmed", principal, now,
                 {"level": grade.level, "grade": grade.grade, "total": grade.total,
                  "rectification_due": consequence.rectification_due.isoformat()
                  if consequence.rectification_due else None})  # fmt: skip
    return await to_public(session, ev)


# ---------------------------------------------------------------- the end of the rectification


async def reevaluate_due(
    session: AsyncSession, ev: Evaluation, principal: Principal | None, now: datetime
) -> Evaluation:
    """Grade the operator now (published), combine with the re-evaluation's scores (else the year's), and
    apply the ruleset's failure action if it is still 不合格 (整改仍不合格)."""
    today = _today(now)
    assert ev.rectification_due is not None
    if ev.status != EvaluationStatus.rectifying:
        raise EvaluationStateConflict()
    if today < ev.rectification_due:
        raise RectificationNotDue(extra={"rectification_due": ev.rectification_due.isoformat()})
    g = _grading(ev)
    _, results = await grade_operators(session, kind=RunKind.rectification, publish=True,
                                       operator_ids=[ev.operator_id], at=now)  # fmt: skip
    result = results[0] if results else None  # an operator no longer active has no result: still failing
    level = result.level if result is not None and result.level is not None else FAILED
    total = result.total if result is not None else 0.0
    scores = {**ev.scores, **ev.rectification_scores}
    regrade = year_grade(level, total, scores, g)
    consequence = after_rectification(regrade, ev.rectification_due, today, g)
    ev.status = _status(consequence)
    ev.reevaluation = {"result_id": str(result.id) if result else None, "result_level": level,
                       "result_total": total, "scores": dict(sorted(scores.items())), "level": regrade.level,
                       "grade": regrade.grade, "total": regrade.total}  # fmt: skip
    ev.reevaluated_at = now
    session.add(ev)
    await _event(session, ev, "reevaluated", principal, now, dict(ev.reevaluation))
    return ev


async def reevaluate(
    session: AsyncSession, principal: Principal, evaluation_id: uuid.UUID
) -> EvaluationPublic:
    ev = await _for_evaluator(session, principal, evaluation_id)
    if ev.status != EvaluationStatus.rectifying:
        raise EvaluationStateConflict()
    return await to_public(session, await reevaluate_due(session, ev, principal, utcnow()))


async def reevaluate_all_due(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """The daily job: every rectification whose period has ended is re-evaluated by the system."""
    done = []
    for ev in await repo.rectifications_due(session, _today(now)):
        await reevaluate_due(session, ev, None, now)
        done.append(ev.id)
    return done


# ---------------------------------------------------------------- reads


async def get_evaluation(
    session: AsyncSession, principal: Principal, evaluation_id: uuid.UUID
) -> EvaluationPublic:
    ev = await repo.get(session, evaluation_id)
    scope = await catalogue.resolve_scope(session, principal)
    scope.require(ev is not None and scope.sees_operator(ev.operator_id), EvaluationNotFound())
    assert ev is not None
    return await to_public(session, ev)


async def list_evaluations(
    session: AsyncSession, principal: Principal, year: int | None, status: EvaluationStatus | None,
    cursor: str | None, limit: int,
) -> Page[EvaluationPublic]:  # fmt: skip
    scope = await catalogue.resolve_scope(session, principal)
    rows = await repo.listed(session, scope.operator_filter(Evaluation.operator_id), year,
                             status.value if status else None, keyset_after(cursor), limit)  # fmt: skip
    items, next_cursor = keyset_page(rows, limit)
    return Page(
        items=[await to_public(session, ev, with_events=False) for ev in items], next_cursor=next_cursor
    )


async def to_public(session: AsyncSession, ev: Evaluation, *, with_events: bool = True) -> EvaluationPublic:
    g = _grading(ev)
    events = await repo.events(session, ev.id) if with_events else []
    return EvaluationPublic(
        id=ev.id, operator_id=ev.operator_id, year=ev.year, status=EvaluationStatus(ev.status),
        ruleset={"id": str(ev.ruleset_id) if ev.ruleset_id else None, "version": ev.ruleset_version,
                 "name": ev.ruleset_document.get("name"), "evaluator_level": g.evaluator_level.value,
                 "scores_asked_for": dict(g.yearly.extra_scores), "source": g.yearly.source,
                 "failure_action": g.failure_action.model_dump(mode="json")},
        basis=ev.basis, proposed_level=ev.proposed_level,
        proposed_grade=display_grade(ev.proposed_level, g) or FAILED, proposed_total=ev.proposed_total,
        scores=ev.scores, scores_missing=sorted(set(g.yearly.extra_scores) - set(ev.scores)),
        response=ev.response, response_due_on=ev.response_due_on, responded_at=ev.responded_at,
        level=ev.level, grade=ev.grade, total=ev.total, confirmed_at=ev.confirmed_at,
        rectification_due=ev.rectification_due, rectification_scores=ev.rectification_scores,
        reevaluation=ev.reevaluation,
        reevaluated_at=ev.reevaluated_at, created_at=ev.created_at,
        events=[EvaluationEventPublic(action=e.action, actor_role=e.actor_role, actor_id=e.actor_id,
                                      status=e.status, detail=e.detail, at=e.at) for e in events],
    )  # fmt: skip
