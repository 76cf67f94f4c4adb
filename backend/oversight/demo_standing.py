"""Demo safety and reports for the operators `demo.py` leaves without them, so the demo city is graded across
the range (RATING.md "Safety" and "Operations"): a fire inspection for every facility, a food-safety grade
where meals are served (乐龄's 长江 centre fails its fire inspection: capped at 2A), and the last year's
reports filed on time (邻里家园 misses its latest two). 江城颐康 keeps `demo.py`'s failed fire inspection,
food grade C and late report.

Idempotent: deterministic ids, and a report period already filed is left alone.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.demo_data import FACILITY_IDS, OPERATOR_IDS
from backend.core.clock import SHANGHAI, utcnow
from backend.core.demo_ids import demo_id
from backend.oversight import repository_reports as rrepo
from backend.oversight.demo import SYSTEM, _at, _ensure
from backend.oversight.models import Inspection, OperatorReport, ReportKind
from backend.oversight.reports import due_on
from backend.oversight.rules import DEFAULT_RULES

# facility -> (fire, food or None where no meals are served)
INSPECTIONS: dict[str, tuple[str, str | None]] = {
    "二七社区乐龄生活馆": ("pass", "A"),
    "长江社区颐养服务中心": ("fail", "B"),  # 乐龄: capped at 2A until a passing inspection
    "台北一路社区邻里驿站": ("pass", None),
    "香港路社区文体服务中心": ("pass", "B"),
    "塔子湖社区童享托育园": ("pass", "A"),
    "新村社区一老一小服务中心": ("pass", None),
    "幸福社区楚邻长者食堂": ("pass", "A"),
    "长江社区楚邻健康驿站": ("pass", "A"),
}

FINDINGS = {"fail": "自动喷淋系统故障，安全出口指示灯损坏", "B": "个别留样记录不全"}

# operator -> how many of its latest due reports are missing (the others were filed on time)
MISSING: dict[str, int] = {
    "武汉楚邻社区发展有限公司": 0,
    "武汉乐龄智慧养老服务有限公司": 0,
    "湖北童享托育服务有限公司": 0,
    "江岸区邻里家园社会工作服务中心": 2,
}


async def seed(session: AsyncSession) -> None:
    today = utcnow().astimezone(SHANGHAI).date()
    for index, (facility, (fire, food)) in enumerate(INSPECTIONS.items()):
        on = today - timedelta(days=20 + 7 * index)
        for kind, result in (("fire", fire), ("food", food)):
            if result is not None:
                await _ensure(
                    session, Inspection, f"standing/{facility}/{kind}", facility_id=FACILITY_IDS[facility],
                    kind=kind, result=result, inspected_on=on, inspector="江岸区联合检查组",
                    findings=FINDINGS.get(result, "符合要求"), recorded_by=SYSTEM,
                )  # fmt: skip
    for name, missing in MISSING.items():
        await _reports_on_time(session, name, today, missing)


async def _reports_on_time(session: AsyncSession, name: str, today: date, missing: int) -> None:
    operator_id = OPERATOR_IDS[name]
    periods = [
        (due_on(DEFAULT_RULES, kind, year, quarter), kind, year, quarter)
        for year in (today.year - 1, today.year)
        for kind, quarter in [(ReportKind.quarterly, q) for q in (1, 2, 3, 4)] + [(ReportKind.yearly, 0)]
    ]
    due_last_year = sorted(p for p in periods if today - timedelta(days=366) <= p[0] < today)
    for due, kind, year, quarter in due_last_year[: len(due_last_year) - missing]:
        if await rrepo.find_report(session, operator_id, kind.value, year, quarter) is None:
            filed = _at(due - timedelta(days=3))
            await _ensure(
                session, OperatorReport, f"standing/{name}/{year}/{kind.value}/{quarter}",
                operator_id=operator_id, kind=kind.value, year=year, quarter=quarter, due_on=due,
                revenue_fen=2_400_000, costs_fen=2_150_000, staff_count=12, notes="按期报送",
                figures=[], first_submitted_at=filed, submitted_at=filed, late=False,
                submitted_by=demo_id("staff_account", f"operator-{list(OPERATOR_IDS).index(name) + 1}"),
            )  # fmt: skip
