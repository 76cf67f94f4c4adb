"""Facility configuration checks (DOMAIN.md, "Places and organisations"), computed, never enforced.

The numbers are the `catalogue` section of the facility's city (or district) ruleset (`backend.rulesets`),
each rule with the regulation it comes from. The default ruleset: at least 3 functions, at least 2 of
{elder care, infant care, child care, meal aid}, and normally elder care or infant care (advisory). Infant and
child care rooms are on floor 1–3, never underground (floor < 1). Elder care needs at least 35 m² per bed and
infant care 9 m² per place, counted over all rooms of the function. Where a city sets facility minimums
(Baotou), the facility's total area is checked too. The findings are shown to the operator and the regulator;
the facility stays listed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from backend.catalogue.models import FunctionCode
from backend.core.i18n import Msg
from backend.rulesets.document import DEFAULT_DOCUMENT, CatalogueSection, Strictness

DEFAULT_RULES = DEFAULT_DOCUMENT.catalogue
# The default numbers, kept as names for readers and tests; the rules themselves come from the city's ruleset.
MIN_FUNCTIONS = DEFAULT_RULES.min_functions.value
MIN_CORE_FUNCTIONS = DEFAULT_RULES.core_functions.minimum
MAX_CHILD_FLOOR = DEFAULT_RULES.child_floor.max_floor
_SEVERITY = {
    Strictness.required: "required",
    Strictness.in_principle: "advisory",
    Strictness.encouraged: "advisory",
}


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
    source: str = ""  # the regulation (city, article) the rule comes from, as the ruleset cites it


def _status(ok: bool) -> FindingStatus:
    return FindingStatus.passed if ok else FindingStatus.failed


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def check_functions(functions: set[str], rules: CatalogueSection = DEFAULT_RULES) -> list[Finding]:
    core_rule, lead_rule = rules.core_functions, rules.lead_functions
    core = sorted(f for f in functions if f in core_rule.functions)
    lead = sorted(f for f in functions if f in lead_rule.functions)
    return [
        Finding(
            "min_functions",
            _status(len(functions) >= rules.min_functions.value),
            Severity.required,
            Msg(
                "服务功能不少于 {required} 项（现有 {count} 项）",
                "At least {required} functions (has {count})",
            ),
            {"count": len(functions), "required": rules.min_functions.value},
            rules.min_functions.source,
        ),
        Finding(
            "core_functions",
            _status(len(core) >= core_rule.minimum),
            Severity(_SEVERITY[core_rule.strictness]),
            Msg(
                "养老、托育、托管、助餐中至少 {required} 项（现有 {count} 项）",
                "At least {required} of elder care, infant care, child care and meal aid (has {count})",
            ),
            {"count": len(core), "required": core_rule.minimum, "functions": core},
            core_rule.source,
        ),
        Finding(
            "elder_or_infant_care",
            _status(bool(lead)),
            Severity(_SEVERITY[lead_rule.strictness]),
            Msg("原则上应提供养老或托育服务", "Should normally offer elder care or infant care")
            if lead_rule.strictness != Strictness.required
            else Msg("应提供养老或托育服务", "Must offer elder care or infant care"),
            {"functions": lead},
            lead_rule.source,
        ),
    ]


def check_child_floors(
    rooms: Iterable[Mapping[str, Any]], rules: CatalogueSection = DEFAULT_RULES
) -> Finding:
    rule = rules.child_floor
    lowest = None if rule.underground_allowed else 1
    child_rooms = [r for r in rooms if r.get("function") in rule.functions]
    bad = [
        {"function": r["function"], "floor": int(r["floor"])}
        for r in child_rooms
        if int(r["floor"]) > rule.max_floor or (lowest is not None and int(r["floor"]) < lowest)
    ]
    status = FindingStatus.not_applicable if not child_rooms else _status(not bad)
    return Finding(
        "child_care_floor",
        status,
        Severity.required,
        Msg(
            "托育、托管用房应设在 {max_floor} 层及以下且不得设在地下",
            "Infant and child care rooms on floor {max_floor} or lower and never underground",
        ),
        {"max_floor": rule.max_floor, "offending_rooms": bad},
        rule.source,
    )


_AREA_MSG = {
    "elder_care": Msg(
        "养老用房每床不少于 {required_per_place:g} 平方米",
        "At least {required_per_place:g} m² per elder-care bed",
    ),
    "infant_care": Msg(
        "托育用房每个托位不少于 {required_per_place:g} 平方米",
        "At least {required_per_place:g} m² per infant-care place",
    ),
}


def check_area(
    function: FunctionCode, rooms: Iterable[Mapping[str, Any]], rules: CatalogueSection = DEFAULT_RULES
) -> Finding:
    area_rule = rules.area_per_place[function.value]
    minimum = _decimal(area_rule.m2_per_place)
    mine = [r for r in rooms if r.get("function") == function]
    places = sum(int(r.get("places") or 0) for r in mine)
    area = sum((_decimal(r.get("area_m2") or 0) for r in mine), Decimal(0))
    rule = f"{function.value}_area_per_place"
    msg = _AREA_MSG.get(function.value) or Msg(
        "每个位置不少于 {required_per_place:g} 平方米", "At least {required_per_place:g} m² per place"
    )
    values: dict[str, Any] = {"places": places, "area_m2": float(area), "required_per_place": float(minimum)}
    if places == 0:
        return Finding(rule, FindingStatus.not_applicable, Severity.required, msg, values, area_rule.source)
    values["area_per_place"] = float((area / places).quantize(Decimal("0.01")))
    return Finding(rule, _status(area >= minimum * places), Severity.required, msg, values, area_rule.source)


def check_minimum_area(
    functions: set[str], rooms: list[Mapping[str, Any]], rules: CatalogueSection
) -> list[Finding]:
    """Facility minimums where the city sets them (Baotou: with elder care, with infant care, a complex)."""
    rule = rules.facility_minimums
    total = sum((_decimal(r.get("area_m2") or 0) for r in rooms), Decimal(0))
    wanted = [
        ("facility_area_elder_care", rule.with_elder_care_m2, "elder_care" in functions),
        ("facility_area_infant_care", rule.with_infant_care_m2, "infant_care" in functions),
        ("facility_area_complex", rule.complex_m2, len(functions) >= rule.complex_functions),
    ]
    msg = Msg(
        "设施建筑面积不少于 {required_m2:g} 平方米（现有 {area_m2:g}）",
        "At least {required_m2:g} m² (has {area_m2:g})",
    )
    out = []
    for name, minimum, applies in wanted:
        if minimum is None:
            continue
        values = {"area_m2": float(total), "required_m2": float(minimum)}
        status = _status(total >= _decimal(minimum)) if applies else FindingStatus.not_applicable
        out.append(Finding(name, status, Severity.required, msg, values, rule.source))
    return out


def check_facility(
    functions: Iterable[str], rooms: Iterable[Mapping[str, Any]], rules: CatalogueSection = DEFAULT_RULES
) -> list[Finding]:
    """Every configuration finding for a facility offering `functions` with these `rooms`, by `rules` (the
    `catalogue` section of the facility's ruleset; the default ruleset's when not given)."""
    room_list = list(rooms)
    function_set = set(functions)
    return [
        *check_functions(function_set, rules),
        check_child_floors(room_list, rules),
        check_area(FunctionCode.elder_care, room_list, rules),
        check_area(FunctionCode.infant_care, room_list, rules),
        *check_minimum_area(function_set, room_list, rules),
    ]
