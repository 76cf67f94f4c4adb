"""Staff accounts: password sign-in, who creates whom, password change, deactivation, and the staff
paths onto residents (lookup by phone, subsidy entitlements).

Who manages whom is the caller's `Scope` (`backend.core.scope.Scope.may_manage_account`): an admin manages
every account; a district or city regulator the operator staff of the operators registered in its region;
operator staff the supplier staff of the suppliers their operator introduced. The first
admin comes from `python -m backend.accounts.cli create-admin`.

Passwords are hashed with Argon2id. An unknown username is checked against a dummy hash, so it costs the
same time as a wrong password. Failures are counted per (account, client) and per client over
`login_failure_window_seconds`, never per account alone: failures from elsewhere cannot lock a victim
out, and a correct password from a client with no failures always gets in. Past a limit the client
cools down: 429 with a `Retry-After` counting down to when its oldest counted failure leaves the window.
With Redis down in production the limiter refuses (fails closed).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import uuid
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import repository as repo
from backend.accounts.errors import (
    AccountDisabled,
    BeneficiaryNotFound,
    CannotManageAccount,
    InvalidCredentials,
    LoginThrottled,
    ScopeNotFound,
    StaffAccountNotFound,
    UsernameTaken,
    WeakPassword,
    WrongPassword,
)
from backend.accounts.models import Beneficiary, Resident, StaffAccount
from backend.accounts.schemas import EntitlementsUpdate, StaffCreate
from backend.accounts.tokens import TokenPair, forget_staff_state_on_commit, issue_pair, staff_principal
from backend.audit.service import audited_update, record
from backend.catalogue import queries as catalogue
from backend.catalogue.queries import resolve_scope
from backend.core.access import Principal, Role
from backend.core.clock import utcnow
from backend.core.crypto import phone_lookup_hash
from backend.core.errors import Conflict, Unprocessable
from backend.core.i18n import Msg
from backend.core.kv import get_kv
from backend.core.pagination import keyset_after, keyset_page
from backend.core.settings import get_settings

MIN_PASSWORD = 10
MAX_PASSWORD = 128

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Argon2 verification off the event loop; `None` checks a dummy hash (same cost, always False)."""
    ok = await asyncio.to_thread(_verify, password_hash or _dummy_hash(), password)
    return ok and password_hash is not None


def check_password_policy(username: str, password: str) -> None:
    if not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD) or password.lower() == username.lower():
        raise WeakPassword()


# ---------------------------------------------------------------- sign-in


def _throttle_keys(username: str, client_ip: str) -> tuple[str, str]:
    account = hashlib.sha256(username.encode()).hexdigest()[:32]
    return (f"login-fail:acct:{account}:client:{client_ip}", "login-fail:client:" + client_ip)


async def login(session: AsyncSession, username: str, password: str, client_ip: str) -> TokenPair:
    s = get_settings()
    limiter = get_kv().limiter
    username = username.strip().lower()
    window = s.login_failure_window_seconds
    acct_key, ip_key = _throttle_keys(username, client_ip)
    limits = ((acct_key, s.login_max_failures_per_account), (ip_key, s.login_max_failures_per_ip))
    for key, limit in limits:
        decision = await limiter.peek(key, limit, window)
        if not decision.allowed:
            raise LoginThrottled(headers={"Retry-After": str(max(decision.retry_after, 1))})

    account = await repo.get_staff_by_username(session, username) if len(username) <= 64 else None
    ok = await verify_password(account.password_hash if account else None, password[:MAX_PASSWORD])
    if account is None or not ok:
        for key, limit in limits:
            await limiter.hit(key, limit, window)
        raise InvalidCredentials(headers={"WWW-Authenticate": "Bearer"})
    if not account.active:
        raise AccountDisabled()
    await limiter.reset(acct_key)
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = utcnow()
    session.add(account)
    await session.flush()
    return await issue_pair(session, staff_principal(account), token_version=account.token_version)


# ---------------------------------------------------------------- who manages whom


class InvalidScope(Unprocessable):
    code = "invalid_scope"
    title = Msg("角色与所属单位或辖区不匹配", "The role does not match the organisation or region given")


async def _check_scope_exists(session: AsyncSession, data: StaffCreate) -> None:
    shape = Principal(
        id=uuid.uuid4(),
        role=data.role,
        supplier_id=data.supplier_id,
        operator_id=data.operator_id,
        region_level=data.region_level,
        region_id=data.region_id,
    )
    if not shape.has_valid_scope():  # each role carries exactly its own organisation or region
        raise InvalidScope()
    if data.supplier_id and not await catalogue.supplier_exists(session, data.supplier_id):
        raise ScopeNotFound()
    if data.operator_id and not await catalogue.operator_exists(session, data.operator_id):
        raise ScopeNotFound()
    if (
        data.region_level
        and data.region_id
        and not await catalogue.place_exists(session, data.region_level, data.region_id)
    ):
        raise ScopeNotFound()


async def may_manage(
    session: AsyncSession,
    caller: Principal,
    role: Role,
    supplier_id: uuid.UUID | None,
    operator_id: uuid.UUID | None,
) -> bool:
    """Whether `caller` may create or change an account of this role and scope."""
    scope = await resolve_scope(session, caller)
    return scope.may_manage_account(role, supplier_id, operator_id)


async def create_account(session: AsyncSession, caller: Principal | None, data: StaffCreate) -> StaffAccount:
    """Create a staff account; `caller` None is the admin command (first admin)."""
    # Permission before existence, so a caller cannot probe which supplier or operator ids exist.
    if caller is not None and not await may_manage(
        session, caller, data.role, data.supplier_id, data.operator_id
    ):
        raise CannotManageAccount()
    await _check_scope_exists(session, data)
    check_password_policy(data.username, data.password)
    if await repo.get_staff_by_username(session, data.username) is not None:
        raise UsernameTaken()
    account = StaffAccount(
        username=data.username,
        password_hash=await asyncio.to_thread(hash_password, data.password),
        role=data.role.value,
        supplier_id=data.supplier_id,
        operator_id=data.operator_id,
        region_level=data.region_level.value if data.region_level else None,
        region_id=data.region_id,
        display_name=data.display_name,
        phone=data.phone,
        phone_hash=phone_lookup_hash(data.phone, "86") if data.phone else None,
        created_by=caller.id if caller else None,
        password_changed_at=utcnow(),
    )
    if not await repo.save_unique(session, account):  # the same username, created concurrently
        raise UsernameTaken()
    await record(session, caller, "create", "staff_account", account.id, {"role": account.role})
    return account


async def get_managed_account(
    session: AsyncSession, caller: Principal, account_id: uuid.UUID
) -> StaffAccount:
    """An account the caller manages (or their own); 404 for any other."""
    account = await repo.get_staff(session, account_id)
    if account is None:
        raise StaffAccountNotFound()
    if account.id == caller.id:
        return account
    if not await may_manage(session, caller, Role(account.role), account.supplier_id, account.operator_id):
        raise StaffAccountNotFound()
    return account


async def list_accounts(
    session: AsyncSession, caller: Principal, limit: int, cursor: str | None
) -> tuple[list[StaffAccount], str | None]:
    scope = await resolve_scope(session, caller)
    rows = await repo.list_staff(session, scope=scope, limit=limit + 1, after=keyset_after(cursor))
    return keyset_page(rows, limit)


class CannotDeactivateSelf(Conflict):
    code = "cannot_deactivate_self"
    title = Msg("不能停用自己的账号", "You cannot deactivate your own account")


async def set_active(
    session: AsyncSession, caller: Principal, account_id: uuid.UUID, active: bool
) -> StaffAccount:
    """Deactivate (tokens stop working: refresh at once, access within seconds) or reactivate."""
    account = await get_managed_account(session, caller, account_id)
    if account.id == caller.id:
        raise CannotDeactivateSelf()
    if account.active != active:
        account.active = active
        account.token_version += 1
        if not active:
            await repo.revoke_subject(session, account.id, utcnow())
        session.add(account)
        await session.flush()
        await record(session, caller, "activate" if active else "deactivate", "staff_account", account.id)
        await forget_staff_state_on_commit(session, account.id)
    return account


async def change_password(
    session: AsyncSession, caller: Principal, current_password: str, new_password: str
) -> TokenPair:
    """Change one's own password; every other session ends, and this one gets a fresh pair."""
    account = await repo.get_staff(session, caller.id)
    if account is None or not account.active:
        raise AccountDisabled()
    if not await verify_password(account.password_hash, current_password):
        raise WrongPassword()
    check_password_policy(account.username, new_password)
    account.password_hash = await asyncio.to_thread(hash_password, new_password)
    account.password_changed_at = utcnow()
    account.token_version += 1
    await repo.revoke_subject(session, account.id, utcnow())
    session.add(account)
    await session.flush()
    await forget_staff_state_on_commit(session, account.id)
    return await issue_pair(session, staff_principal(account), token_version=account.token_version)


async def get_own_account(session: AsyncSession, caller: Principal) -> StaffAccount:
    account = await repo.get_staff(session, caller.id)
    if account is None:
        raise StaffAccountNotFound()
    return account


# ---------------------------------------------------------------- residents, seen by regulators and admins


async def lookup_residents(
    session: AsyncSession, caller: Principal, phone: str
) -> list[tuple[Resident, list[Beneficiary]]]:
    """Residents bound to this phone number (found by its keyed hash), with their live beneficiaries."""
    residents = list(await repo.residents_by_phone_hash(session, phone_lookup_hash(phone)))
    if not residents:
        return []
    beneficiaries = await repo.list_live_beneficiaries(session, [r.id for r in residents])
    return [(r, [b for b in beneficiaries if b.resident_id == r.id]) for r in residents]


async def set_entitlements(
    session: AsyncSession, caller: Principal, beneficiary_id: uuid.UUID, data: EntitlementsUpdate
) -> Beneficiary:
    """Record 低保 / disability entitlements after checking the documents: a district or city regulator, or
    the street office of the community the resident chose in their profile, or an admin
    (`Scope.may_record_entitlement`); to any other caller the beneficiary does not exist (404)."""
    beneficiary = await repo.get_beneficiary(session, beneficiary_id)
    if beneficiary is None or beneficiary.deleted_at is not None:
        raise BeneficiaryNotFound()
    resident = await repo.get_resident(session, beneficiary.resident_id)
    scope = await resolve_scope(session, caller)
    community_id = resident.community_id if resident else None
    scope.require(scope.may_record_entitlement(community_id), BeneficiaryNotFound())
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    beneficiary.entitlements_verified_by = caller.id
    beneficiary.entitlements_verified_at = utcnow()
    await audited_update(session, caller, "beneficiary", beneficiary, changes, action="set_entitlements")
    return beneficiary
