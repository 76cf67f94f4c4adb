"""The oversight settings, read from the ruleset in force where the record is (rulesets domain).

A city (or one of its districts) sets them in its ruleset's `oversight` section (`backend.rulesets.document.
OversightSection`): the hazard answer deadline, the report deadlines, the consent deadline. A facility's
rules are its district's or city's (`catalogue.queries.ruleset_for_facility`), an operator's those where it
is registered (`catalogue.queries.operator_places`). The values no ruleset sets yet (which reports are due,
when the yearly report opens, which incidents may carry a veto) are this project's defaults.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.queries import operator_places, ruleset_for_facility
from backend.oversight.models import IncidentKind, ReportKind, Severity
from backend.rulesets.document import DEFAULT_DOCUMENT, OversightSection
from backend.rulesets.queries import ruleset_for_city


@dataclass(frozen=True, slots=True)
class OversightRules:
    # Hazards (Baotou art. 41): the operator answers a resident's hazard report within this many working days;
    # unanswered, it goes to the street office.
    hazard_answer_working_days: int = 5
    # Operator reports (Baotou art. 32, Wuhan art. 10, Chongqing art. 15): which are due, and when.
    reports_due: frozenset[ReportKind] = frozenset({ReportKind.quarterly, ReportKind.yearly})
    quarterly_due_days_after_quarter: int = 15  # Q1 is due on 15 April
    yearly_due_month_day: tuple[int, int] = (12, 31)  # the yearly report is due by 31 December
    yearly_opens_month_day: tuple[int, int] = (12, 1)  # ... and can be filed from 1 December (or its due day)
    # Suspension of a subsidised service (Wuhan art. 14): the street office answers within 30 calendar days.
    consent_answer_days: int = 30
    # Incidents that may carry a veto (一票否决): these kinds at any severity, any kind from this severity.
    veto_kinds_any_severity: frozenset[IncidentKind] = field(
        default_factory=lambda: frozenset({IncidentKind.abuse, IncidentKind.food_poisoning})
    )
    veto_min_severity: Severity = Severity.serious


def _month_day(value: str) -> tuple[int, int]:
    """`MM-DD` (checked against a leap year, so 02-29 passes)."""
    month, day = (int(part) for part in value.split("-"))
    date(2028, month, day)  # ValueError when it is no day of the year
    return month, day


def rules_from_section(section: OversightSection) -> OversightRules:
    """The defaults with the values a ruleset's `oversight` section sets (a malformed `yearly_report_due`
    keeps the default day rather than failing every report)."""
    try:
        due = _month_day(section.yearly_report_due)
    except ValueError:
        due = OversightRules().yearly_due_month_day
    return replace(
        OversightRules(),
        hazard_answer_working_days=section.hazard_answer_working_days,
        quarterly_due_days_after_quarter=section.quarterly_report_due_days,
        yearly_due_month_day=due,
        yearly_opens_month_day=min(OversightRules().yearly_opens_month_day, due),
        consent_answer_days=section.consent_days,
    )


# The built-in ruleset's values (the demo data and places without a published ruleset).
DEFAULT_RULES = rules_from_section(DEFAULT_DOCUMENT.oversight)


async def rules_for_facility(session: AsyncSession, facility_id: uuid.UUID) -> OversightRules:
    """The rules in force now for a facility (its district's ruleset, else its city's, else the default)."""
    return rules_from_section((await ruleset_for_facility(session, facility_id)).document.oversight)


async def rules_for_operators(
    session: AsyncSession, operator_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, OversightRules]:
    """The rules in force now where each operator is registered (one ruleset read per district)."""
    places = await operator_places(session, list(operator_ids))
    by_place: dict[tuple[uuid.UUID, uuid.UUID], OversightRules] = {}
    out: dict[uuid.UUID, OversightRules] = {}
    for operator_id in operator_ids:
        place = places.get(operator_id)
        if place is None:
            out[operator_id] = DEFAULT_RULES
            continue
        key = (place.city_id, place.district_id)
        if key not in by_place:
            ruleset = await ruleset_for_city(session, place.city_id, district_id=place.district_id)
            by_place[key] = rules_from_section(ruleset.document.oversight)
        out[operator_id] = by_place[key]
    return out


async def rules_for_operator(session: AsyncSession, operator_id: uuid.UUID) -> OversightRules:
    return (await rules_for_operators(session, [operator_id]))[operator_id]
