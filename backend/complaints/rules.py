"""The complaint rules that need no database: deadlines settings and the state machine.

Deadlines (`ComplaintRules`, defaults of issue 10): acknowledge within 1 working day and answer within 5;
the urgent categories (`safety`, `food_safety`) within 2 clock hours and 1 working day; the resident confirms
within 7 days or the complaint closes as accepted. After an escalation the next level has the answer
deadline again from the escalation (urgent: 1 working day); the street office mediates within
`mediation_working_days`. Working days follow the official calendar (`backend.workdays`).

These are the defaults (Wuhan); the facility's ruleset (its district's or city's published version, section
`complaints`, `mediation_working_days` included) overrides them: `service.rules_for`.

Moves (`MOVES`): who may make them is decided by the service with the `Scope`; this table says from which
states (and escalation levels) a move is legal. Anything else is a 409 `complaint_state_conflict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from backend.complaints.models import URGENT_CATEGORIES, ComplaintCategory, ComplaintStatus, Escalation


@dataclass(frozen=True, slots=True)
class ComplaintRules:
    acknowledge_working_days: int = 1
    answer_working_days: int = 5
    urgent_acknowledge_hours: int = 2
    urgent_answer_working_days: int = 1
    confirm_days: int = 7
    mediation_working_days: int = 10

    def answer_days(self, urgent: bool) -> int:
        return self.urgent_answer_working_days if urgent else self.answer_working_days


DEFAULT_RULES = ComplaintRules()


class _Section(Protocol):
    """The `complaints` section of a city's ruleset (backend.rulesets.document.ComplaintsSection)."""

    @property
    def ack_working_days(self) -> int: ...
    @property
    def answer_working_days(self) -> int: ...
    @property
    def urgent_ack_hours(self) -> int: ...
    @property
    def urgent_answer_working_days(self) -> int: ...
    @property
    def confirm_days(self) -> int: ...
    @property
    def mediation_working_days(self) -> int: ...


def rules_from_section(section: _Section) -> ComplaintRules:
    """A ruleset's complaint settings; a working-day count is at least 1 (the next working day)."""
    return ComplaintRules(
        acknowledge_working_days=max(1, section.ack_working_days),
        answer_working_days=max(1, section.answer_working_days),
        urgent_acknowledge_hours=section.urgent_ack_hours,
        urgent_answer_working_days=max(1, section.urgent_answer_working_days),
        confirm_days=section.confirm_days,
        mediation_working_days=max(1, section.mediation_working_days),
    )


def is_urgent(category: str) -> bool:
    return ComplaintCategory(category) in URGENT_CATEGORIES


class Move(StrEnum):
    acknowledge = "acknowledge"
    answer = "answer"
    accept = "accept"
    reject = "reject"
    escalate = "escalate"  # by the resident
    auto_escalate = "auto_escalate"  # by the job: the answer is overdue
    mediate = "mediate"
    close_unconfirmed = "close_unconfirmed"  # by the job: no confirmation in time


S, E = ComplaintStatus, Escalation

# move -> (legal source statuses, legal escalation levels)
MOVES: dict[Move, tuple[frozenset[str], frozenset[str]]] = {
    Move.acknowledge: (frozenset({S.submitted, S.escalated}), frozenset({E.none, E.operator})),
    Move.answer: (frozenset({S.submitted, S.acknowledged, S.escalated}), frozenset({E.none, E.operator})),
    Move.accept: (frozenset({S.answered}), frozenset({E.none, E.operator})),
    Move.reject: (frozenset({S.answered}), frozenset({E.none, E.operator})),
    Move.escalate: (
        frozenset({S.submitted, S.acknowledged, S.escalated, S.answered}),
        frozenset({E.none, E.operator}),
    ),
    Move.auto_escalate: (
        frozenset({S.submitted, S.acknowledged, S.escalated}),
        frozenset({E.none, E.operator}),
    ),
    Move.mediate: (frozenset({S.escalated}), frozenset({E.street})),
    Move.close_unconfirmed: (frozenset({S.answered}), frozenset({E.none, E.operator})),
}


def is_legal(move: Move, status: str, escalation: str) -> bool:
    statuses, levels = MOVES[move]
    return status in statuses and escalation in levels


def next_level(escalation: str) -> Escalation:
    """none -> operator -> street; the street office is the last level."""
    return E.operator if escalation == E.none else E.street
