"""Error codes of the catalogue domain."""

from __future__ import annotations

from backend.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from backend.core.i18n import Msg


class FacilityNotFound(NotFound):
    code = "facility_not_found"
    title = Msg("未找到该服务设施", "Facility not found")


class ServiceNotFound(NotFound):
    code = "service_not_found"
    title = Msg("未找到该服务", "Service not found")


class OperatorNotFound(NotFound):
    code = "operator_not_found"
    title = Msg("未找到该运营商", "Operator not found")


class SupplierNotFound(NotFound):
    code = "supplier_not_found"
    title = Msg("未找到该服务供应商", "Supplier not found")


class CommunityNotFound(NotFound):
    code = "community_not_found"
    title = Msg("未找到该社区", "Community not found")


class DistrictNotFound(NotFound):
    code = "district_not_found"
    title = Msg("未找到该区", "District not found")


class SubsidyRuleNotFound(NotFound):
    code = "subsidy_rule_not_found"
    title = Msg("未找到该补贴规则", "Subsidy rule not found")


class OutOfScope(Forbidden):
    code = "out_of_scope"
    title = Msg("不在您的管辖或经营范围内", "Outside your area or organisation")


class CreditCodeTaken(Conflict):
    code = "credit_code_taken"
    title = Msg("该统一社会信用代码已登记", "This unified social credit code is already registered")


class PriceNotSet(Conflict):
    code = "price_not_set"
    title = Msg("该服务尚未公示价格", "This service has no published price")


class InvalidPrice(Unprocessable):
    code = "invalid_price"
    title = Msg("价格不符合规则", "The price breaks the pricing rules")


INCLUSIVE_ABOVE_ASSESSED = Msg(
    "惠民价不得高于第三方评估价", "The inclusive price may not be above the assessed price"
)
INCLUSIVE_NEEDS_ASSESSED = Msg(
    "设定惠民价须同时提供第三方评估价", "An inclusive price needs the third-party assessed price"
)
INCLUSIVE_CLASS_NEEDS_PRICE = Msg(
    "普惠类服务须公示惠民价", "An inclusive service must publish an inclusive price"
)
EFFECTIVE_IN_PAST = Msg("生效时间不得早于当前时间", "The effective time may not be in the past")


class InvalidSubsidyRule(Unprocessable):
    code = "invalid_subsidy_rule"
    title = Msg("补贴规则有误", "The subsidy rule is invalid")


class FacilityMismatch(Unprocessable):
    code = "facility_not_operated_by_introducer"
    title = Msg(
        "服务只能开设在引入该供应商的运营商所运营的设施中",
        "A service can only be offered in a facility run by the operator that introduced the supplier",
    )


class InvalidLocation(Unprocessable):
    code = "invalid_location"
    title = Msg("请同时提供有效的纬度和经度", "Give both a valid latitude and longitude")


class StaffQualificationsRequired(Unprocessable):
    code = "staff_qualifications_required"
    title = Msg(
        "健康服务须公示医疗、康复人员的执业资格",
        "Health services must show the qualifications of their medical and rehabilitation staff",
    )


class FunctionChangeNotFound(NotFound):
    code = "function_change_not_found"
    title = Msg("未找到该功能变更申请", "Function change request not found")


class ChangeAlreadyDecided(Conflict):
    code = "change_already_decided"
    title = Msg("该申请已处理", "This request has already been decided")


class OwnChange(Forbidden):
    code = "own_change"
    title = Msg("不能审批自己提交的申请", "You cannot decide a request you filed")


class LicenceMissing(Conflict):
    code = "licence_missing"
    title = Msg(
        "供应商没有该服务功能所需的有效登记备案（武汉条例第九条）",
        "The supplier has no licence in force for this function (Wuhan art. 9)",
    )
