"""Token pairs: a short-lived JWT access token and an opaque, rotating refresh token.

Refresh tokens are random 256-bit strings stored as their SHA-256. Every sign-in starts a family; each
refresh spends the presented token (an atomic UPDATE, so of two concurrent refreshes exactly one wins)
and issues the next token of the family. A spent token presented again more than `REUSE_GRACE` after it
was spent means it was copied: the whole family is revoked. Within the grace period (a client retrying
a refresh whose answer it lost, or two tabs racing) the loser gets 409 `refresh_in_progress` and the
winner's pair stays valid. Logout revokes the family.

Staff access tokens carry the account's `ver` (token version). `check_staff_token` runs on every staff
request: a deactivated account, or a token older than the last password change, is refused within
`STAFF_STATE_TTL` seconds (the account state is cached that long in the KV cache, read from the database on
a miss, and dropped once a change commits). Deactivation also revokes every refresh token at once, in the
same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import repository as repo
from backend.accounts.errors import InvalidRefreshToken, RefreshInProgress, RefreshTokenReused
from backend.accounts.models import Resident, StaffAccount
from backend.core.access import Principal, RegionLevel, Role
from backend.core.clock import as_utc, utcnow
from backend.core.database import after_commit, db
from backend.core.i18n import Msg
from backend.core.kv import get_kv
from backend.core.security import InvalidToken, create_access_token
from backend.core.settings import get_settings

REUSE_GRACE = timedelta(seconds=10)
STAFF_STATE_TTL = 30
ACCOUNT_DISABLED = Msg(
    "该账号已停用或密码已更改，请重新登录", "The account was deactivated or its password changed"
)


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def resident_principal(resident: Resident) -> Principal:
    return Principal(id=resident.id, role=Role.resident)


def staff_principal(account: StaffAccount) -> Principal:
    return Principal(
        id=account.id,
        role=Role(account.role),
        supplier_id=account.supplier_id,
        operator_id=account.operator_id,
        region_level=RegionLevel(account.region_level) if account.region_level else None,
        region_id=account.region_id,
    )


def access_token_for(principal: Principal, token_version: int | None = None) -> tuple[str, int]:
    claims: dict[str, Any] = dict(principal.claims())
    if token_version is not None:
        claims["ver"] = token_version
    return create_access_token(principal.id, claims)


async def issue_pair(
    session: AsyncSession,
    principal: Principal,
    *,
    token_version: int | None = None,
    family_id: uuid.UUID | None = None,
) -> TokenPair:
    """A new access token and a new refresh token (a new family unless one is given)."""
    access, lifetime = access_token_for(principal, token_version)
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    await repo.add_refresh_token(
        session,
        token_hash=hash_token(raw),
        family_id=family_id or uuid.uuid4(),
        subject_id=principal.id,
        subject_kind="resident" if principal.role == Role.resident else "staff",
        expires_at=now + timedelta(days=get_settings().refresh_token_days),
        now=now,
    )
    return TokenPair(access_token=access, refresh_token=raw, expires_in=lifetime)


async def refresh(session: AsyncSession, raw: str) -> TokenPair:
    """Spend `raw` and return the next pair of its family.

    Raises `RefreshTokenReused` after revoking the family: the caller must keep (commit) that change.
    """
    now = utcnow()
    token_hash = hash_token(raw)
    token = await repo.claim_refresh_token(session, token_hash, now)
    if token is None:
        existing = await repo.get_refresh_token(session, token_hash, refresh=True)
        if existing is None or existing.revoked_at is not None or as_utc(existing.expires_at) <= now:
            raise InvalidRefreshToken()
        assert existing.used_at is not None
        if now - as_utc(existing.used_at) <= REUSE_GRACE:
            raise RefreshInProgress()
        await repo.revoke_family(session, existing.family_id, now)
        raise RefreshTokenReused()

    if token.subject_kind == "resident":
        resident = await repo.get_resident(session, token.subject_id)
        if resident is None or resident.status != "active":
            raise InvalidRefreshToken()
        return await issue_pair(session, resident_principal(resident), family_id=token.family_id)
    account = await repo.get_staff(session, token.subject_id)
    if account is None or not account.active:
        raise InvalidRefreshToken()
    return await issue_pair(
        session, staff_principal(account), token_version=account.token_version, family_id=token.family_id
    )


async def logout(session: AsyncSession, raw: str) -> None:
    """Revoke the family of `raw`. Unknown or spent tokens are ignored: logout always succeeds."""
    token = await repo.get_refresh_token(session, hash_token(raw))
    if token is not None:
        await repo.revoke_family(session, token.family_id, utcnow())


# ---------------------------------------------------------------- staff account state on every request


def _state_key(staff_id: uuid.UUID) -> str:
    return f"staff-state:{staff_id}"


async def forget_staff_state(staff_id: uuid.UUID) -> None:
    await get_kv().cache.delete(_state_key(staff_id))


async def forget_staff_state_on_commit(session: AsyncSession, staff_id: uuid.UUID) -> None:
    """Drop the cached state once the change is committed. Dropping it before the commit is not enough: a
    request arriving in between reads the old row and caches it again for `STAFF_STATE_TTL`."""
    after_commit(session, lambda: forget_staff_state(staff_id))


async def _staff_state(staff_id: uuid.UUID) -> tuple[bool, int] | None:
    cache = get_kv().cache
    cached = await cache.get(_state_key(staff_id))
    if cached is not None:
        text = cached.decode()
        if text == "missing":
            return None
        active, _, version = text.partition(":")
        return active == "1", int(version)
    async with db.sessionmaker() as session:
        state = await repo.staff_state(session, staff_id)
    value = "missing" if state is None else f"{int(state[0])}:{state[1]}"
    await cache.set(_state_key(staff_id), value.encode(), STAFF_STATE_TTL)
    return state


async def check_staff_token(principal: Principal, claims: dict[str, Any]) -> None:
    """Refuse tokens of deactivated accounts and tokens issued before the last password change.

    A staff id with no account row is let through: only this server signs tokens, and accounts are never
    deleted, so such a token was made by a test (or the signing key leaked, which no check here would fix).
    """
    if not principal.is_staff:
        return
    state = await _staff_state(principal.id)
    if state is None:
        return
    active, version = state
    if not active:
        raise InvalidToken(ACCOUNT_DISABLED)
    token_version = claims.get("ver")
    if token_version is not None and token_version != version:
        raise InvalidToken(ACCOUNT_DISABLED)
