"""The hot paths' statements on the driver (`backend.core.rawsql`) behave as SQLAlchemy's own would."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.models import Beneficiary, Resident
from backend.core.database import HELD_CONNECTION, db, request_transaction
from backend.core.rawsql import RawStatement, session_driver, violates_unique
from tests.accounts.factories import make_beneficiary, make_resident
from tests.conftest import requires_postgres

pytestmark = requires_postgres


async def test_a_refused_statement_raises_sqlalchemys_exception_for_it(session: AsyncSession) -> None:
    """So the app's handlers answer it as any other: an integrity error is a 409, a data exception a 422."""
    driver = await session_driver(session)
    by_zero = RawStatement.compile(
        sa.text("SELECT 1 / :zero").bindparams(sa.bindparam("zero", type_=sa.Integer))
    )
    with pytest.raises(sa.exc.DataError) as caught:
        await driver.fetchrow(by_zero, {"zero": 0})
    assert caught.value.orig.sqlstate == "22012"  # type: ignore[union-attr]
    await session.rollback()
    driver = await session_driver(session)
    missing_parent = RawStatement.compile(
        sa.text(
            "INSERT INTO beneficiary (id, created_at, updated_at, resident_id, name, relation, birth_date, "
            "dibao, disability) VALUES (:id, now(), now(), :rid, 'x', 'parent', '1950-01-01', false, false)"
        ).bindparams(sa.bindparam("id", type_=sa.Uuid), sa.bindparam("rid", type_=sa.Uuid))
    )
    with pytest.raises(sa.exc.IntegrityError) as integrity:
        await driver.execute(missing_parent, {"id": uuid.uuid4(), "rid": uuid.uuid4()})
    assert integrity.value.orig.sqlstate == "23503"  # type: ignore[union-attr]
    assert not violates_unique(integrity.value, "pk_beneficiary")


async def test_rows_read_on_the_driver_are_the_rows_sqlalchemy_reads(session: AsyncSession) -> None:
    """A list on the driver (`Driver.fetch`): decrypted text and UTC datetimes, as SQLAlchemy gives them."""
    resident = await make_resident(session)
    for name in ("王秀英", "李建国"):
        await make_beneficiary(session, resident, name=name)
    t = Beneficiary.__table__  # type: ignore[attr-defined]
    stmt = (
        sa.select(t.c.id, t.c.name, t.c.created_at, t.c.birth_date)
        .where(t.c.resident_id == sa.bindparam("rid", type_=t.c.resident_id.type))
        .order_by(t.c.created_at, t.c.id)
    )
    params = {"rid": resident.id}
    expected = [dict(r._mapping) for r in (await session.execute(stmt, params)).all()]
    got = await (await session_driver(session)).fetch(RawStatement.compile(stmt), params)
    assert got == expected
    assert sorted(r["name"] for r in got) == ["李建国", "王秀英"]  # decrypted
    assert all(r["created_at"].utcoffset() is not None for r in got)


def test_a_missing_parameter_is_an_error_not_a_null() -> None:
    statement = RawStatement.compile(
        sa.text("SELECT :a, :b").bindparams(sa.bindparam("a"), sa.bindparam("b"))
    )
    with pytest.raises(KeyError):
        statement.args({"a": 1})
    assert statement.args({"a": 1, "b": None}) == [1, None]


def test_an_in_list_is_refused_at_build_time() -> None:
    t = sa.table("t", sa.column("x"))
    with pytest.raises(TypeError):
        RawStatement.compile(sa.select(t.c.x).where(t.c.x.in_(sa.bindparam("xs", expanding=True))))


async def test_a_request_session_lends_one_connection_to_driver_and_orm(
    session: AsyncSession,
) -> None:
    """A request's session that has not begun a transaction binds a connection of its own for the driver;
    what the session does afterwards runs on that same connection (one connection per request, never a
    second one waited for), in a transaction the request commits, and the connection goes back to the
    pool when the request ends."""
    resident = await make_resident(session)
    await session.commit()
    pool = db.engine.sync_engine.pool
    before = pool.checkedout()  # type: ignore[attr-defined]
    async with request_transaction() as request:
        driver = await session_driver(request)
        assert await session_driver(request) is driver  # held for the session's life
        assert pool.checkedout() == before + 1  # type: ignore[attr-defined]
        pid = await driver.raw.fetchval("SELECT pg_backend_pid()")
        assert (await request.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one() == pid
        assert pool.checkedout() == before + 1  # type: ignore[attr-defined]
        request.add(_beneficiary(resident, "赵桂兰"))
        await request.flush()  # an ORM write, in a transaction on that connection
        assert await driver.raw.fetchval("SELECT txid_current_if_assigned() IS NOT NULL")
    assert pool.checkedout() == before  # type: ignore[attr-defined]
    names = await session.execute(sa.select(Beneficiary.name).where(Beneficiary.resident_id == resident.id))
    assert names.scalars().all() == ["赵桂兰"]  # committed by the request


async def test_a_failed_request_rolls_back_on_the_lent_connection(
    session: AsyncSession,
) -> None:
    resident = await make_resident(session)
    await session.commit()
    pool = db.engine.sync_engine.pool
    before = pool.checkedout()  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError):
        async with request_transaction() as request:
            await session_driver(request)
            request.add(_beneficiary(resident, "钱淑珍"))
            await request.flush()
            raise RuntimeError("a rule refused")
    assert pool.checkedout() == before  # type: ignore[attr-defined]
    names = await session.execute(sa.select(Beneficiary.name).where(Beneficiary.resident_id == resident.id))
    assert names.scalars().all() == []
    # The connection went back clean: the next request's driver is not inside the failed transaction.
    async with request_transaction() as request:
        assert await (await session_driver(request)).raw.fetchval("SELECT txid_current_if_assigned()") is None


async def test_a_session_that_began_first_lends_its_transactions_connection(session: AsyncSession) -> None:
    """The driver then runs inside the session's transaction (it sees the session's uncommitted rows)."""
    resident = await make_resident(session)
    await session.flush()
    async with request_transaction() as request:
        await request.execute(sa.text("SELECT 1"))
        driver = await session_driver(request)
        assert HELD_CONNECTION not in request.info
        assert await driver.raw.fetchval("SELECT txid_current_if_assigned() IS NULL")
    found = await (await session_driver(session)).raw.fetchval(
        "SELECT count(*) FROM resident WHERE id = $1", resident.id
    )
    assert found == 1  # the test's own (non-request) session: its transaction's connection


def _beneficiary(resident: Resident, name: str) -> Beneficiary:
    return Beneficiary(resident_id=resident.id, name=name, relation="parent", birth_date=date(1950, 3, 1))
