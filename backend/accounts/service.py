"""Residents: WeChat sign-in, profile, phone binding, beneficiaries. Other domains call
`get_resident`, `get_owned_beneficiary` and `age_on`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import repository as repo
from backend.accounts.errors import (
    BeneficiaryNotFound,
    PhoneCodeInvalid,
    PhoneNotForThisApp,
    ResidentBlocked,
    ResidentNotFound,
    SelfAlreadyExists,
    StaffAccountNotFound,
    TooManyBeneficiaries,
)
from backend.accounts.models import Beneficiary, Relation, Resident, StaffAccount
from backend.accounts.schemas import BeneficiaryCreate, BeneficiaryUpdate, ResidentUpdate
from backend.accounts.tokens import TokenPair, issue_pair, resident_principal
from backend.audit.service import record
from backend.catalogue.errors import CommunityNotFound
from backend.catalogue.queries import community_exists
from backend.core.access import Principal
from backend.core.clock import utcnow
from backend.core.crypto import phone_lookup_hash
from backend.core.kv import get_kv
from backend.core.pagination import keyset_after, keyset_page
from backend.wechat.errors import WeChatCodeInvalid, WeChatCodeUsed, WeChatWatermarkMismatch
from backend.wechat.provider import get_wechat

R = TypeVar("R", Beneficiary, StaffAccount)

MAX_BENEFICIARIES = 20
LOGIN_CODE_TTL = 300  # a wx.login code lives 5 minutes; so does our memory of its first result


def age_on(birth_date: date, on: date) -> int:
    """Full years on `on` (someone born on 29 February turns a year older on 1 March)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


# ---------------------------------------------------------------- residents


async def get_resident(session: AsyncSession, resident_id: uuid.UUID) -> Resident:
    resident = await repo.get_resident(session, resident_id)
    if resident is None:
        raise ResidentNotFound()
    return resident


async def get_active_resident(session: AsyncSession, resident_id: uuid.UUID) -> Resident:
    resident = await get_resident(session, resident_id)
    if resident.status != "active":
        raise ResidentBlocked()
    return resident


@dataclass(frozen=True)
class WeChatIdentity:
    openid: str
    unionid: str | None
    session_key: str | None  # None when answered from the double-tap memory


def _code_key(code: str) -> str:
    return "wx-login:" + hashlib.sha256(code.encode()).hexdigest()


async def _remembered(code: str) -> WeChatIdentity | None:
    cached = await get_kv().cache.get(_code_key(code))
    if cached is None:
        return None
    data = json.loads(cached)
    return WeChatIdentity(openid=data["openid"], unionid=data.get("unionid"), session_key=None)


async def _exchange_code(code: str) -> WeChatIdentity:
    """code2Session, answering a repeated code (a double tap) with the first result for 5 minutes.

    The result is remembered by a hash of the code, without the session key. A per-code lock makes a
    second tap that arrives while the first is still at WeChat wait for it instead of failing with 40163.
    """
    kv = get_kv()
    async with kv.locks.lock(_code_key(code), ttl_seconds=15, wait_seconds=10):
        remembered = await _remembered(code)
        if remembered is not None:
            return remembered
        try:
            result = await get_wechat().code2session(code)
        except WeChatCodeUsed:
            remembered = await _remembered(code)
            if remembered is not None:
                return remembered
            raise
        memo = json.dumps({"openid": result.openid, "unionid": result.unionid}).encode()
        await kv.cache.set(_code_key(code), memo, LOGIN_CODE_TTL)
    return WeChatIdentity(openid=result.openid, unionid=result.unionid, session_key=result.session_key)


async def bind_staff_wechat(session: AsyncSession, caller: Principal, code: str | None) -> StaffAccount:
    """A staff member binds the WeChat they use in the mini-program (a `wx.login` code there), so that their
    review tasks reach them as subscription messages; `code=None` unbinds. A WeChat bound to another staff
    account moves to this one."""
    account = await repo.get_staff(session, caller.id)
    if account is None:
        raise StaffAccountNotFound()
    openid = None
    if code is not None:
        openid = (await _exchange_code(code)).openid
        await repo.release_staff_openid(session, openid, keep=account.id)
    account.openid = openid
    session.add(account)
    await session.flush()
    await record(
        session, caller, "bind_wechat" if openid else "unbind_wechat", "staff_account", account.id, {}
    )
    return account


async def wechat_login(session: AsyncSession, code: str) -> tuple[TokenPair, Resident]:
    """Sign a resident in with a wx.login code; the first login creates the resident."""
    identity = await _exchange_code(code)
    # One statement creates the resident or records the login; a blocked resident's refusal rolls it back.
    resident = await repo.record_login(
        session, identity.openid, identity.unionid or None, identity.session_key, utcnow()
    )
    if resident.status != "active":
        raise ResidentBlocked()
    pair = await issue_pair(session, resident_principal(resident))
    return pair, resident


async def update_profile(session: AsyncSession, caller: Principal, data: ResidentUpdate) -> Resident:
    """Change the nickname and/or the community the resident lives in (null clears it; an unknown
    community is 404 `community_not_found`)."""
    resident = await get_active_resident(session, caller.id)
    changes = data.model_dump(exclude_unset=True)
    community_id = changes.get("community_id")
    if community_id is not None and not await community_exists(session, community_id):
        raise CommunityNotFound()
    for name, value in changes.items():
        setattr(resident, name, value)
    session.add(resident)
    await session.flush()
    return resident


async def bind_phone(session: AsyncSession, caller: Principal, code: str) -> Resident:
    """Bind the phone number WeChat vouches for (getPhoneNumber code; the client checks the watermark)."""
    resident = await get_active_resident(session, caller.id)
    try:
        info = await get_wechat().get_phone_number(code)
    except (WeChatCodeInvalid, WeChatCodeUsed) as exc:
        raise PhoneCodeInvalid() from exc
    except WeChatWatermarkMismatch as exc:
        raise PhoneNotForThisApp() from exc
    resident.phone = info.pure_phone_number
    resident.phone_country_code = info.country_code
    resident.phone_hash = phone_lookup_hash(info.pure_phone_number, info.country_code)
    session.add(resident)
    await session.flush()
    return resident


# ---------------------------------------------------------------- beneficiaries


async def get_owned_beneficiary(
    session: AsyncSession, resident_id: uuid.UUID, beneficiary_id: uuid.UUID
) -> Beneficiary:
    """The resident's own live beneficiary; 404 `beneficiary_not_found` for anyone else's or a deleted one."""
    beneficiary = await repo.get_beneficiary(session, beneficiary_id)
    if beneficiary is None or beneficiary.resident_id != resident_id or beneficiary.deleted_at is not None:
        raise BeneficiaryNotFound()
    return beneficiary


async def list_beneficiaries(
    session: AsyncSession, caller: Principal, limit: int, cursor: str | None
) -> tuple[list[Beneficiary], str | None]:
    after = keyset_after(cursor)
    rows = await repo.list_live_beneficiaries(session, [caller.id], limit=limit + 1, after=after)
    return keyset_page(rows, limit)


async def create_beneficiary(
    session: AsyncSession, caller: Principal, data: BeneficiaryCreate
) -> Beneficiary:
    await get_active_resident(session, caller.id)
    if await repo.count_live_beneficiaries(session, caller.id) >= MAX_BENEFICIARIES:
        raise TooManyBeneficiaries()
    if data.relation == Relation.self and await repo.has_live_self(session, caller.id):
        raise SelfAlreadyExists()
    beneficiary = Beneficiary(
        resident_id=caller.id,
        name=data.name,
        relation=data.relation.value,
        birth_date=data.birth_date,
    )
    if not await repo.save_unique(session, beneficiary):  # a concurrent `self` won the unique index
        raise SelfAlreadyExists()
    return beneficiary


async def update_beneficiary(
    session: AsyncSession, caller: Principal, beneficiary_id: uuid.UUID, data: BeneficiaryUpdate
) -> Beneficiary:
    beneficiary = await get_owned_beneficiary(session, caller.id, beneficiary_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if changes.get("relation") == Relation.self and await repo.has_live_self(
        session, caller.id, except_id=beneficiary.id
    ):
        raise SelfAlreadyExists()
    for field, value in changes.items():
        setattr(beneficiary, field, value.value if isinstance(value, Relation) else value)
    if not await repo.save_unique(session, beneficiary):
        raise SelfAlreadyExists()
    return beneficiary


async def delete_beneficiary(session: AsyncSession, caller: Principal, beneficiary_id: uuid.UUID) -> None:
    """Soft delete: bookings made for the beneficiary keep pointing at the record."""
    beneficiary = await get_owned_beneficiary(session, caller.id, beneficiary_id)
    beneficiary.deleted_at = utcnow()
    session.add(beneficiary)
    await session.flush()
