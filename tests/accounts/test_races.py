"""Races that only PostgreSQL's concurrency shows (SQLite serialises writers): two transactions are held
open by hand, and the second is let go only once PostgreSQL reports it waiting for the first's lock."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import repository as repo
from backend.accounts import service, staff, tokens
from backend.accounts.errors import SelfAlreadyExists, UsernameTaken
from backend.accounts.models import RefreshToken
from backend.accounts.schemas import BeneficiaryCreate, StaffCreate
from backend.core.access import Principal, Role
from backend.core.clock import utcnow
from backend.core.database import db, get_session
from backend.core.security import InvalidToken
from tests.accounts.factories import make_resident, make_staff, make_world, principal_of
from tests.conftest import requires_postgres

pytestmark = requires_postgres


async def _until_blocked(task: asyncio.Task[None]) -> None:
    """Wait until some transaction waits for a lock (the task's), failing if the task ends first."""
    async with db.sessionmaker() as probe:
        for _ in range(200):
            assert not task.done(), task.exception() if task.done() else None
            waiting = (
                await probe.execute(sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
            ).scalar()
            await probe.rollback()
            if waiting:
                return
            await asyncio.sleep(0.02)
    raise AssertionError("the second transaction never waited for the first")


async def _second_while_first_open(
    first: Callable[[AsyncSession], Awaitable[object]], second: Callable[[AsyncSession], Awaitable[object]]
) -> asyncio.Task[None]:
    """Run `first` in an open transaction, start `second` in another, commit `first` once `second` waits."""

    async def run_second() -> None:
        async with db.sessionmaker() as s:
            await second(s)
            await s.commit()

    async with db.sessionmaker() as s1:
        await first(s1)
        task = asyncio.create_task(run_second())
        await _until_blocked(task)
        await s1.commit()
    await asyncio.wait([task], timeout=10)
    return task


@pytest.mark.parametrize("by", ["family", "subject"])
async def test_revocation_catches_the_successor_of_a_concurrent_refresh(
    app: object, session: AsyncSession, by: str
) -> None:
    """Logout / reuse (family) and password change / deactivation (subject) racing a refresh: the pair the
    refresh hands out must die with the rest, or a stolen session survives its revocation."""
    resident = await make_resident(session)
    async with db.sessionmaker() as s0:
        pair = await tokens.issue_pair(s0, tokens.resident_principal(resident))
        family = (await repo.get_refresh_token(s0, tokens.hash_token(pair.refresh_token))).family_id  # type: ignore[union-attr]
        await s0.commit()

    async def revoke(s: AsyncSession) -> None:
        if by == "family":
            await repo.revoke_family(s, family, utcnow())
        else:
            await repo.revoke_subject(s, resident.id, utcnow())

    task = await _second_while_first_open(lambda s: tokens.refresh(s, pair.refresh_token), revoke)
    assert task.exception() is None
    live = (await session.exec(select(RefreshToken).where(col(RefreshToken.revoked_at).is_(None)))).all()
    assert live == []


async def test_concurrent_self_beneficiaries_are_409_not_500(app: object, session: AsyncSession) -> None:
    resident = await make_resident(session)
    caller = Principal(id=resident.id, role=Role.resident)
    data = BeneficiaryCreate(name="本人", relation="self", birth_date=date(1960, 1, 1))  # type: ignore[arg-type]

    async def create(s: AsyncSession) -> None:
        await service.create_beneficiary(s, caller, data)

    task = await _second_while_first_open(create, create)
    assert isinstance(task.exception(), SelfAlreadyExists)


async def test_concurrent_accounts_with_one_username_are_409_not_500(
    app: object, session: AsyncSession
) -> None:
    admin = principal_of(await make_staff(session, Role.admin))
    data = StaffCreate(
        username="twin-admin",
        password="a-long-enough-password",
        display_name="双胞胎",
        role=Role.admin,
    )

    async def create(s: AsyncSession) -> None:
        await staff.create_account(s, admin, data)

    task = await _second_while_first_open(create, create)
    assert isinstance(task.exception(), UsernameTaken)


async def test_deactivation_is_not_undone_by_a_request_before_the_commit(
    app: object, session: AsyncSession
) -> None:
    world = await make_world(session)
    admin = principal_of(await make_staff(session, Role.admin))
    target = await make_staff(session, Role.supplier_staff, supplier_id=world.supplier.id)
    claims = {"ver": target.token_version}

    request = get_session()
    s = await anext(request)
    await staff.set_active(s, admin, target.id, active=False)
    # A request of the account arrives before the commit: it still sees (and caches) the active row.
    await tokens.check_staff_token(principal_of(target), claims)
    with pytest.raises(StopAsyncIteration):
        await anext(request)  # the route returns: commit, then the after-commit hooks

    with pytest.raises(InvalidToken):
        await tokens.check_staff_token(principal_of(target), claims)
