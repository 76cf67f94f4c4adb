"""What a grade is computed from: one operator's aggregates over the window, gathered in SQL by the lower
domains' public reads (`gather.py`), stored with the result and enough to recompute it byte for byte."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any


def _flat(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """Counted reviews (excluded ones left out) with their time-decay weights, summed in SQL."""

    counted: int = 0
    levels: dict[int, int] = field(default_factory=dict)  # counted reviews per level 1..5
    weight_sum: float = 0.0  # Σ 0.5^(age / half-life)
    weighted_value_sum: float = 0.0  # Σ weight · value(level)
    excluded: tuple[tuple[str, str], ...] = ()  # (review id, reason), by id


@dataclass(frozen=True, slots=True)
class Rectification:
    bad_reviews: int = 0  # rectifications opened in the window
    called_back_on_time: int = 0
    fixed_on_time: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)  # satisfied / basically_satisfied / unsatisfied


@dataclass(frozen=True, slots=True)
class Complaints:
    complaints: int = 0
    completed_bookings: int = 0
    answered_on_time: int = 0
    resolved: int = 0


@dataclass(frozen=True, slots=True)
class FacilitySafety:
    facility_id: str
    fire: str | None = None  # latest fire inspection: pass | fail | None (none on record)
    food: str | None = None  # latest food-safety grade: A | B | C | None
    serves_food: bool = False  # food safety applies (meal aid)


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    kind: str
    severity: str
    vetoed: bool = False  # a regulator marked it 一票否决


@dataclass(frozen=True, slots=True)
class Operations:
    services: int = 0
    disclosures_current: int = 0  # services whose disclosure is complete and current
    reports_due: int = 0
    reports_on_time: int = 0
    facilities: int = 0
    facilities_configured: int = 0  # facilities with no failed required configuration finding


@dataclass(frozen=True, slots=True)
class Inputs:
    operator_id: str
    operator_name: str
    started_on: date
    window_from: date
    window_to: date
    satisfaction: Satisfaction = Satisfaction()
    rectification: Rectification = Rectification()
    complaints: Complaints = Complaints()
    facilities: tuple[FacilitySafety, ...] = ()
    incidents: tuple[Incident, ...] = ()
    operations: Operations = Operations()

    def as_json(self) -> dict[str, Any]:
        """The stored form (JSON types only); shallow per part (`dataclasses.asdict` deep-copies, which was
        a tenth of a city's grading run)."""
        s = self.satisfaction
        return {
            "operator_id": self.operator_id,
            "operator_name": self.operator_name,
            "started_on": self.started_on.isoformat(),
            "window_from": self.window_from.isoformat(),
            "window_to": self.window_to.isoformat(),
            "satisfaction": {
                "counted": s.counted,
                "levels": {str(k): v for k, v in sorted(s.levels.items())},
                "weight_sum": s.weight_sum,
                "weighted_value_sum": s.weighted_value_sum,
                "excluded": [list(x) for x in s.excluded],
            },
            "rectification": {**_flat(self.rectification), "verdicts": dict(self.rectification.verdicts)},
            "complaints": _flat(self.complaints),
            "facilities": [_flat(f) for f in self.facilities],
            "incidents": [_flat(i) for i in self.incidents],
            "operations": _flat(self.operations),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Inputs:
        s = dict(data["satisfaction"])
        s["levels"] = {int(k): int(v) for k, v in s["levels"].items()}
        s["excluded"] = tuple((str(a), str(b)) for a, b in s["excluded"])
        return cls(
            operator_id=data["operator_id"],
            operator_name=data["operator_name"],
            started_on=date.fromisoformat(data["started_on"]),
            window_from=date.fromisoformat(data["window_from"]),
            window_to=date.fromisoformat(data["window_to"]),
            satisfaction=Satisfaction(**s),
            rectification=Rectification(**data["rectification"]),
            complaints=Complaints(**data["complaints"]),
            facilities=tuple(FacilitySafety(**f) for f in data["facilities"]),
            incidents=tuple(Incident(**i) for i in data["incidents"]),
            operations=Operations(**data["operations"]),
        )
