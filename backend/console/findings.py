"""Grades and open findings of a region's operators and facilities, composed from the domains' public reads
(each an aggregate in SQL: grading, catalogue configuration, oversight safety and reports, reviews)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import queries as catalogue
from backend.console.schemas import FacilityStanding, GradeOut, OpenFindings, OperatorStanding
from backend.grading import queries as grading
from backend.oversight import queries as oversight
from backend.reviews import queries as reviews

_COUNTS = (
    "configuration",
    "configuration_required",
    "overdue_fixes",
    "open_hazards",
    "overdue_hazards",
    "late_reports",
    "missing_reports",
    "overdue_rectifications",
)
_IN_TOTAL = (
    "configuration",
    "overdue_fixes",
    "open_hazards",
    "late_reports",
    "missing_reports",
    "overdue_rectifications",
)


def _findings(**counts: int) -> OpenFindings:
    values = {name: counts.get(name, 0) for name in _COUNTS}
    return OpenFindings(**values, total=sum(values[name] for name in _IN_TOTAL))


def _sum(items: Iterable[OpenFindings], **extra: int) -> OpenFindings:
    rows = list(items)
    return _findings(**{name: sum(getattr(r, name) for r in rows) + extra.get(name, 0) for name in _COUNTS})


def _grade(g: grading.GradeRef | None) -> GradeOut | None:
    if g is None:
        return None
    return GradeOut(
        grade=g.grade, level=g.level, status=g.status, total=g.total, qualified=g.qualified,
        published_at=g.published_at,
    )  # fmt: skip


async def _reports(
    session: AsyncSession, operator_ids: Sequence[uuid.UUID], first: date, last: date, today: date
) -> dict[uuid.UUID, dict[str, int]]:
    """Reports due in [first, last] (and by today) filed late, or still missing, per operator."""
    out = {op: {"late_reports": 0, "missing_reports": 0} for op in operator_ids}
    if not operator_ids:
        return out
    # A year's reports fall due up to a month into the next year (Q4, the yearly report).
    for year in range(first.year - 1, last.year + 1):
        for f in await oversight.report_filings(session, operator_ids, year, today):
            if first <= f.due_on <= min(last, today) and f.state in ("late", "missing"):
                out[f.operator_id][f"{f.state}_reports"] += 1
    return out


async def standings(
    session: AsyncSession,
    facilities: Sequence[catalogue.FacilityInRegion],
    *,
    first: date,
    last: date,
    now: datetime,
    today: date,
) -> tuple[OpenFindings, list[OperatorStanding], list[FacilityStanding]]:
    """The region's open findings in all, per operator (with its grade) and per facility."""
    ids = [f.id for f in facilities]
    operators = sorted({(f.operator, f.operator_id) for f in facilities})
    operator_ids = [op for _, op in operators]
    failed = await catalogue.failed_findings(session, ids)
    safety = await oversight.open_safety(session, ids, now, today)
    late_rectifications = await reviews.overdue_rectifications(session, ids, now)
    reports = await _reports(session, operator_ids, first, last, today)
    grades = await grading.latest_grades(session, operator_ids)

    by_facility: list[FacilityStanding] = []
    for f in facilities:
        rules = failed.get(f.id, ())
        s = safety.get(f.id, oversight.OpenSafety())
        by_facility.append(
            FacilityStanding(
                facility_id=f.id,
                facility=f.name,
                operator_id=f.operator_id,
                operator=f.operator,
                failed_rules=[rule for rule, _ in rules],
                findings=_findings(
                    configuration=len(rules),
                    configuration_required=sum(1 for _, severity in rules if severity == "required"),
                    overdue_fixes=s.overdue_fixes,
                    open_hazards=s.open_hazards,
                    overdue_hazards=s.overdue_hazards,
                    overdue_rectifications=late_rectifications.get(f.id, 0),
                ),
            )
        )
    by_operator = [
        OperatorStanding(
            operator_id=op,
            operator=name,
            grade=_grade(grades.get(op)),
            findings=_sum((f.findings for f in by_facility if f.operator_id == op), **reports[op]),
        )
        for name, op in operators
    ]
    return _sum(o.findings for o in by_operator), by_operator, by_facility
