"""The oversight domain's public reads (for grading and the composing layer), as frozen dataclasses.

- `latest_inspections(session, as_of, facility_ids=None)`: per facility and kind (fire, food), the latest
  inspection on or before `as_of`, with its fix (RATING.md: fire pass = 100, fail = 0; food A/B/C; a failed
  fire inspection or food C caps the grade until a passing one is recorded);
- `incidents(session, start, end, facility_ids=None)`: incidents that occurred in [start, end) with severity
  and veto;
- `report_filings(session, operator_ids, year, today)`: each report due in `year` per operator: on time, late,
  missing or not yet due.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.oversight import repository_facts as facts
from backend.oversight.reports import filing_states


@dataclass(frozen=True, slots=True)
class InspectionFact:
    facility_id: uuid.UUID
    kind: str  # fire | food
    result: str  # pass | fail | A | B | C
    inspected_on: date
    fix_due_on: date | None
    fixed_on: date | None


@dataclass(frozen=True, slots=True)
class IncidentFact:
    id: uuid.UUID
    facility_id: uuid.UUID
    occurred_at: datetime
    kind: str
    severity: str  # minor | serious | major
    veto: bool


@dataclass(frozen=True, slots=True)
class ReportFiling:
    operator_id: uuid.UUID
    kind: str  # quarterly | yearly
    year: int
    quarter: int | None
    due_on: date
    state: str  # on_time | late | missing | not_yet_due
    report_id: uuid.UUID | None


async def latest_inspections(
    session: AsyncSession, as_of: date, facility_ids: Collection[uuid.UUID] | None = None
) -> list[InspectionFact]:
    rows = await facts.latest_inspections(session, as_of, facility_ids)
    return [InspectionFact(*row) for row in rows]


async def incidents(
    session: AsyncSession, start: datetime, end: datetime, facility_ids: Collection[uuid.UUID] | None = None
) -> list[IncidentFact]:
    rows = await facts.incidents(session, start, end, facility_ids)
    return [IncidentFact(*row) for row in rows]


async def report_filings(
    session: AsyncSession, operator_ids: Collection[uuid.UUID], year: int, today: date
) -> list[ReportFiling]:
    states = await filing_states(session, sorted(operator_ids), year, today)
    return [
        ReportFiling(s.operator_id, s.kind.value, s.year, s.quarter, s.due_on, s.state.value, s.report_id)
        for s in states
    ]
