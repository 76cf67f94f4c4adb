"""The booking rules that need no database: eligibility, cut-offs, which moves a booking may make."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from backend.bookings.models import BookingStatus
from backend.catalogue.queries import BookingMode, FunctionCode
from backend.core.clock import to_shanghai

# Age bands (whole years, inclusive) by function; a service may narrow them with its own min/max.
FUNCTION_AGE_BANDS: dict[str, tuple[int | None, int | None]] = {
    # 婴幼儿托育 "0–3" is 3岁以下 in the rules: until the third birthday (then kindergarten).
    FunctionCode.infant_care: (0, 2),
    FunctionCode.child_care: (6, 14),  # 儿童托管: school age
    FunctionCode.elder_care: (60, None),  # 养老服务: 60 and over
}


def age_band(function: str, min_age: int | None, max_age: int | None) -> tuple[int | None, int | None]:
    """The function's band narrowed by the service's own bounds."""
    low, high = FUNCTION_AGE_BANDS.get(function, (None, None))
    if min_age is not None:
        low = min_age if low is None else max(low, min_age)
    if max_age is not None:
        high = max_age if high is None else min(high, max_age)
    return low, high


def is_eligible(age: int, band: tuple[int | None, int | None]) -> bool:
    low, high = band
    return age >= 0 and (low is None or age >= low) and (high is None or age <= high)


def needs_address(booking_mode: str, requires_address: bool) -> bool:
    return requires_address or booking_mode == BookingMode.home_visit


def order_cutoff(start_at: datetime, function: str, booking_mode: str, minutes: int | None) -> datetime:
    """When orders close: meals close `order_cutoff_minutes` before (default 120); others at the start."""
    if minutes is None and (function == FunctionCode.meal_aid or booking_mode == BookingMode.per_meal):
        minutes = 120
    return start_at - timedelta(minutes=minutes or 0)


def cancel_deadline(start_at: datetime, cancel_cutoff_minutes: int) -> datetime:
    return start_at - timedelta(minutes=cancel_cutoff_minutes)


def local_date(value: datetime) -> date:
    return to_shanghai(value).date()


class Action(StrEnum):
    """What may be done to a booking (each route names one)."""

    check_in = "check_in"
    complete = "complete"
    no_show = "no_show"
    cancel = "cancel"


@dataclass(frozen=True, slots=True)
class Transition:
    """A move from one of `sources` to `to`. The service's own supplier staff make every move
    (`Scope.acts_for_service`); the resident who owns the booking only those with `by_owner`
    (`Scope.owns`)."""

    to: BookingStatus
    sources: frozenset[BookingStatus]
    by_owner: bool = False


TRANSITIONS: dict[Action, Transition] = {
    Action.check_in: Transition(BookingStatus.checked_in, frozenset({BookingStatus.confirmed})),
    Action.complete: Transition(BookingStatus.completed, frozenset({BookingStatus.checked_in})),
    Action.no_show: Transition(BookingStatus.no_show, frozenset({BookingStatus.confirmed})),
    Action.cancel: Transition(BookingStatus.cancelled, frozenset({BookingStatus.confirmed}), by_owner=True),
}
