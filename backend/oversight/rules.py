"""The oversight settings a city's ruleset may change, with this project's defaults.

`backend/rulesets/` (city rulesets) is being built in parallel; until it offers a facility's or an operator's
ruleset, every caller gets `DEFAULT_RULES` through `rules_for` (one place to switch over).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.oversight.models import IncidentKind, ReportKind, Severity


@dataclass(frozen=True, slots=True)
class OversightRules:
    # Hazards (Baotou art. 41): the operator answers a resident's hazard report within this many working days;
    # unanswered, it goes to the street office.
    hazard_answer_working_days: int = 2
    # Operator reports (Baotou art. 32, Wuhan art. 10, Chongqing art. 15): which are due, and when.
    reports_due: frozenset[ReportKind] = frozenset({ReportKind.quarterly, ReportKind.yearly})
    quarterly_due_days_after_quarter: int = 15  # Q1 is due on 15 April
    yearly_due_month_day: tuple[int, int] = (12, 31)  # the yearly report is due by 31 December
    yearly_opens_month_day: tuple[int, int] = (12, 1)  # ... and can be filed from 1 December
    # Suspension of a subsidised service (Wuhan art. 14): the street office answers within 30 calendar days.
    consent_answer_days: int = 30
    # Incidents that may carry a veto (一票否决): these kinds at any severity, any kind from this severity.
    veto_kinds_any_severity: frozenset[IncidentKind] = field(
        default_factory=lambda: frozenset({IncidentKind.abuse, IncidentKind.food_poisoning})
    )
    veto_min_severity: Severity = Severity.serious


DEFAULT_RULES = OversightRules()


def rules_for() -> OversightRules:
    """The rules in force (the defaults until city rulesets land)."""
    return DEFAULT_RULES
