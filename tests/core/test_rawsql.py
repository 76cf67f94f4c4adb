"""The hot paths' statements on the driver (`backend.core.rawsql`) behave as SQLAlchemy's own would."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.models import Beneficiary
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
