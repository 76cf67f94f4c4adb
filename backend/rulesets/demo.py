"""Demo rulesets: the demo city (武汉市) publishes the Wuhan ruleset as its version 1."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.demo_ids import demo_id
from backend.rulesets.models import RulesetVersion
from backend.rulesets.presets import WUHAN

CITY_ID = demo_id("city", "武汉市")  # the catalogue demo's city


async def seed(session: AsyncSession) -> None:
    row_id = demo_id("ruleset", "武汉市/1")
    if await session.get(RulesetVersion, row_id) is not None:
        return
    session.add(
        RulesetVersion(
            id=row_id,
            city_id=CITY_ID,
            place_id=CITY_ID,
            version=1,
            name=WUHAN.name,
            document=WUHAN.model_dump(mode="json"),
            note="演示：武汉市规则（1A–5A）",
            published_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )
    await session.flush()
