"""The review ruleset values, typed, with the national 好差评 defaults.

`rules_for(session, facility_id)` reads the facility's ruleset in force (its district's version, else its
city's, else the built-in default: `backend.catalogue.queries.ruleset_for_facility`) for the values a
ruleset sets (`reviews.window_days`, `call_back_working_days`, `fix_working_days`); the other values are
these defaults.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.queries import ruleset_for_facility


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
    """The facility's ruleset values (memoised per transaction: one request reads them once)."""
    memo: dict[uuid.UUID, ReviewRules] = session.info.setdefault("review_rules", {})
    if facility_id not in memo:
        section = (await ruleset_for_facility(session, facility_id)).document.reviews
        memo[facility_id] = replace(
            DEFAULT_RULES,
            review_window_days=section.window_days,
            call_back_working_days=section.call_back_working_days,
            fix_working_days=section.fix_working_days,
        )
    return memo[facility_id]
