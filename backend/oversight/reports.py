"""Operator reports (Baotou art. 32, Wuhan art. 10, Chongqing art. 15).

An operator files a quarterly report (due `quarterly_due_days_after_quarter` days after the quarter) and a
yearly one (due by 31 December); revenue, costs, staff and notes are typed, the served figures are filled in
from completed bookings at each (re)submission (exact counts per facility, supplier, function and month:
`backend.bookings.queries.booking_counts`). A regulator over the operator returns a report with a reason or
accepts it; a returned report is resubmitted (its first submission decides whether it was late). Late and
missing reports are findings (`findings`), read by grading through `backend.oversight.queries`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.service import record
from backend.bookings.queries import booking_counts
from backend.catalogue.queries import operator_starts, resolve_scope
from backend.core.access import Principal
from backend.core.clock import SHANGHAI, as_utc, utcnow
from backend.core.pagination import Page, keyset_after, keyset_page
from backend.oversight import repository as repo
from backend.oversight import repository_reports as rrepo
from backend.oversight.errors import ReportNotDue, ReportNotFound, ReportPeriodNotEnded, ReportStateConflict
from backend.oversight.models import OperatorReport, ReportKind, ReportStatus
from backend.oversight.rules import OversightRules, rules_for_operator, rules_for_operators
from backend.oversight.schemas_reports import (
    FilingState,
    ReportFinding,
    ReportReturn,
    ReportSubmit,
    ReportView,
    ServedFigures,
)


def period(kind: ReportKind, year: int, quarter: int) -> tuple[date, date]:
    """[first day, first day after) of the reporting period."""
    if kind == ReportKind.yearly:
        return date(year, 1, 1), date(year + 1, 1, 1)
    start = date(year, 3 * (quarter - 1) + 1, 1)
    return start, (date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1))


def due_on(rules: OversightRules, kind: ReportKind, year: int, quarter: int) -> date:
    if kind == ReportKind.yearly:
        return date(year, *rules.yearly_due_month_day)
    return period(kind, year, quarter)[1] + timedelta(days=rules.quarterly_due_days_after_quarter - 1)


def opens_on(rules: OversightRules, kind: ReportKind, year: int, quarter: int) -> date:
    if kind == ReportKind.yearly:
        return date(year, *rules.yearly_opens_month_day)
    return period(kind, year, quarter)[1]


def _midnight(day: date) -> datetime:
    return as_utc(datetime.combine(day, time.min, tzinfo=SHANGHAI))


def _today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def report_view(row: OperatorReport) -> ReportView:
    view = ReportView.model_validate(row)
    view.quarter = row.quarter or None
    return view


async def _figures(
    session: AsyncSession, operator_id: uuid.UUID, start: date, end: date
) -> list[dict[str, object]]:
    facilities = await rrepo.facilities_of(session, operator_id)
    if not facilities:
        return []
    counts = await booking_counts(
        session, start=_midnight(start), end=_midnight(end), facility_ids=facilities
    )
    return [
        ServedFigures(
            facility_id=c.facility_id,
            supplier_id=c.supplier_id,
            function=c.function,
            month=c.month,
            person_times=c.person_times,
            bookings=c.bookings,
            cancelled=c.cancelled,
            no_show=c.no_show,
        ).model_dump(mode="json")
        for c in counts
    ]


async def submit(session: AsyncSession, principal: Principal, body: ReportSubmit) -> ReportView:
    """File (or, once returned, resubmit) the caller's operator's report for a period."""
    operator_id = principal.operator_id
    assert operator_id is not None  # the route admits operator staff only
    rules = await rules_for_operator(session, operator_id)
    if body.kind not in rules.reports_due:
        raise ReportNotDue()
    quarter = body.quarter or 0
    today, now = _today(), utcnow()
    if today < opens_on(rules, body.kind, body.year, quarter):
        raise ReportPeriodNotEnded()
    start, end = period(body.kind, body.year, quarter)
    figures = await _figures(session, operator_id, start, min(end, today + timedelta(days=1)))
    typed = body.model_dump(include={"revenue_fen", "costs_fen", "staff_count", "notes"})
    row = await rrepo.find_report(session, operator_id, body.kind.value, body.year, quarter, lock=True)
    if row is None:
        due = due_on(rules, body.kind, body.year, quarter)
        row = OperatorReport(
            operator_id=operator_id,
            kind=body.kind.value,
            year=body.year,
            quarter=quarter,
            due_on=due,
            first_submitted_at=now,
            submitted_at=now,
            late=today > due,
            submitted_by=principal.id,
            figures=figures,
            **typed,
        )
        action = "submitted"
    elif row.status == ReportStatus.returned.value:
        for name, value in typed.items():
            setattr(row, name, value)
        row.figures, row.submitted_at, row.submitted_by = figures, now, principal.id
        row.status, row.return_reason = ReportStatus.submitted.value, None
        action = "resubmitted"
    else:
        raise ReportStateConflict()
    session.add(row)
    await session.flush()
    await repo.add_event(session, "operator_report", row.id, action, principal, at=now)
    await record(session, principal, action, "operator_report", row.id, body.model_dump(mode="json"))
    return report_view(row)


async def _report_for_decider(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID
) -> OperatorReport:
    row = await rrepo.get_report(session, report_id, lock=True)
    scope = await resolve_scope(session, principal)
    scope.require(row is not None and scope.may_decide_for_operator(row.operator_id), ReportNotFound())
    assert row is not None
    if row.status != ReportStatus.submitted.value:
        raise ReportStateConflict()
    return row


async def return_report(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID, body: ReportReturn
) -> ReportView:
    row = await _report_for_decider(session, principal, report_id)
    row.status, row.return_reason = ReportStatus.returned.value, body.reason
    session.add(row)
    await session.flush()
    await repo.add_event(session, "operator_report", row.id, "returned", principal, body.reason)
    await record(session, principal, "return", "operator_report", row.id, {"reason": body.reason})
    return report_view(row)


async def accept_report(session: AsyncSession, principal: Principal, report_id: uuid.UUID) -> ReportView:
    row = await _report_for_decider(session, principal, report_id)
    row.status = ReportStatus.accepted.value
    session.add(row)
    await session.flush()
    await repo.add_event(session, "operator_report", row.id, "accepted", principal)
    await record(session, principal, "accept", "operator_report", row.id)
    return report_view(row)


async def get_report(session: AsyncSession, principal: Principal, report_id: uuid.UUID) -> ReportView:
    row = await rrepo.get_report(session, report_id)
    scope = await resolve_scope(session, principal)
    scope.require(row is not None and scope.sees_operator(row.operator_id), ReportNotFound())
    assert row is not None
    return report_view(row)


async def list_reports(
    session: AsyncSession,
    principal: Principal,
    operator_id: uuid.UUID | None,
    year: int | None,
    cursor: str | None,
    limit: int,
) -> Page[ReportView]:
    scope = await resolve_scope(session, principal)
    rows = await rrepo.list_reports(
        session,
        scope.operator_filter(OperatorReport.operator_id),
        operator_id,
        year,
        keyset_after(cursor),
        limit,
    )
    items, next_cursor = keyset_page(rows, limit)
    return Page(items=[report_view(r) for r in items], next_cursor=next_cursor)


def due_periods(
    rules: OversightRules, year: int, started_on: date | None = None
) -> list[tuple[ReportKind, int]]:
    """The reports due for `year`: a period that ended before the operator started is not due (an operator
    that started in Q3 reports Q3, Q4 and the year, not Q1 or Q2)."""
    out: list[tuple[ReportKind, int]] = []
    if ReportKind.quarterly in rules.reports_due:
        out += [(ReportKind.quarterly, q) for q in (1, 2, 3, 4)]
    if ReportKind.yearly in rules.reports_due:
        out.append((ReportKind.yearly, 0))
    if started_on is not None:
        out = [(kind, q) for kind, q in out if period(kind, year, q)[1] > started_on]
    return out


async def filing_states(
    session: AsyncSession, operator_ids: list[uuid.UUID], year: int, today: date
) -> list[ReportFinding]:
    """Each due report of `year` per operator (by the ruleset where it is registered, from the day it
    started): on time, late, missing (due and not filed) or not yet due."""
    rules_of = await rules_for_operators(session, operator_ids)
    started = await operator_starts(session, operator_ids)
    filed = {
        (r.operator_id, r.kind, r.quarter): r for r in await rrepo.reports_of(session, operator_ids, [year])
    }
    out: list[ReportFinding] = []
    for operator_id in operator_ids:
        rules = rules_of[operator_id]
        for kind, quarter in due_periods(rules, year, started.get(operator_id)):
            due = due_on(rules, kind, year, quarter)
            row = filed.get((operator_id, kind.value, quarter))
            if row is not None:
                state = FilingState.late if row.late else FilingState.on_time
            else:
                state = FilingState.missing if today > due else FilingState.not_yet_due
            out.append(
                ReportFinding(
                    operator_id=operator_id,
                    kind=kind,
                    year=year,
                    quarter=quarter or None,
                    due_on=due,
                    state=state,
                    report_id=row.id if row else None,
                )
            )
    return out


async def report_counts(
    session: AsyncSession, operator_ids: list[uuid.UUID], first: date, last: date
) -> dict[uuid.UUID, tuple[int, int]]:
    """Per operator: how many reports fell due in [first, last] as `filing_states` counts them on `last`
    (filed, or missing once their due day has passed), and how many of those were filed on time. For grading
    a whole city at once: one read of the filed reports and no per-report objects."""
    rules_of = await rules_for_operators(session, operator_ids)
    started = await operator_starts(session, operator_ids)
    years = range(first.year, last.year + 1)
    late = {(r.operator_id, r.kind, r.year, r.quarter): r.late
            for r in await rrepo.reports_of(session, operator_ids, list(years))}  # fmt: skip
    out: dict[uuid.UUID, tuple[int, int]] = {}
    for operator_id in operator_ids:
        rules, due_n, on_time = rules_of[operator_id], 0, 0
        for year in years:
            for kind, quarter in due_periods(rules, year, started.get(operator_id)):
                due = due_on(rules, kind, year, quarter)
                if not first <= due <= last:
                    continue
                was_late = late.get((operator_id, kind.value, year, quarter))
                if was_late is None and last <= due:
                    continue  # not filed and not yet due
                due_n += 1
                on_time += was_late is False
        out[operator_id] = (due_n, on_time)
    return out


async def findings(
    session: AsyncSession, principal: Principal, year: int, only_findings: bool
) -> list[ReportFinding]:
    """Late and missing reports of the operators in the caller's scope (all states unless `only_findings`)."""
    scope = await resolve_scope(session, principal)
    operator_ids = await rrepo.operators_with_facilities(session, scope.operator_filter)
    states = await filing_states(session, operator_ids, year, _today())
    if only_findings:
        states = [s for s in states if s.state in (FilingState.late, FilingState.missing)]
    return states
