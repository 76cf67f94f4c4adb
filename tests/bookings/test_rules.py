"""Eligibility by age on the slot's day, at the boundaries of each function's band."""

from __future__ import annotations

from datetime import date

import pytest

from backend.accounts.service import age_on
from backend.bookings import rules
from backend.catalogue.models import FunctionCode

SLOT_DAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("function", "birth_date", "eligible"),
    [
        (FunctionCode.infant_care, date(2026, 6, 1), True),  # six months
        (FunctionCode.infant_care, date(2023, 12, 2), True),  # the day before the third birthday
        (FunctionCode.infant_care, date(2023, 12, 1), False),  # three today: kindergarten age
        (FunctionCode.child_care, date(2020, 12, 2), False),  # five
        (FunctionCode.child_care, date(2020, 12, 1), True),  # six today
        (FunctionCode.child_care, date(2011, 12, 2), True),  # fourteen
        (FunctionCode.child_care, date(2011, 12, 1), False),  # fifteen today
        (FunctionCode.elder_care, date(1966, 12, 2), False),  # 59
        (FunctionCode.elder_care, date(1966, 12, 1), True),  # 60 today
        (FunctionCode.meal_aid, date(1990, 1, 1), True),  # no band
    ],
)
def test_function_age_bands(function: FunctionCode, birth_date: date, eligible: bool) -> None:
    band = rules.age_band(function, None, None)
    assert rules.is_eligible(age_on(birth_date, SLOT_DAY), band) is eligible


def test_a_service_can_only_narrow_the_band() -> None:
    assert rules.age_band(FunctionCode.elder_care, 70, None) == (70, None)
    assert rules.age_band(FunctionCode.elder_care, 50, None) == (60, None)
    assert rules.age_band(FunctionCode.infant_care, None, 1) == (0, 1)
    assert rules.age_band(FunctionCode.infant_care, None, 6) == (0, 2)


def test_leap_day_birthdays_count_from_the_first_of_march() -> None:
    assert age_on(date(2024, 2, 29), date(2027, 2, 28)) == 2
    assert age_on(date(2024, 2, 29), date(2027, 3, 1)) == 3
