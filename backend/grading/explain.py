# ruff: noqa: E501  (message tables read better one message a line)
"""A result explained to people (Chinese by default, English with Accept-Language: en): which part held the
grade back and what would raise it. Rendered from the stored result, never recomputed."""

from __future__ import annotations

from typing import Any

from backend.core.i18n import Msg
from backend.grading.schemas import Explanation

PART_NAMES = {
    "satisfaction": Msg("满意度", "satisfaction"),
    "rectification": Msg("差评整改", "bad-review rectification"),
    "safety": Msg("安全", "safety"),
    "complaints": Msg("投诉处理", "complaint handling"),
    "operations": Msg("规范运营", "operations"),
}
SUMMARY = {
    "graded": Msg("评级为 {grade}，总分 {total}", "Graded {grade} with a total of {total}"),
    "insufficient_sample": Msg(
        "有效评价不足 {needed} 条（{n} 条），样本不足，评级最高 {cap}：当前 {grade}",
        "Fewer than {needed} counted reviews ({n}): insufficient sample, at most {cap}; now {grade}",
    ),
    "not_graded": Msg(
        "运营未满试运营期（{months} 个月），暂不评级", "Within the trial period ({months} months): not graded"
    ),
}
HELD = {
    "total": Msg("总分 {had}，{grade} 需达到 {needed}", "total {had}; {grade} needs {needed}"),
    "part": Msg(
        "{part}得分 {had}，{grade} 要求每项不低于 {needed}",
        "{part} scored {had}; {grade} needs every part ≥ {needed}",
    ),
    "wilson": Msg(
        "好评率置信下限（Wilson）{had}，{grade} 需达到 {needed}",
        "the Wilson lower bound of the good-review share is {had}; {grade} needs {needed}",
    ),
}
RAISE = {
    "total": Msg("总分提高到 {needed} 以上", "raise the total to {needed} or more"),
    "part": Msg("将{part}得分提高到 {needed} 以上", "raise {part} to {needed} or more"),
    "wilson": Msg(
        "提高好评（满意、非常满意）占比并积累更多评价",
        "earn a higher share of good reviews, and more of them",
    ),
}
CAPS = {
    "sample_below_min": Msg(
        "有效评价 {n} 条，不足 {needed} 条，最高 {grade}",
        "{n} counted reviews, fewer than {needed}: at most {grade}",
    ),
    "sample_below_full": Msg(
        "有效评价 {n} 条，不足 {needed} 条，最高 {grade}",
        "{n} counted reviews, fewer than {needed}: at most {grade}",
    ),
    "fire_failed": Msg(
        "消防检查不合格，复查合格前最高 {grade}", "a failed fire inspection: at most {grade} until one passes"
    ),
    "food_c_or_none": Msg(
        "食品安全等级为 C 或未评级，最高 {grade}", "food-safety grade C or none: at most {grade}"
    ),
}
CAP_RAISE = {
    "sample_below_min": Msg("积累至少 {needed} 条有效评价", "collect at least {needed} counted reviews"),
    "sample_below_full": Msg("积累至少 {needed} 条有效评价", "collect at least {needed} counted reviews"),
    "fire_failed": Msg("整改消防隐患并通过消防复查", "fix the fire hazards and pass a fire re-inspection"),
    "food_c_or_none": Msg("取得食品安全 A 或 B 级", "obtain food-safety grade A or B"),
}
VETO = Msg("发生一票否决事件（{kind}），评为不合格", "a veto incident ({kind}): 不合格 (failed)")
VETO_RAISE = Msg("一票否决期间不能提高评级", "no grade can be earned while the veto stands")


def explain(data: dict[str, Any]) -> Explanation:
    level, grade, status = data["level"], data["grade"], data["status"]
    held: list[str] = []
    raise_: list[str] = []
    if status == "not_graded":
        months = data.get("months_operating", 0)
        return Explanation(summary=SUMMARY["not_graded"].render(months=months), held_back_by=[], to_raise=[])
    for veto in data["vetoes"]:
        held.append(VETO.render(kind=veto["kind"]))
    if data["vetoes"]:
        raise_.append(VETO_RAISE.render())
    for cap in data["caps"]:
        if cap.get("applied"):
            held.append(CAPS[cap["cap"]].render(**{k: v for k, v in cap.items() if k != "facility_ids"}))
            raise_.append(CAP_RAISE[cap["cap"]].render(needed=cap.get("needed", "")))
    # The next grade up: what kept the score from it.
    above = None
    for t in data["thresholds"]:
        if t["met"]:
            break
        above = t
    if above is not None and not data["vetoes"]:
        for h in above["held_back_by"]:
            part = PART_NAMES[h["part"]].render() if "part" in h else ""
            held.append(
                HELD[h["rule"]].render(grade=above["grade"], part=part, had=h["had"], needed=h["needed"])
            )
            raise_.append(RAISE[h["rule"]].render(part=part, needed=h["needed"]))
    sample_cap = next((c for c in data["caps"] if c["cap"] == "sample_below_min"), None)
    if status == "insufficient_sample" and sample_cap is not None:
        summary = SUMMARY[status].render(needed=sample_cap["needed"], n=sample_cap["n"], cap=sample_cap["grade"],
                                         grade=grade or level)  # fmt: skip
    else:
        summary = SUMMARY["graded"].render(grade=grade or level, total=data["total"])
    return Explanation(summary=summary, held_back_by=held, to_raise=raise_)
