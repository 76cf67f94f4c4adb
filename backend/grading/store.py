"""Storing a run's results: one INSERT for the whole run, light `StoredResult` rows handed back (building an
ORM object per operator was a tenth of a city's run), and publishing them with one UPDATE."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import queries as catalogue
from backend.catalogue.service import record_operator_grades
from backend.core.clock import utcnow
from backend.grading import repository as repo
from backend.grading.compute import A_LEVELS, FAILED, Outcome
from backend.grading.inputs import Inputs
from backend.grading.models import RatingRun, RunKind
from backend.rulesets.queries import Ruleset


def qualified(level: str | None, vetoed: bool, qualified_from: str) -> bool:
    """On the public list: at `qualified_from` (1A, 合格) or better, with no open veto."""
    if level is None or level == FAILED or vetoed:
        return False
    return A_LEVELS.index(level) <= A_LEVELS.index(qualified_from)


@dataclass(frozen=True, slots=True)
class Graded:
    facts: catalogue.OperatorFacts
    ruleset: Ruleset
    inputs: Inputs
    outcome: Outcome

    @property
    def veto_ids(self) -> frozenset[str]:
        return frozenset(v["incident_id"] for v in self.outcome.data["vetoes"])


@dataclass(slots=True)
class StoredResult:
    """A `rating_result` row as a run stored it (the columns callers read; `RatingResult` is the table)."""

    id: uuid.UUID
    run_id: uuid.UUID
    operator_id: uuid.UUID
    city_id: uuid.UUID
    status: str
    level: str | None
    grade: str | None
    total: float
    qualified: bool
    window_from: date
    window_to: date
    inputs: dict[str, Any]
    result: dict[str, Any]
    digest: str
    computed_at: datetime
    published_at: datetime | None = None


def _row(
    run_id: uuid.UUID, g: Graded, at: datetime, now: datetime, document: dict[str, Any]
) -> dict[str, Any]:
    data, qualified_from = g.outcome.data, g.ruleset.document.grading.qualified_from
    return {
        "id": uuid.uuid4(), "created_at": now, "updated_at": now, "run_id": run_id, "operator_id": g.facts.id,
        "city_id": g.facts.city_id, "ruleset_id": g.ruleset.id, "ruleset_version": g.ruleset.version,
        "ruleset_document": document, "window_from": g.inputs.window_from, "window_to": g.inputs.window_to,
        "status": data["status"], "level": data["level"], "grade": data["grade"], "total": data["total"],
        "qualified": qualified(data["level"], bool(data["vetoes"]), qualified_from),
        "inputs": g.inputs.as_json(), "result": data, "digest": g.outcome.digest, "computed_at": at,
        "published_at": None,
    }  # fmt: skip


async def store_run(
    session: AsyncSession,
    graded: list[Graded],
    *,
    kind: RunKind,
    publish: bool,
    at: datetime,
    operator_ids: list[uuid.UUID] | None = None,
    requested_by: uuid.UUID | None = None,
) -> tuple[RatingRun, list[StoredResult]]:
    listed = [str(i) for i in operator_ids] if operator_ids is not None else None
    now = utcnow()
    run = RatingRun(kind=kind, requested_by=requested_by, publish=publish, operator_ids=listed,
                    results=len(graded), finished_at=now)  # fmt: skip
    session.add(run)
    await session.flush()
    documents: dict[int, dict[str, Any]] = {}  # one JSON form per ruleset document (shared, never mutated)
    for g in graded:
        documents.setdefault(id(g.ruleset.document), g.ruleset.document.model_dump(mode="json"))
    rows = [_row(run.id, g, at, now, documents[id(g.ruleset.document)]) for g in graded]
    await repo.insert_results(session, rows)
    results = [
        StoredResult(**{k: row[k] for k in StoredResult.__slots__})  # type: ignore[attr-defined]
        for row in rows
    ]
    if publish:
        await publish_results(session, results, at)
    return run, results


async def publish_results(session: AsyncSession, results: list[StoredResult], at: datetime) -> None:
    """Mark the results public and update the grade facility pages show."""
    await repo.mark_published(session, [r.id for r in results], at)
    for r in results:
        r.published_at = at
    await record_operator_grades(session, {r.operator_id: r.grade for r in results})
