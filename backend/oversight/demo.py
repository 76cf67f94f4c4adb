"""Demo oversight records for the demo city: inspections (a failed fire inspection, a food grade C), the
operator's own check, emergency plan and drill, an incident, a resident's open hazard report, operator reports
(one on time, one late) and a pending facility function-change request.

Idempotent: every row has a deterministic id; the function-change request is filed only when none is pending.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.demo import DEMO_RESIDENT_ID
from backend.catalogue.changes import file_change, pending_change
from backend.catalogue.demo_data import FACILITY_IDS, OPERATOR_IDS
from backend.catalogue.schemas_staff import FunctionChangeCreate
from backend.core.access import Principal, Role
from backend.core.clock import SHANGHAI, as_utc, utcnow
from backend.core.demo_ids import demo_id
from backend.oversight.models import (
    Drill,
    EmergencyPlan,
    Hazard,
    HazardStatus,
    Incident,
    Inspection,
    OperatorReport,
    ReportKind,
    SafetyCheck,
)
from backend.oversight.reports import due_on
from backend.oversight.rules import DEFAULT_RULES
from backend.workdays.queries import add_working_days

HOUHU = "后湖街道幸福社区嵌入式服务综合体"
YUCAI = "育才社区邻里中心"
YIKANG = "江城颐康社区服务有限公司"
SYSTEM = demo_id("staff_account", "regulator-street-1")
OPERATOR_STAFF = demo_id("staff_account", "operator-1")


async def _ensure(session: AsyncSession, model: type[SQLModel], key: str, **fields: Any) -> None:
    row_id = demo_id(str(model.__tablename__), key)
    if await session.get(model, row_id) is None:
        session.add(model(id=row_id, **fields))
        await session.flush()


def _at(day: date, hour: int = 10) -> datetime:
    return as_utc(datetime.combine(day, time(hour), tzinfo=SHANGHAI))


async def seed(session: AsyncSession) -> None:
    today = utcnow().astimezone(SHANGHAI).date()
    houhu, yucai = FACILITY_IDS[HOUHU], FACILITY_IDS[YUCAI]

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    inspections: list[tuple[str, uuid.UUID, str, str, date, str, date | None]] = [
        ("houhu-fire", houhu, "fire", "fail", ago(40), "疏散通道堆放杂物，2 具灭火器过期", ago(10)),
        ("houhu-food", houhu, "food", "A", ago(60), "后厨管理规范", None),
        ("yucai-fire", yucai, "fire", "pass", ago(30), "消防设施完好", None),
        ("yucai-food", yucai, "food", "C", ago(12), "留样记录不全，餐具消毒不到位", ago(-18)),
    ]
    for key, facility, kind, result, on, findings, fix_due in inspections:
        await _ensure(
            session,
            Inspection,
            key,
            facility_id=facility,
            kind=kind,
            result=result,
            inspected_on=on,
            inspector="后湖街道安全检查组",
            findings=findings,
            fix_due_on=fix_due,
            recorded_by=SYSTEM,
        )
    await _ensure(
        session,
        SafetyCheck,
        "houhu-check",
        facility_id=houhu,
        checked_on=ago(7),
        result="issues_found",
        items=["消防通道", "燃气阀门", "防滑设施"],
        findings="二楼通道仍有杂物",
        recorded_by=OPERATOR_STAFF,
    )
    await _ensure(
        session,
        EmergencyPlan,
        "houhu-plan",
        facility_id=houhu,
        title="幸福社区综合体突发事件应急预案",
        adopted_on=ago(200),
        content="一、总则……二、组织机构……三、火灾、食物中毒、老人走失处置流程……",
        recorded_by=OPERATOR_STAFF,
    )
    await _ensure(
        session,
        Drill,
        "houhu-drill",
        facility_id=houhu,
        held_on=ago(90),
        scenario="火灾疏散演练",
        participants=46,
        notes="与社区微型消防站联合演练",
        recorded_by=OPERATOR_STAFF,
    )
    await _ensure(
        session,
        Incident,
        "yucai-fall",
        facility_id=yucai,
        occurred_at=_at(ago(20), 15),
        kind="injury",
        severity="minor",
        description="一名老人在活动室滑倒，轻微擦伤，已送社区卫生服务站处理",
        recorded_by=OPERATOR_STAFF,
    )
    reported = _at(today, 9) if utcnow() > _at(today, 9) else utcnow()
    deadline = await add_working_days(session, reported, DEFAULT_RULES.hazard_answer_working_days)
    await _ensure(
        session,
        Hazard,
        "houhu-hazard",
        facility_id=houhu,
        resident_id=DEMO_RESIDENT_ID,
        text="综合体后门的消防通道被电动车堵住了",
        status=HazardStatus.open.value,
        check_suggest="pass",
        check_label=100,
        answer_due_at=deadline.at,
        deadline_provisional=deadline.provisional,
    )
    await _seed_reports(session, today)
    await _seed_function_change(session, yucai)


async def _seed_reports(session: AsyncSession, today: date) -> None:
    """Last year's third quarter filed on time, its fourth quarter five days late."""
    year = today.year - 1
    for quarter, filed_late_by in ((3, -5), (4, 5)):
        due = due_on(DEFAULT_RULES, ReportKind.quarterly, year, quarter)
        filed = _at(due + timedelta(days=filed_late_by))
        await _ensure(
            session,
            OperatorReport,
            f"yikang-{year}-q{quarter}",
            operator_id=OPERATOR_IDS[YIKANG],
            kind=ReportKind.quarterly.value,
            year=year,
            quarter=quarter,
            due_on=due,
            revenue_fen=3_860_000 + quarter * 10_000,
            costs_fen=3_420_000,
            staff_count=18,
            notes="助餐服务 9 千余人次，日间照料 1.2 千人次",
            figures=[],
            first_submitted_at=filed,
            submitted_at=filed,
            late=filed_late_by > 0,
            submitted_by=OPERATOR_STAFF,
        )


async def _seed_function_change(session: AsyncSession, facility: uuid.UUID) -> None:
    if await pending_change(session, facility) is not None:
        return
    operator = Principal(id=OPERATOR_STAFF, role=Role.operator_staff, operator_id=OPERATOR_IDS[YIKANG])
    body = FunctionChangeCreate(
        functions=["elder_care", "meal_aid", "housekeeping", "children_play", "health"],  # type: ignore[list-item]
        reason="增设健康小屋，开展慢病随访",
    )
    await file_change(session, operator, facility, body)
