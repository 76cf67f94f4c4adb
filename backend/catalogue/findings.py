"""Facility configuration checks (DOMAIN.md, "Places and organisations"), computed, never enforced.

A facility should offer at least 3 functions, at least 2 of {elder care, infant care, child care, meal aid},
and normally elder care or infant care (advisory). Infant and child care rooms are on floor 1–3, never
underground (floor < 0). Elder care needs at least 35 m² per bed and infant care 9 m² per place, counted
over all rooms of the function. The findings are shown to the operator and the regulator; the facility
stays listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from backend.catalogue.models import FunctionCode
from backend.core.i18n import Msg

MIN_FUNCTIONS = 3
MIN_CORE_FUNCTIONS = 2
CORE_FUNCTIONS = frozenset(
    {FunctionCode.elder_care, FunctionCode.infant_care, FunctionCode.child_care, FunctionCode.meal_aid}
)
LEAD_FUNCTIONS = frozenset({FunctionCode.elder_care, FunctionCode.infant_care})
CHILD_FUNCTIONS = frozenset({FunctionCode.infant_care, FunctionCode.child_care})
MAX_CHILD_FLOOR = 3
AREA_PER_PLACE = {FunctionCode.elder_care: Decimal(35), FunctionCode.infant_care: Decimal(9)}


class FindingStatus(StrEnum):
    passed = "pass"
    failed = "fail"
    not_applicable = "not_applicable"


class Severity(StrEnum):
    required = "required"
    advisory = "advisory"


@dataclass(frozen=True)
class Finding:
    rule: str
    status: FindingStatus
    severity: Severity
    message: Msg
    values: dict[str, Any] = field(default_factory=dict)


def _status(ok: bool) -> FindingStatus:
    return FindingStatus.passed if ok else FindingStatus.failed


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def check_functions(functions: set[str]) -> list[Finding]:
    core = sorted(f for f in functions if f in CORE_FUNCTIONS)
    lead = sorted(f for f in functions if f in LEAD_FUNCTIONS)
    return [
        Finding(
            "min_functions",
            _status(len(functions) >= MIN_FUNCTIONS),
            Severity.required,
            Msg("服务功能不少于 3 项（现有 {count} 项）", "At least 3 functions (has {count})"),
            {"count": len(functions), "required": MIN_FUNCTIONS},
        ),
        Finding(
            "core_functions",
            _status(len(core) >= MIN_CORE_FUNCTIONS),
            Severity.required,
            Msg(
                "养老、托育、托管、助餐中至少 2 项（现有 {count} 项）",
                "At least 2 of elder care, infant care, child care and meal aid (has {count})",
            ),
            {"count": len(core), "required": MIN_CORE_FUNCTIONS, "functions": core},
        ),
        Finding(
            "elder_or_infant_care",
            _status(bool(lead)),
            Severity.advisory,
            Msg("原则上应提供养老或托育服务", "Should normally offer elder care or infant care"),
            {"functions": lead},
        ),
    ]


def check_child_floors(rooms: Iterable[Mapping[str, Any]]) -> Finding:
    child_rooms = [r for r in rooms if r.get("function") in CHILD_FUNCTIONS]
    bad = [
        {"function": r["function"], "floor": int(r["floor"])}
        for r in child_rooms
        if not 1 <= int(r["floor"]) <= MAX_CHILD_FLOOR
    ]
    status = FindingStatus.not_applicable if not child_rooms else _status(not bad)
    return Finding(
        "child_care_floor",
        status,
        Severity.required,
        Msg(
            "托育、托管用房应设在 3 层及以下且不得设在地下",
            "Infant and child care rooms on floor 3 or lower and never underground",
        ),
        {"max_floor": MAX_CHILD_FLOOR, "offending_rooms": bad},
    )


def check_area(function: FunctionCode, rooms: Iterable[Mapping[str, Any]]) -> Finding:
    minimum = AREA_PER_PLACE[function]
    mine = [r for r in rooms if r.get("function") == function]
    places = sum(int(r.get("places") or 0) for r in mine)
    area = sum((_decimal(r.get("area_m2") or 0) for r in mine), Decimal(0))
    rule = f"{function.value}_area_per_place"
    if function == FunctionCode.elder_care:
        msg = Msg("养老用房每床不少于 35 平方米", "At least 35 m² per elder-care bed")
    else:
        msg = Msg("托育用房每个托位不少于 9 平方米", "At least 9 m² per infant-care place")
    values: dict[str, Any] = {"places": places, "area_m2": float(area), "required_per_place": float(minimum)}
    if places == 0:
        return Finding(rule, FindingStatus.not_applicable, Severity.required, msg, values)
    values["area_per_place"] = float((area / places).quantize(Decimal("0.01")))
    return Finding(rule, _status(area >= minimum * places), Severity.required, msg, values)


def check_facility(functions: Iterable[str], rooms: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """Every configuration finding for a facility offering `functions` with these `rooms`."""
    room_list = list(rooms)
    return [
        *check_functions(set(functions)),
        check_child_floors(room_list),
        check_area(FunctionCode.elder_care, room_list),
        check_area(FunctionCode.infant_care, room_list),
    ]
