# ruff: noqa: E501
"""Inputs for the grading tests: an operator whose every part scores 100 unless a test changes it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from backend.grading.inputs import (
    Complaints,
    FacilitySafety,
    Incident,
    Inputs,
    Operations,
    Rectification,
    Satisfaction,
)

VALUES = {5: 100, 4: 80, 3: 60, 2: 30, 1: 0}


def reviews(
    levels: dict[int, int], weight: float = 1.0, excluded: tuple[tuple[str, str], ...] = ()
) -> Satisfaction:
    """Reviews all of the same age (`weight` = their decay weight each)."""
    n = sum(levels.values())
    return Satisfaction(
        counted=n,
        levels=dict(levels),
        weight_sum=n * weight,
        weighted_value_sum=sum(VALUES[k] * c * weight for k, c in levels.items()),
        excluded=excluded,
    )


def perfect(**changes: Any) -> Inputs:
    base = Inputs(
        operator_id="op-1",
        operator_name="甲运营",
        started_on=date(2022, 1, 1),
        window_from=date(2025, 12, 1),
        window_to=date(2026, 11, 30),
        satisfaction=reviews({5: 200}),
        rectification=Rectification(),
        complaints=Complaints(complaints=0, completed_bookings=5000),
        facilities=(FacilitySafety("f-1", fire="pass", food="A", serves_food=True),),
        incidents=(),
        operations=Operations(services=4, disclosures_current=4, reports_due=4, reports_on_time=4, facilities=1,
                              facilities_configured=1),
    )  # fmt: skip
    return replace(base, **changes)


__all__ = ["Incident", "perfect", "reviews"]
