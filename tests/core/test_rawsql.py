"""The hot paths' statements on the driver (`backend.core.rawsql`) behave as SQLAlchemy's own would."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.rawsql import RawStatement, session_driver, violates_unique
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
