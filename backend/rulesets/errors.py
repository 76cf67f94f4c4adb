"""Ruleset error codes."""

from __future__ import annotations

from backend.core.errors import Forbidden, NotFound, Unprocessable
from backend.core.i18n import Msg


class RulesetNotFound(NotFound):
    code = "ruleset_not_found"
    title = Msg("规则版本不存在", "Ruleset not found")


class InvalidRuleset(Unprocessable):
    code = "invalid_ruleset"
    title = Msg("规则文档无效", "The ruleset document is invalid")


class DistrictNotInCity(Unprocessable):
    code = "district_not_in_city"
    title = Msg("该区不属于此城市", "The district is not in this city")


class NotYourRegion(Forbidden):
    code = "ruleset_not_in_region"
    title = Msg(
        "只有该市（区）的监管部门可以发布其规则",
        "Only the regulator of this city (or district) may publish its rules",
    )


class CityNotFound(NotFound):
    code = "city_not_found"
    title = Msg("城市不存在", "City not found")
