"""The accounts domain's public reads: what other domains may call (never the accounts' tables directly).

The SQL reads below are subqueries of the listed columns, for other domains' hot statements that must stay
one round trip (see `backend.catalogue.queries` for why a selectable rather than a function returning rows).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import repository as repo
from backend.accounts.models import Beneficiary, Resident, StaffAccount

# The accounts' vocabulary other domains use, re-exported here (never import the accounts' models).
from backend.accounts.models import Relation as Relation
from backend.core.crypto import phone_lookup_hash

_resident_t: sa.Table = Resident.__table__  # type: ignore[attr-defined]
_beneficiary_t: sa.Table = Beneficiary.__table__  # type: ignore[attr-defined]
_staff_t: sa.Table = StaffAccount.__table__  # type: ignore[attr-defined]

_BENEFICIARY_COLUMNS = ("id", "resident_id", "name", "relation", "birth_date", "dibao", "disability")


@cache
def residents_sql() -> sa.Subquery:
    """Residents: id, openid (who a WeChat message goes to)."""
    return sa.select(_resident_t.c.id, _resident_t.c.openid).subquery("resident")


@cache
def staff_openids_sql() -> sa.Subquery:
    """Staff accounts: id, openid (the WeChat a staff member bound; null when none, or when the account is
    deactivated: a deactivated account receives nothing)."""
    s = _staff_t
    openid = sa.case((s.c.active.is_(True), s.c.openid), else_=sa.null()).label("openid")
    return sa.select(s.c.id, openid).subquery("staff_openid")


async def staff_to_notify(
    session: AsyncSession,
    *,
    operator_id: uuid.UUID | None = None,
    supplier_id: uuid.UUID | None = None,
    street_id: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """Active staff accounts that bound their WeChat, of an operator, a supplier and/or a street office (its
    street regulators), ordered by id."""
    s = _staff_t
    whom = []
    if operator_id is not None:
        whom.append(s.c.operator_id == operator_id)
    if supplier_id is not None:
        whom.append(s.c.supplier_id == supplier_id)
    if street_id is not None:
        whom.append(sa.and_(s.c.region_level == "street", s.c.region_id == street_id))
    if not whom:
        return []
    stmt = (
        sa.select(s.c.id).where(sa.or_(*whom), s.c.active.is_(True), s.c.openid.is_not(None)).order_by(s.c.id)
    )
    return list((await session.execute(stmt)).scalars().all())


@cache
def beneficiaries_sql() -> sa.Subquery:
    """Every beneficiary, deleted ones included (a booking keeps naming whom it was for): id, resident_id,
    name, relation, birth_date, dibao, disability."""
    b = _beneficiary_t
    return sa.select(*(b.c[name] for name in _BENEFICIARY_COLUMNS)).subquery("beneficiary")


def owned_live_beneficiary_sql(
    beneficiary_id: uuid.UUID | sa.BindParameter[Any], resident_id: uuid.UUID | sa.BindParameter[Any]
) -> sa.Subquery:
    """The beneficiary if, and only if, it is the resident's own and not deleted (zero or one row; same
    columns as `beneficiaries_sql`). The accounts' rule for "may this resident act for this person".
    Values or bind parameters (`sa.bindparam`), so a caller can build its statement once."""
    b = _beneficiary_t
    return (
        sa.select(*(b.c[name] for name in _BENEFICIARY_COLUMNS))
        .where(b.c.id == beneficiary_id, b.c.resident_id == resident_id, b.c.deleted_at.is_(None))
        .subquery("beneficiary")
    )


@dataclass(frozen=True, slots=True)
class ResidentFacts:
    id: uuid.UUID
    openid: str
    nickname: str | None
    phone_hash: str | None


async def resident_facts(session: AsyncSession, resident_id: uuid.UUID) -> ResidentFacts | None:
    return (await residents_facts(session, {resident_id})).get(resident_id)


async def residents_facts(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, ResidentFacts]:
    """One query for a page of residents (e.g. to mask the authors of a page of reviews)."""
    return {
        r.id: ResidentFacts(id=r.id, openid=r.openid, nickname=r.nickname, phone_hash=r.phone_hash)
        for r in await repo.residents_by_ids(session, ids)
    }


async def staff_share_phone(
    session: AsyncSession, phone_hash: str | None, *, supplier_id: uuid.UUID, operator_id: uuid.UUID
) -> bool:
    """Whether an active staff account of this supplier or operator is bound to this phone (by hash)."""
    if not phone_hash:
        return False
    return any(
        a.supplier_id == supplier_id or a.operator_id == operator_id
        for a in await repo.active_staff_by_phone_hash(session, phone_hash)
    )


async def resident_ids_by_phone(session: AsyncSession, phone: str) -> list[uuid.UUID]:
    """Residents who bound this phone number (found by its keyed hash), oldest first."""
    return [r.id for r in await repo.residents_by_phone_hash(session, phone_lookup_hash(phone))]
