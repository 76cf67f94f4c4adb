"""Quotes: what a beneficiary pays for one unit of a service, split by who pays.

政府补、企业让、社区帮、个人付: government subsidy, supplier discount, community help, own payment.

**The total.** The price version in force at the time asked (latest `effective_from <= at`). For public and
inclusive services the total is the inclusive price (惠民价) when one is published, else the market price;
for commercial services it is the market price.

**The rules.** A subsidy rule applies when it is valid at `at` (`valid_from <= at < valid_until`) and the
beneficiary meets every condition it sets: age within `[min_age_years, max_age_years]` (inclusive bounds,
either may be open), 低保 if `requires_dibao`, disability if `requires_disability`. A rule's amount is its
fixed `amount_fen`, or `rate_bp` basis points of the total rounded down to the fen.

**Combining.** Rules of the same payer do not add up: the beneficiary gets the *best* one (largest amount),
e.g. an 80+ rule and a 低保 rule of the government give the larger of the two, not both. The three payers do
add up: government subsidy, then supplier discount, then community help, each capped at what is still left
to pay, so the parts never exceed the total and the resident's own payment is never negative:
`subsidy_fen + discount_fen + community_fen + payable_fen == total_fen`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue import repository as repo
from backend.catalogue.errors import PriceNotSet, ServiceNotFound
from backend.catalogue.models import ServiceClass, ServicePrice, SubsidyPayer, SubsidyRule


@dataclass(frozen=True)
class BeneficiaryProfile:
    """What the subsidy rules look at. Age in whole years at the time of the service."""

    age_years: int
    dibao: bool = False  # 最低生活保障
    disability: bool = False


class Quote(BaseModel):
    """The split of one unit's price; the five parts bookings snapshot as `price`."""

    model_config = ConfigDict(frozen=True)

    total_fen: int = Field(ge=0)
    subsidy_fen: int = Field(ge=0)  # government
    discount_fen: int = Field(ge=0)  # supplier
    community_fen: int = Field(ge=0)  # community help
    payable_fen: int = Field(ge=0)  # the resident


class PriceLike(Protocol):
    @property
    def market_price_fen(self) -> int: ...
    @property
    def inclusive_price_fen(self) -> int | None: ...


class RuleLike(Protocol):
    @property
    def payer(self) -> str: ...
    @property
    def min_age_years(self) -> int | None: ...
    @property
    def max_age_years(self) -> int | None: ...
    @property
    def requires_dibao(self) -> bool: ...
    @property
    def requires_disability(self) -> bool: ...
    @property
    def amount_fen(self) -> int | None: ...
    @property
    def rate_bp(self) -> int | None: ...
    @property
    def valid_from(self) -> datetime: ...
    @property
    def valid_until(self) -> datetime | None: ...


def total_price_fen(service_class: str, price: PriceLike) -> int:
    """The price a quote splits (see the module docstring)."""
    if (
        service_class in (ServiceClass.public, ServiceClass.inclusive)
        and price.inclusive_price_fen is not None
    ):
        return price.inclusive_price_fen
    return price.market_price_fen


def rule_applies(rule: RuleLike, profile: BeneficiaryProfile, at: datetime) -> bool:
    if rule.valid_from > at or (rule.valid_until is not None and rule.valid_until <= at):
        return False
    if rule.min_age_years is not None and profile.age_years < rule.min_age_years:
        return False
    if rule.max_age_years is not None and profile.age_years > rule.max_age_years:
        return False
    if rule.requires_dibao and not profile.dibao:
        return False
    return not (rule.requires_disability and not profile.disability)


def rule_amount_fen(rule: RuleLike, total_fen: int) -> int:
    fixed = rule.amount_fen
    amount = fixed if fixed is not None else total_fen * (rule.rate_bp or 0) // 10000
    return max(0, min(amount, total_fen))


def split(total_fen: int, rules: Iterable[RuleLike], profile: BeneficiaryProfile, at: datetime) -> Quote:
    """Split `total_fen` by the rules the beneficiary qualifies for at `at` (pure; no database)."""
    best: dict[str, int] = {payer.value: 0 for payer in SubsidyPayer}
    for rule in rules:
        if rule.payer in best and rule_applies(rule, profile, at):
            best[rule.payer] = max(best[rule.payer], rule_amount_fen(rule, total_fen))
    left = total_fen
    parts: dict[str, int] = {}
    for payer in (SubsidyPayer.government, SubsidyPayer.supplier, SubsidyPayer.community):
        parts[payer.value] = min(best[payer.value], left)
        left -= parts[payer.value]
    return Quote(
        total_fen=total_fen,
        subsidy_fen=parts[SubsidyPayer.government],
        discount_fen=parts[SubsidyPayer.supplier],
        community_fen=parts[SubsidyPayer.community],
        payable_fen=left,
    )


async def quote(
    session: AsyncSession, service_id: uuid.UUID, profile: BeneficiaryProfile, at: datetime
) -> Quote:
    """The quote for one unit of `service_id` for this beneficiary, by the price and rules in force at `at`.

    Raises `ServiceNotFound` (404 `service_not_found`) or `PriceNotSet` (409 `price_not_set`).
    """
    service = await repo.get_service(session, service_id)
    if service is None:
        raise ServiceNotFound()
    return await quote_known(session, service_id, service.service_class, profile, at)


async def quote_known(
    session: AsyncSession,
    service_id: uuid.UUID,
    service_class: str,
    profile: BeneficiaryProfile,
    at: datetime,
) -> Quote:
    """`quote` for a caller that has already read the service (its class): two queries, price and rules.

    Raises `PriceNotSet` (409 `price_not_set`)."""
    price = await repo.price_at(session, service_id, at)
    if price is None:
        raise PriceNotSet()
    rules = await repo.subsidy_rules_at(session, service_id, at)
    return split(total_price_fen(service_class, price), rules, profile, at)


# ---------------------------------------------------------------- the price table of the booking hot path


def price_stamp_sql(service_id: Any) -> sa.ColumnElement[str]:
    """A fingerprint of a service's price versions and subsidy rules (how many of each and when the latest
    changed), as one SQL expression on `service_id` (a column of the caller's query): a booking reads it with
    its context, and `quote_from_table` reuses the service's cached price table while it is unchanged."""
    p: sa.Table = ServicePrice.__table__  # type: ignore[attr-defined]
    r: sa.Table = SubsidyRule.__table__  # type: ignore[attr-defined]

    def part(table: sa.Table) -> sa.ColumnElement[str]:
        return (
            sa.select(
                sa.cast(sa.func.count(), sa.String)
                + "/"
                + sa.func.coalesce(sa.cast(sa.func.max(table.c.updated_at), sa.String), "")
            )
            .where(table.c.service_id == service_id)
            .scalar_subquery()
        )

    return part(p) + "|" + part(r)


@dataclass(frozen=True, slots=True)
class PriceTable:
    """Every price version and subsidy rule of one service (plain rows, safe to share between requests)."""

    stamp: str
    prices: Sequence[Any]  # rows: effective_from, version, market_price_fen, inclusive_price_fen
    rules: Sequence[Any]  # rows with `RuleLike`'s columns

    def price_at(self, at: datetime) -> Any | None:
        """The version in force at `at`: the latest `effective_from <= at`, the highest version on a tie."""
        best = None
        for price in self.prices:
            if price.effective_from <= at and (
                best is None or (price.effective_from, price.version) > (best.effective_from, best.version)
            ):
                best = price
        return best


_TABLES: dict[uuid.UUID, PriceTable] = {}
_MAX_TABLES = 4096


def forget_price_tables() -> None:
    _TABLES.clear()


async def quote_from_table(
    session: AsyncSession,
    service_id: uuid.UUID,
    service_class: str,
    stamp: str,
    profile: BeneficiaryProfile,
    at: datetime,
) -> Quote:
    """`quote_known`, from the service's price table cached in this process while its `price_stamp_sql`
    fingerprint (read by the caller in its own query) is unchanged; a change of a price or subsidy rule
    changes the fingerprint, and the next quote reloads the table (two queries). A table loaded after the
    fingerprint was read is at least as new as the fingerprint, so a quote is never older than the data the
    caller's transaction saw.

    Raises `PriceNotSet` (409 `price_not_set`)."""
    table = _TABLES.get(service_id)
    if table is None or table.stamp != stamp:
        prices, rules = await repo.price_table(session, service_id)
        if len(_TABLES) >= _MAX_TABLES:
            _TABLES.clear()
        table = _TABLES[service_id] = PriceTable(stamp, prices, rules)
    price = table.price_at(at)
    if price is None:
        raise PriceNotSet()
    return split(total_price_fen(service_class, price), table.rules, profile, at)
