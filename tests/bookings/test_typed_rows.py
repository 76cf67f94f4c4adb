"""The hot path's rows are typed: each dataclass matches the columns its query selects."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, fields

import pytest

from backend.bookings import repository_booking_write as write
from backend.bookings import repository_bookings as brepo
from backend.bookings.rules import TRANSITIONS, Action
from backend.bookings.views import BookingContext, BookingView


def _names(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


def test_booking_view_reads_columns_the_view_selects() -> None:
    assert _names(BookingView) <= set(brepo._view().selected_columns.keys())


def test_booking_context_is_exactly_the_decision_query() -> None:
    stmt = write.context_statement(False)
    assert _names(BookingContext) == set(stmt.selected_columns.keys())


def test_rows_are_frozen() -> None:
    view = BookingView.from_row({name: None for name in _names(BookingView)})
    with pytest.raises(FrozenInstanceError):
        view.status = "cancelled"  # type: ignore[misc]


def test_every_action_has_one_transition() -> None:
    assert set(TRANSITIONS) == set(Action)
