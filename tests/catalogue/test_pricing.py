"""Quote splits (政府补、企业让、社区帮、个人付) by the rules' numbers."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from backend.catalogue.models import SubsidyRule
from backend.catalogue.pricing import BeneficiaryProfile, split
from backend.core.clock import utcnow

NOW = utcnow()


def rule(payer: str, *, low: int | None = None, high: int | None = None, dibao: bool = False,
         disability: bool = False, amount: int | None = None, rate: int | None = None,
         until_days: int | None = None) -> SubsidyRule:  # fmt: skip
    return SubsidyRule(
        id=uuid.uuid4(), service_id=uuid.uuid4(), name="r", payer=payer,
        min_age_years=low, max_age_years=high,
        requires_dibao=dibao, requires_disability=disability, amount_fen=amount, rate_bp=rate,
        valid_from=NOW - timedelta(days=10),
        valid_until=None if until_days is None else NOW + timedelta(days=until_days),
    )  # fmt: skip


MEAL = [
    rule("government", low=60, high=69, amount=200),
    rule("government", low=70, high=79, amount=300),
    rule("government", low=80, amount=500),
    rule("government", low=60, dibao=True, amount=600),
    rule("supplier", low=80, amount=100),
    rule("community", low=60, disability=True, amount=200),
]


@pytest.mark.parametrize(
    ("profile", "parts"),
    [
        (BeneficiaryProfile(age_years=45), (0, 0, 0, 1200)),  # no rule applies
        (BeneficiaryProfile(age_years=59), (0, 0, 0, 1200)),  # just below the band
        (BeneficiaryProfile(age_years=60), (200, 0, 0, 1000)),  # lower bound inclusive
        (BeneficiaryProfile(age_years=69), (200, 0, 0, 1000)),  # upper bound inclusive
        (BeneficiaryProfile(age_years=70), (300, 0, 0, 900)),
        (BeneficiaryProfile(age_years=85), (500, 100, 0, 600)),  # government + supplier
        (BeneficiaryProfile(age_years=65, dibao=True), (600, 0, 0, 600)),  # best government rule, not a sum
        (BeneficiaryProfile(age_years=85, dibao=True), (600, 100, 0, 500)),
        (BeneficiaryProfile(age_years=72, disability=True), (300, 0, 200, 700)),
        (BeneficiaryProfile(age_years=90, dibao=True, disability=True), (600, 100, 200, 300)),
    ],
)
def test_meal_aid_splits(profile: BeneficiaryProfile, parts: tuple[int, int, int, int]) -> None:
    q = split(1200, MEAL, profile, NOW)
    assert (q.subsidy_fen, q.discount_fen, q.community_fen, q.payable_fen) == parts
    assert q.total_fen == 1200
    assert q.subsidy_fen + q.discount_fen + q.community_fen + q.payable_fen == q.total_fen


def test_rates_round_down_and_parts_never_exceed_total() -> None:
    rules = [rule("government", rate=3333), rule("supplier", rate=5000), rule("community", amount=5000)]
    q = split(1001, rules, BeneficiaryProfile(age_years=30), NOW)
    assert q.subsidy_fen == 333  # 1001 * 33.33 % rounded down
    assert q.discount_fen == 500
    assert q.community_fen == 168  # capped at what is left
    assert q.payable_fen == 0


def test_rule_outside_its_validity_does_not_apply() -> None:
    ended = rule("government", amount=500, until_days=-1)
    future = rule("government", amount=500)
    future.valid_from = NOW + timedelta(days=1)
    q = split(1000, [ended, future], BeneficiaryProfile(age_years=70), NOW)
    assert q.payable_fen == 1000


def test_free_service_quotes_zero() -> None:
    q = split(0, MEAL, BeneficiaryProfile(age_years=85, dibao=True), NOW)
    assert q.model_dump() == {
        "total_fen": 0,
        "subsidy_fen": 0,
        "discount_fen": 0,
        "community_fen": 0,
        "payable_fen": 0,
    }
