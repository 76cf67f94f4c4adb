"""Gather each operator's inputs over its window through the lower domains' public reads (SQL aggregates):
catalogue (operators, facilities, disclosures, configuration), reviews (time-decayed level totals, exclusions,
rectifications), complaints (count, answered on time, resolved, per completed bookings) and oversight (each
facility's latest fire and food inspection on or before the window's last day, the window's incidents with
their veto, and the reports due in the window: on time, late or missing)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.queries import OperatorFacts
from backend.complaints.queries import OperatorComplaints, operator_complaints
from backend.core.clock import to_shanghai
from backend.grading.compute import rnd
from backend.grading.inputs import (
    Complaints,
    FacilitySafety,
    Incident,
    Inputs,
    Operations,
    Rectification,
    Satisfaction,
)
from backend.oversight import queries as oversight
from backend.reviews.queries import (
    OperatorRectifications,
    decayed_totals_by_operator,
    rectifications_by_operator,
)
from backend.rulesets.document import GradingSection


def _complaints(c: OperatorComplaints | None) -> Complaints:
    if c is None:
        return Complaints()
    return Complaints(complaints=c.count, completed_bookings=c.completed_bookings,
                      answered_on_time=c.answered_on_time, resolved=c.resolved)  # fmt: skip


def window_start(until: datetime, months: int) -> datetime:
    """`months` calendar months before `until` (day clamped to the month's length)."""
    y, m = divmod(until.year * 12 + until.month - 1 - months, 12)
    m += 1
    for day in (until.day, 30, 29, 28):
        try:
            return until.replace(year=y, month=m, day=day)
        except ValueError:
            continue
    raise ValueError(until)  # pragma: no cover


@dataclass(frozen=True, slots=True)
class _Safety:
    facilities: dict[uuid.UUID, tuple[str | None, str | None]]  # facility → (fire, food) latest results
    incidents: dict[uuid.UUID, list[Incident]]  # operator → the window's incidents
    reports: dict[uuid.UUID, tuple[int, int]]  # operator → (due, on time)


async def _oversight(
    session: AsyncSession, facts: Sequence[OperatorFacts], since: datetime, until: datetime,
    first: date, last: date,
) -> _Safety:  # fmt: skip
    """RATING.md "Safety" and "Operations" inputs: the latest inspection per facility and kind (a failed fire
    inspection or food grade C stays until a newer inspection is recorded), the incidents of the window, and
    each report whose due day falls in the window once the operator was running (late and missing ones are
    due and not on time)."""
    owner = {fid: f.id for f in facts for fid in f.facilities}
    latest: dict[uuid.UUID, dict[str, str]] = defaultdict(dict)
    operators = [f.id for f in facts]
    for i in await oversight.latest_inspections(session, last, operator_ids=operators):
        if i.facility_id not in owner:
            continue  # a facility no longer active
        latest[i.facility_id][i.kind] = i.result
    incidents: dict[uuid.UUID, list[Incident]] = defaultdict(list)
    for x in await oversight.incidents(session, since, until, operator_ids=operators):
        if x.facility_id not in owner:
            continue
        incidents[owner[x.facility_id]].append(Incident(str(x.id), x.kind, x.severity, vetoed=x.veto))
    reports = await oversight.report_counts(session, operators, first, last)
    return _Safety(
        {fid: (latest[fid].get("fire"), latest[fid].get("food")) for fid in owner}, incidents, reports
    )


async def gather(
    session: AsyncSession, facts: Sequence[OperatorFacts], g: GradingSection, until: datetime
) -> dict[uuid.UUID, Inputs]:
    """Inputs of operators graded by the same grading section (same window and half-life)."""
    until = until.astimezone(UTC)
    since = window_start(until, g.window_months)
    ids = [f.id for f in facts]
    values = g.satisfaction.level_values
    reviews = await decayed_totals_by_operator(
        session, since, until, half_life_days=g.satisfaction.half_life_days, operator_ids=ids
    )
    rectifications = await rectifications_by_operator(session, since, until, ids)
    complaints = await operator_complaints(session, since, until, ids)
    first, last = to_shanghai(since).date(), to_shanghai(until - timedelta(microseconds=1)).date()
    safety = await _oversight(session, facts, since, until, first, last)
    out: dict[uuid.UUID, Inputs] = {}
    for f in facts:
        r = reviews.get(f.id)
        satisfaction = Satisfaction()
        if r is not None:
            satisfaction = Satisfaction(
                counted=r.counted,
                levels=dict(sorted(r.levels.items())),
                weight_sum=rnd(sum(r.weights.values()), 6),
                weighted_value_sum=rnd(sum(values.get(k, 0) * w for k, w in r.weights.items()), 6),
                excluded=r.excluded,
            )
        rect = rectifications.get(f.id) or OperatorRectifications(0, 0, 0)
        food = set(f.food_facilities)
        due, on_time = safety.reports.get(f.id, (0, 0))
        out[f.id] = Inputs(
            operator_id=str(f.id),
            operator_name=f.name,
            started_on=f.started_on,
            window_from=first,
            window_to=last,
            satisfaction=satisfaction,
            rectification=Rectification(
                bad_reviews=rect.opened,
                called_back_on_time=rect.call_back_on_time,
                fixed_on_time=rect.fix_on_time,
                verdicts={k: v for k, v in sorted(rect.verdicts.items()) if v},
            ),
            complaints=_complaints(complaints.get(f.id)),
            facilities=tuple(
                FacilitySafety(str(fid), *safety.facilities[fid], serves_food=fid in food)
                for fid in sorted(f.facilities)
            ),
            incidents=tuple(sorted(safety.incidents.get(f.id, ()), key=lambda x: x.id)),
            operations=Operations(
                services=f.services,
                disclosures_current=f.disclosures_current,
                reports_due=due,
                reports_on_time=on_time,
                facilities=len(f.facilities),
                facilities_configured=f.configured_facilities,
            ),
        )
    return out
