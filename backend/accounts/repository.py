"""Queries of the accounts domain (the only place that builds them)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.models import Beneficiary, RefreshToken, Resident, StaffAccount
from backend.core.database import as_text, dialect_name, insert_of
from backend.core.pagination import keyset_where
from backend.core.scope import Scope


async def save_unique(session: AsyncSession, row: Beneficiary | StaffAccount) -> bool:
    """Add (or update) and flush `row` in a savepoint; False when a unique constraint refuses it.

    The services check uniqueness first for a clear error, but a concurrent twin committed in between only
    shows up here; without the savepoint that would be a 500 and a dead transaction.
    """
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True


# ---------------------------------------------------------------- residents


async def get_resident(session: AsyncSession, resident_id: uuid.UUID) -> Resident | None:
    return await session.get(Resident, resident_id)


async def residents_by_ids(session: AsyncSession, ids: set[uuid.UUID]) -> Sequence[Resident]:
    if not ids:
        return []
    return (await session.exec(select(Resident).where(col(Resident.id).in_(sorted(ids))))).all()


async def active_staff_by_phone_hash(session: AsyncSession, phone_hash: str) -> Sequence[StaffAccount]:
    stmt = select(StaffAccount).where(
        StaffAccount.phone_hash == phone_hash, col(StaffAccount.active).is_(True)
    )
    return (await session.exec(stmt)).all()


async def record_login(
    session: AsyncSession, openid: str, unionid: str | None, session_key: str | None, now: datetime
) -> Resident:
    """The resident for `openid`, created at its first login, with this login recorded: the time, and the
    union id and WeChat session key when WeChat gave them (a missing one keeps the stored value). One
    statement, safe when two first logins race (the second updates the row the first inserted)."""
    params = dict(id=uuid.uuid4(), openid=openid, unionid=unionid, session_key=session_key, now=now)
    stmt = _login_statement(dialect_name(session))
    return (await session.scalars(stmt, params, execution_options={"populate_existing": True})).one()


@cache
def _login_statement(dialect: str) -> Any:
    """`record_login`'s upsert, built once per dialect and run as text (`as_text`: an ON CONFLICT
    construct would be compiled on every login, ~0.5 ms)."""
    table = Resident.__table__  # type: ignore[attr-defined]
    now = sa.bindparam("now", type_=table.c.created_at.type)
    values: dict[str, Any] = {
        c: sa.bindparam(c, type_=table.c[c].type) for c in ("id", "openid", "unionid", "session_key")
    }
    values.update(status="active", last_login_at=now, created_at=now, updated_at=now)
    insert = insert_of(dialect)(table).values(values)
    upsert = insert.on_conflict_do_update(
        index_elements=["openid"],
        set_={
            "unionid": func.coalesce(insert.excluded.unionid, table.c.unionid),
            "session_key": func.coalesce(insert.excluded.session_key, table.c.session_key),
            "last_login_at": insert.excluded.last_login_at,
            "updated_at": insert.excluded.updated_at,
        },
    ).returning(*table.c)
    return select(Resident).from_statement(as_text(upsert, dialect).columns(*table.c))


async def residents_by_phone_hash(session: AsyncSession, phone_hash: str) -> Sequence[Resident]:
    stmt = select(Resident).where(Resident.phone_hash == phone_hash).order_by(col(Resident.created_at))
    return (await session.exec(stmt)).all()


# ---------------------------------------------------------------- beneficiaries


async def get_beneficiary(session: AsyncSession, beneficiary_id: uuid.UUID) -> Beneficiary | None:
    return await session.get(Beneficiary, beneficiary_id)


async def list_live_beneficiaries(
    session: AsyncSession,
    resident_ids: Sequence[uuid.UUID],
    *,
    limit: int | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
) -> Sequence[Beneficiary]:
    stmt = select(Beneficiary).where(
        col(Beneficiary.resident_id).in_(resident_ids), col(Beneficiary.deleted_at).is_(None)
    )
    stmt = stmt.where(keyset_where(col(Beneficiary.created_at), col(Beneficiary.id), after))
    stmt = stmt.order_by(col(Beneficiary.created_at), col(Beneficiary.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    return (await session.exec(stmt)).all()


async def count_live_beneficiaries(session: AsyncSession, resident_id: uuid.UUID) -> int:
    stmt = select(func.count()).where(
        Beneficiary.resident_id == resident_id, col(Beneficiary.deleted_at).is_(None)
    )
    return int((await session.exec(stmt)).one())


async def has_live_self(
    session: AsyncSession, resident_id: uuid.UUID, *, except_id: uuid.UUID | None = None
) -> bool:
    stmt = select(Beneficiary.id).where(
        Beneficiary.resident_id == resident_id,
        Beneficiary.relation == "self",
        col(Beneficiary.deleted_at).is_(None),
    )
    if except_id is not None:
        stmt = stmt.where(Beneficiary.id != except_id)
    return (await session.exec(stmt.limit(1))).first() is not None


# ---------------------------------------------------------------- staff accounts


async def get_staff(session: AsyncSession, staff_id: uuid.UUID) -> StaffAccount | None:
    return await session.get(StaffAccount, staff_id)


async def release_staff_openid(session: AsyncSession, openid: str, keep: uuid.UUID) -> None:
    """Unbind `openid` from any other staff account (one WeChat receives one account's messages)."""
    stmt = (
        update(StaffAccount)
        .where(col(StaffAccount.openid) == openid, col(StaffAccount.id) != keep)
        .values(openid=None)
    )
    await session.execute(stmt)


async def get_staff_by_username(session: AsyncSession, username: str) -> StaffAccount | None:
    stmt = select(StaffAccount).where(StaffAccount.username == username)
    return (await session.exec(stmt)).first()


async def list_staff(
    session: AsyncSession,
    *,
    scope: Scope,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None = None,
) -> Sequence[StaffAccount]:
    """The staff accounts the caller's scope lists (`Scope.account_filter`), oldest first."""
    stmt = select(StaffAccount).where(
        scope.account_filter(StaffAccount.role, StaffAccount.operator_id, StaffAccount.supplier_id)
    )
    stmt = stmt.where(keyset_where(col(StaffAccount.created_at), col(StaffAccount.id), after))
    stmt = stmt.order_by(col(StaffAccount.created_at), col(StaffAccount.id)).limit(limit)
    return (await session.exec(stmt)).all()


async def staff_state(session: AsyncSession, staff_id: uuid.UUID) -> tuple[bool, int] | None:
    stmt = select(StaffAccount.active, StaffAccount.token_version).where(StaffAccount.id == staff_id)
    row = (await session.exec(stmt)).first()
    return None if row is None else (bool(row[0]), int(row[1]))


# ---------------------------------------------------------------- refresh tokens


async def add_refresh_token(
    session: AsyncSession,
    *,
    token_hash: str,
    family_id: uuid.UUID,
    subject_id: uuid.UUID,
    subject_kind: str,
    expires_at: datetime,
    now: datetime,
) -> None:
    """Store a refresh token: one INSERT, no object kept in the session (nothing reads it back)."""
    table = RefreshToken.__table__  # type: ignore[attr-defined]
    row = dict(token_hash=token_hash, family_id=family_id, subject_id=subject_id, subject_kind=subject_kind)
    row.update(id=uuid.uuid4(), expires_at=expires_at, created_at=now, updated_at=now)
    await session.execute(table.insert().values(row))


async def claim_refresh_token(session: AsyncSession, token_hash: str, now: datetime) -> RefreshToken | None:
    """Mark a live token used, atomically: of two concurrent claims exactly one succeeds."""
    stmt = (
        update(RefreshToken)
        .where(
            col(RefreshToken.token_hash) == token_hash,
            col(RefreshToken.used_at).is_(None),
            col(RefreshToken.revoked_at).is_(None),
            col(RefreshToken.expires_at) > now,
        )
        .values(used_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    result = await session.exec(stmt)
    if result.rowcount != 1:
        return None
    return await get_refresh_token(session, token_hash, refresh=True)


async def get_refresh_token(
    session: AsyncSession, token_hash: str, *, refresh: bool = False
) -> RefreshToken | None:
    stmt = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    if refresh:
        stmt = stmt.execution_options(populate_existing=True)
    return (await session.exec(stmt)).first()


async def revoke_family(session: AsyncSession, family_id: uuid.UUID, now: datetime) -> None:
    await _revoke(session, col(RefreshToken.family_id) == family_id, now)


async def revoke_subject(session: AsyncSession, subject_id: uuid.UUID, now: datetime) -> None:
    await _revoke(session, col(RefreshToken.subject_id) == subject_id, now)


async def _revoke(session: AsyncSession, condition: Any, now: datetime) -> None:
    """Revoke every live token matching `condition`, passing again until a pass finds none.

    One pass is not enough on PostgreSQL: a refresh that has claimed a token of the family holds its row, so
    the UPDATE waits for it, but the successor that refresh inserts is newer than the UPDATE's snapshot and
    would stay live. The next pass (a new snapshot) sees it; the rows a pass revoked stay locked until our
    commit, so no further successor can appear. SQLite serialises writers, so its second pass finds none.
    """
    stmt = (
        update(RefreshToken)
        .where(condition, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    while (await session.exec(stmt)).rowcount:
        pass
