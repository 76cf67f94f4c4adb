"""The oversight domain's public reads (for grading and the composing layer), as frozen dataclasses.

- `latest_inspections(session, as_of, facility_ids=None)`: per facility and kind (fire, food), the latest
  inspection on or before `as_of`, with its fix (RATING.md: fire pass = 100, fail = 0; food A/B/C; a failed
  fire inspection or food C caps the grade until a passing one is recorded);
- `incidents(session, start, end, facility_ids=None)`: incidents that occurred in [start, end) with severity
  and veto;
- `report_filings(session, operator_ids, year, today)`: each report due in `year` per operator: on time, late,
  missing or not yet due;
- `open_safety(session, facility_ids, now, today)`: per facility, overdue inspection fixes and open/overdue
  hazard reports;
- `report_counts(session, operator_ids, first, last)`: per operator, the reports due in [first, last] and
  how many were filed on time (grading's operations part, a whole city at once);
- `incidents_changed_since(session, since)`: incidents recorded, or whose veto was set or lifted, since then
  (grading's veto job: a veto takes effect at once).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.database import UTCDateTime
from backend.oversight import repository_facts as facts
from backend.oversight.models import Hazard, HazardStatus, Inspection
from backend.oversight.reports import filing_states
from backend.oversight.reports import report_counts as _report_counts


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
class IncidentChange:
    incident: IncidentFact
    changed_at: datetime  # when it was recorded, or its veto last set or lifted (the later)


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
    session: AsyncSession,
    as_of: date,
    facility_ids: Collection[uuid.UUID] | None = None,
    *,
    operator_ids: Collection[uuid.UUID] | None = None,
) -> list[InspectionFact]:
    """`operator_ids`: only those operators' facilities (a whole city at once)."""
    rows = await facts.latest_inspections(session, as_of, facility_ids, operator_ids)
    return [InspectionFact(*row) for row in rows]


async def incidents(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    facility_ids: Collection[uuid.UUID] | None = None,
    *,
    operator_ids: Collection[uuid.UUID] | None = None,
) -> list[IncidentFact]:
    rows = await facts.incidents(session, start, end, facility_ids, operator_ids)
    return [IncidentFact(*row) for row in rows]


async def report_filings(
    session: AsyncSession, operator_ids: Collection[uuid.UUID], year: int, today: date
) -> list[ReportFiling]:
    states = await filing_states(session, sorted(operator_ids), year, today)
    return [
        ReportFiling(s.operator_id, s.kind.value, s.year, s.quarter, s.due_on, s.state.value, s.report_id)
        for s in states
    ]


@dataclass(frozen=True, slots=True)
class OpenSafety:
    """A facility's open safety findings: inspection fixes past their deadline and not recorded as done;
    hazard reports open (waiting for the operator, or escalated to the street office) and of those, overdue
    (past the answer deadline, or escalated because they were)."""

    overdue_fixes: int = 0
    open_hazards: int = 0
    overdue_hazards: int = 0


async def open_safety(
    session: AsyncSession, facility_ids: Collection[uuid.UUID], now: datetime, today: date
) -> dict[uuid.UUID, OpenSafety]:
    """Per facility (absent: nothing open), in two GROUP BY queries."""
    ids = sorted(set(facility_ids))
    if not ids:
        return {}
    i = Inspection.__table__.c  # type: ignore[attr-defined]
    h = Hazard.__table__.c  # type: ignore[attr-defined]
    fixes = (
        sa.select(i.facility_id, sa.func.count())
        .where(i.facility_id.in_(ids), i.fix_due_on.is_not(None), i.fixed_on.is_(None), i.fix_due_on < today)
        .group_by(i.facility_id)
    )
    late = sa.or_(
        h.status == HazardStatus.escalated.value,
        sa.and_(h.answer_due_at.is_not(None), h.answer_due_at < sa.literal(now, UTCDateTime())),
    )
    hazards = (
        sa.select(h.facility_id, sa.func.count(), sa.func.sum(sa.case((late, 1), else_=0)))
        .where(h.facility_id.in_(ids), h.status.in_([HazardStatus.open.value, HazardStatus.escalated.value]))
        .group_by(h.facility_id)
    )
    out: dict[uuid.UUID, dict[str, int]] = {}
    for fid, n in (await session.execute(fixes)).all():
        out.setdefault(fid, {})["overdue_fixes"] = int(n)
    for fid, n, overdue in (await session.execute(hazards)).all():
        out.setdefault(fid, {}).update(open_hazards=int(n), overdue_hazards=int(overdue or 0))
    return {fid: OpenSafety(**counts) for fid, counts in out.items()}


async def incidents_changed_since(session: AsyncSession, since: datetime) -> list[IncidentChange]:
    rows = await facts.incidents_changed_since(session, since)
    return [IncidentChange(IncidentFact(*row[:6]), row[6]) for row in rows]


async def report_counts(
    session: AsyncSession, operator_ids: Collection[uuid.UUID], first: date, last: date
) -> dict[uuid.UUID, tuple[int, int]]:
    """(due, on time) per operator; late and missing reports are due and not on time."""
    return await _report_counts(session, sorted(operator_ids), first, last)
