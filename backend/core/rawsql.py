"""Hot paths on PostgreSQL: statements compiled once and run on the pooled asyncpg connection itself.

Going through SQLAlchemy costs each statement ~0.2-0.4 ms of Python (execution context, parameter and result
processing, the greenlet bridge); the booking write pays it several times per request. A `RawStatement` is
built with SQLAlchemy once (so tables, columns and casts still come from the models), then run with asyncpg's
own prepared statements, with the same value conversions SQLAlchemy would apply.

Two ways to get the connection, both from the one SQLAlchemy pool:
- `session_driver(session)`: the request session's own connection. A statement runs inside the session's
  transaction if SQLAlchemy has begun one on it, else on its own (autocommit: no BEGIN/COMMIT round trips),
  so a hot path made of one reading and one writing statement needs neither. Either way what it wrote
  commits no later than the request's commit, and after-commit hooks still run after that commit. A
  request's session asked before it began a transaction is bound to the connection it lends (one
  connection per request; `request_transaction` returns it).
- `autocommit_driver()`: a connection of its own for one short statement outside any request transaction
  (an idempotency claim of a route that claims before its transaction).

Errors come out as SQLAlchemy's (`Driver`), so the app's handlers and a lost connection's invalidation work
as for any other statement.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from pydantic_core import to_json
from sqlalchemy.dialects.postgresql.asyncpg import dialect as AsyncpgDialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import greenlet_spawn
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.database import HELD_CONNECTION, db, dialect_name, is_request_session
from backend.core.faults import is_database_unavailable


def _json(value: Any) -> str:
    # pydantic-core's encoder (a dependency already): a third of `json.dumps`'s time for the booking's
    # message and stored response; the same JSON values (non-ASCII text is not escaped).
    return to_json(value).decode()


_DIALECT = AsyncpgDialect(json_serializer=_json)


@dataclass(frozen=True, slots=True)
class RawStatement:
    """SQL with `$n` placeholders, its parameter names in order, the literal values built into it, and the
    conversions SQLAlchemy would apply to a value before the driver sees it (JSON, UTC datetimes)."""

    sql: str
    names: tuple[str, ...]
    defaults: Mapping[str, Any]
    converters: tuple[Callable[[Any], Any] | None, ...]
    # Result columns SQLAlchemy would convert (decrypted text, UTC datetimes), by label.
    readers: tuple[tuple[str, Callable[[Any], Any]], ...]

    @classmethod
    def compile(cls, statement: sa.ClauseElement | sa.Executable) -> RawStatement:
        compiled = statement.compile(dialect=_DIALECT)  # type: ignore[union-attr]
        assert isinstance(compiled, SQLCompiler)
        if compiled.insert_prefetch or compiled.update_prefetch:  # Python-side defaults (`onupdate=...`)
            raise TypeError("a raw statement must set every column itself, defaults included")
        if any(bind.expanding for bind in compiled.binds.values()):  # an IN list is rendered per call
            raise TypeError("a raw statement takes no expanding (IN list) parameters")
        names = tuple(compiled.positiontup or ())
        # Only the values built into the statement have defaults: a missing parameter is an error.
        built_in = {n: b.value for n, b in compiled.binds.items() if not b.required}
        # SQLAlchemy's own per-parameter conversions and typed result columns (private attributes, read
        # once per statement; `tests/core/test_rawsql.py` and the hot path's tests cover what they give).
        processors = compiled._bind_processors
        readers = []
        for column in compiled._result_columns:
            reader = column.type._cached_result_processor(_DIALECT, None)
            if reader is not None:
                readers.append((column.keyname, reader))
        return cls(
            compiled.string,
            names,
            built_in,
            tuple(processors.get(n) for n in names),  # type: ignore[misc]
            tuple(readers),
        )

    def read(self, record: Any) -> dict[str, Any]:
        """A result row as a dict, converted as SQLAlchemy would."""
        row = dict(record.items())
        for name, reader in self.readers:
            value = row[name]
            if value is not None:
                row[name] = reader(value)
        return row

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        defaults = self.defaults
        out = []
        for name, convert in zip(self.names, self.converters, strict=True):
            value = params[name] if name in params else defaults[name]  # KeyError: a missing parameter
            out.append(value if convert is None or value is None else convert(value))
        return out


# Called with each statement's SQL before it runs on a driver (what SQLAlchemy's `before_cursor_execute`
# event is for its own statements): the tests count the hot path's round trips with it.
statement_observers: list[Callable[[str], None]] = []


@cache
def compiled(statement: sa.ClauseElement | sa.Executable) -> RawStatement:
    """`RawStatement.compile`, once per statement object (the hot paths' statements are built once)."""
    return RawStatement.compile(statement)


class Driver:
    """An asyncpg connection checked out through SQLAlchemy, with SQLAlchemy's handling of its errors: a
    refused statement raises SQLAlchemy's exception class for it (`IntegrityError`, `DataError`, ...; the
    driver's error is `.orig`), so the app's handlers answer it as for any other statement; a lost
    connection is invalidated together with every connection of the pool made before it (after a database
    restart the others are as dead), so the pool replaces them instead of handing them out again."""

    __slots__ = ("connection", "raw")

    def __init__(self, connection: sa.Connection, raw: Any) -> None:
        self.connection = connection  # SQLAlchemy's (sync) connection over `raw`, for invalidation
        self.raw = raw

    async def fetchrow(self, statement: RawStatement, params: Mapping[str, Any]) -> dict[str, Any] | None:
        record = await self._run("fetchrow", statement, params)
        return None if record is None else statement.read(record)

    async def fetch(self, statement: RawStatement, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [statement.read(record) for record in await self._run("fetch", statement, params)]

    async def execute(self, statement: RawStatement, params: Mapping[str, Any]) -> str:
        """The command tag, e.g. `DELETE 1`."""
        return str(await self._run("execute", statement, params))

    async def _run(self, method: str, statement: RawStatement, params: Mapping[str, Any]) -> Any:
        """asyncpg's `method` (fetchrow, fetch, execute) on the statement, its errors as SQLAlchemy's."""
        for observe in statement_observers:
            observe(statement.sql)
        try:
            return await getattr(self.raw, method)(statement.sql, *statement.args(params))
        except Exception as exc:
            raise await self._translate(exc, statement) from exc

    async def _translate(self, exc: Exception, statement: RawStatement) -> Exception:
        if is_database_unavailable(exc):
            connection = self.connection
            if not connection.invalidated:
                if connection._dbapi_connection is not None:
                    # What SQLAlchemy does on a disconnect: the pool's older connections go too.
                    connection.engine.pool._invalidate(connection._dbapi_connection, exc)
                await greenlet_spawn(connection.invalidate, exc)
            return exc
        state = getattr(exc, "sqlstate", None)
        if not isinstance(state, str):
            return exc
        kind = _SQLSTATE_CLASSES.get(state[:2], sa.exc.DatabaseError)
        return kind(statement.sql, None, exc)


# SQLSTATE classes and SQLAlchemy's (PEP 249's) exception for each.
_SQLSTATE_CLASSES: dict[str, type[sa.exc.DBAPIError]] = {
    "22": sa.exc.DataError,
    "23": sa.exc.IntegrityError,
    "40": sa.exc.OperationalError,  # serialization failure, deadlock
    "42": sa.exc.ProgrammingError,
}


def violates_unique(exc: BaseException, index: str) -> bool:
    """Whether `exc` (or the driver's error it wraps) is a unique violation (23505) of `index`."""
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None) == "23505" and getattr(orig, "constraint_name", None) == index


def is_postgresql(session: AsyncSession) -> bool:
    return dialect_name(session) == "postgresql"


async def session_driver(session: AsyncSession) -> Driver:
    """The asyncpg connection under the session's (PostgreSQL) connection; see the module's docstring.
    Kept for the session's current transaction (a hot path asks several times; asking SQLAlchemy for the
    connection costs more than a statement's own Python)."""
    sync_session = session.sync_session
    transaction = sync_session.get_transaction()
    held = session.info.get(_DRIVER)
    if held is not None and (held[0] is _BOUND or held[0] is transaction):
        return held[1]  # type: ignore[no-any-return]
    if transaction is None and is_request_session(session) and isinstance(sync_session.bind, sa.Engine):
        # A request's session that has not begun a transaction (the booking write): a connection of its
        # own, the session bound to it, so whatever the session does later runs on it too. Cheaper than
        # the session beginning a transaction to lend its connection (~0.1 ms a request).
        driver = await greenlet_spawn(_bind_connection, sync_session)
        session.info[HELD_CONNECTION] = driver.connection
        session.info[_DRIVER] = (_BOUND, driver)
        return driver
    # One trip into SQLAlchemy's greenlet: the connection it checks out (or holds) has its driver
    # connection at hand, so reading it needs no second trip (`AsyncConnection.get_raw_connection`).
    driver = await greenlet_spawn(_driver_of, sync_session)
    session.info[_DRIVER] = (sync_session.get_transaction(), driver)
    return driver


def _driver_of(session: sa.orm.Session) -> Driver:
    connection = session.connection()
    return Driver(connection, connection.connection.driver_connection)


def _bind_connection(session: sa.orm.Session) -> Driver:
    """A connection checked out of the session's engine, the session bound to it (`request_transaction`
    returns it): a transaction the session begins later is begun on it, and ended by the session."""
    connection = session.bind.connect()  # type: ignore[union-attr]
    session.bind = connection
    return Driver(connection, connection.connection.driver_connection)


_DRIVER = "rawsql_driver"
_BOUND = "bound"  # the session is bound to the driver's connection: valid for the session's whole life


@asynccontextmanager
async def autocommit_driver() -> AsyncIterator[Driver]:
    """A pooled asyncpg connection, outside any transaction, for one short autocommitted statement."""
    async with db.engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        assert connection.sync_connection is not None  # connected
        yield Driver(connection.sync_connection, raw)
