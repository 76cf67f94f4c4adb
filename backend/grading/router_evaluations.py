"""The yearly evaluation over HTTP (Chongqing arts. 12, 15; Baotou art. 44): regulators at the ruleset's
evaluator level open, score, confirm and re-evaluate; the operator reads and responds in writing."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status

from backend.core.access import OVERSIGHT, OperatorOrOversight, OperatorStaff, Oversight
from backend.core.database import SessionDep
from backend.core.idempotency import Idempotency, idempotent
from backend.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page
from backend.grading import evaluations
from backend.grading.models import EvaluationStatus
from backend.grading.schemas_evaluations import (
    EvaluationCreate,
    EvaluationPublic,
    ResponseRecord,
    ScoresRecord,
)

router = APIRouter(tags=["evaluations"])

OversightCreate = Annotated[Idempotency, Depends(idempotent(OVERSIGHT), scope="function")]


@router.post(
    "/operators/{operator_id}/evaluations",
    response_model=EvaluationPublic,
    status_code=status.HTTP_201_CREATED,
)
async def open_evaluation(
    operator_id: uuid.UUID, body: EvaluationCreate, idem: OversightCreate, session: SessionDep
) -> Any:
    """Open the year's evaluation of an operator; the system proposes the grade from the year's published
    results. The regulator at the evaluator level the operator's ruleset names (or an admin); 409
    `evaluation_in_trial` during the trial period (Chongqing art. 12), `evaluation_no_results`,
    `evaluation_not_in_ruleset`, `evaluation_exists`."""
    return await idem.run(
        session, lambda: evaluations.open_evaluation(session, idem.principal, operator_id, body)
    )


@router.get("/evaluations", response_model=Page[EvaluationPublic])
async def list_evaluations(
    caller: OperatorOrOversight, session: SessionDep, year: int | None = None,
    status: EvaluationStatus | None = None, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None,
) -> Page[EvaluationPublic]:  # fmt: skip
    """Evaluations of the operators in the caller's scope (operator staff: their own), newest first."""
    return await evaluations.list_evaluations(session, caller, year, status, cursor, limit)


@router.get("/evaluations/{evaluation_id}", response_model=EvaluationPublic)
async def get_evaluation(
    evaluation_id: uuid.UUID, caller: OperatorOrOversight, session: SessionDep
) -> EvaluationPublic:
    """The evaluation with its proposal, scores, response, confirmed grade, rectification and history."""
    return await evaluations.get_evaluation(session, caller, evaluation_id)


@router.post("/evaluations/{evaluation_id}/scores", response_model=EvaluationPublic)
async def record_scores(
    evaluation_id: uuid.UUID, body: ScoresRecord, caller: Oversight, session: SessionDep
) -> EvaluationPublic:
    """Record the scores the ruleset asks for (site visit, satisfaction survey, expert; 0–100): the year's
    while open, the re-evaluation's during the rectification."""
    return await evaluations.record_scores(session, caller, evaluation_id, body)


@router.post("/evaluations/{evaluation_id}/response", response_model=EvaluationPublic)
async def respond(
    evaluation_id: uuid.UUID, body: ResponseRecord, caller: OperatorStaff, session: SessionDep
) -> EvaluationPublic:
    """The operator's written response before the evaluation is confirmed."""
    return await evaluations.respond(session, caller, evaluation_id, body)


@router.post("/evaluations/{evaluation_id}/confirm", response_model=EvaluationPublic)
async def confirm(evaluation_id: uuid.UUID, caller: Oversight, session: SessionDep) -> EvaluationPublic:
    """Confirm the year's grade (优秀/良好/合格/不合格). Needs every score the ruleset asks for, and the
    operator's response or its deadline passed. 不合格 opens the rectification period (Chongqing art. 15) or
    removes the operator from the list at once (Baotou art. 44)."""
    return await evaluations.confirm(session, caller, evaluation_id)


@router.post("/evaluations/{evaluation_id}/reevaluate", response_model=EvaluationPublic)
async def reevaluate(evaluation_id: uuid.UUID, caller: Oversight, session: SessionDep) -> EvaluationPublic:
    """Re-evaluate at the end of the rectification period (a daily job does it too): the operator is graded
    and published now; still 不合格 → marked for contract termination (Chongqing) or removed from the list."""
    return await evaluations.reevaluate(session, caller, evaluation_id)
