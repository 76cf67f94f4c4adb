"""The tag vocabulary residents pick from, per function (GET /review-tags?function=)."""

from __future__ import annotations

COMMON_TAGS: tuple[str, ...] = (
    "服务态度好",
    "准时",
    "环境整洁",
    "收费透明",
    "服务态度差",
    "不准时",
    "收费不透明",
)

# Keys are the contract's function codes.
FUNCTION_TAGS: dict[str, tuple[str, ...]] = {
    "meal_aid": ("饭菜可口", "分量足", "营养搭配好", "饭菜偏咸", "饭菜凉了"),
    "elder_care": ("照护细心", "活动丰富", "护理专业", "照护不周"),
    "infant_care": ("育婴专业", "照看细心", "卫生到位", "照看不周"),
    "child_care": ("老师耐心", "课程有趣", "接送安全", "管理混乱"),
    "housekeeping": ("打扫干净", "手脚麻利", "爱护物品", "打扫马虎"),
    "health": ("医生耐心", "检查细致", "解释清楚", "等候太久"),
    "sport": ("器材完好", "场地宽敞", "器材损坏"),
    "culture": ("活动丰富", "老师专业", "场地拥挤"),
    "children_play": ("设施安全", "干净卫生", "设施老旧"),
}


def tags_for(function: str | None) -> list[str]:
    """The common tags, then the function's own (unknown or no function: the common tags)."""
    extra = FUNCTION_TAGS.get(function, ()) if function else ()
    return [*COMMON_TAGS, *(t for t in extra if t not in COMMON_TAGS)]
