"""Satisfaction figures (好差评) of a set of facilities, composed from the reviews domain's public reads."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import queries as catalogue
from backend.console.schemas import Rectifications, Satisfaction, SatisfactionRow
from backend.reviews import queries as reviews

LEVELS = range(1, 6)


def _row(key: str, label: str, levels: dict[int, int]) -> SatisfactionRow:
    count = sum(levels.values())
    good = levels.get(4, 0) + levels.get(5, 0)
    total = sum(level * n for level, n in levels.items())
    return SatisfactionRow(
        key=key,
        label=label,
        count=count,
        good_rate=round(good / count, 4) if count else None,
        mean_level=round(total / count, 2) if count else None,
    )


def _table(
    groups: Iterable[reviews.LevelGroup],
    key: Callable[[reviews.LevelGroup], str],
    label: Callable[[str], str],
) -> list[SatisfactionRow]:
    levels: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for g in groups:
        levels[key(g)][g.level] += g.count
    return [_row(k, label(k), levels[k]) for k in sorted(levels)]


async def satisfaction_of(
    session: AsyncSession,
    facility_ids: Collection[uuid.UUID],
    start: datetime,
    end: datetime,
    operator_of: dict[str, tuple[str, str]] | None = None,
) -> tuple[Satisfaction, Rectifications, list[SatisfactionRow]]:
    """Satisfaction, rectifications and (given `operator_of`: facility id -> (operator id, name)) the
    satisfaction per operator."""
    groups = await reviews.level_groups(session, facility_ids, start, end)
    facilities = await catalogue.names_of(session, "facility", {g.facility_id for g in groups})
    suppliers = await catalogue.names_of(session, "supplier", {g.supplier_id for g in groups})
    all_levels = {level: sum(g.count for g in groups if g.level == level) for level in LEVELS}
    satisfaction = Satisfaction(
        total=_row("all", "合计", all_levels),
        levels={str(level): n for level, n in all_levels.items()},
        by_month=_table(groups, lambda g: g.month, str),
        by_facility=_table(groups, lambda g: str(g.facility_id), lambda k: facilities.get(uuid.UUID(k), k)),
        by_supplier=_table(groups, lambda g: str(g.supplier_id), lambda k: suppliers.get(uuid.UUID(k), k)),
        by_function=_table(groups, lambda g: g.function, str),
    )
    t = await reviews.rectification_totals(session, facility_ids, start, end)
    rectifications = Rectifications(
        opened=t.opened,
        closed=t.closed,
        call_back_on_time=t.call_back_on_time,
        fix_on_time=t.fix_on_time,
        overdue=t.overdue,
        escalated_to_operator=t.escalated_to_operator,
        escalated_to_street=t.escalated_to_street,
        verdicts=dict(t.verdicts),
    )
    by_operator: list[SatisfactionRow] = []
    if operator_of is not None:
        names = dict(operator_of.values())
        by_operator = _table(groups, lambda g: operator_of[str(g.facility_id)][0], lambda k: names.get(k, k))
    return satisfaction, rectifications, by_operator
