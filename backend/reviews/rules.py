"""The review ruleset values, typed, with the national 好差评 defaults.

`rules_for(session, facility_id)` is where a facility's city ruleset would be read. The city rulesets
(`backend.rulesets`) are being built in parallel; until `backend.rulesets.queries` offers a facility's
ruleset, every facility gets these defaults.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession


@dataclass(frozen=True, slots=True)
class ReviewRules:
    review_window_days: int = 30  # after the booking's completion
    follow_up_window_days: int = 30  # after the review (追评)
    appeal_window_days: int = 7  # after the review is published
    call_back_working_days: int = 1  # 回访 after a bad review
    fix_working_days: int = 15  # 整改
    max_text_chars: int = 500
    # Not genuine: this many reviews by one resident (or one device) within the window is a burst.
    burst_count: int = 5
    burst_window_minutes: int = 60
    # Review writes per resident (reviews, follow-ups, verdicts) per hour; beyond: 429.
    writes_per_hour: int = 20
    figures_window_months: int = 12


DEFAULT_RULES = ReviewRules()


async def rules_for(session: AsyncSession, facility_id: uuid.UUID) -> ReviewRules:
    """The facility's ruleset values (the defaults until city rulesets are available)."""
    return DEFAULT_RULES
