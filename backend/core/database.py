"""Async engine, one session (and one transaction) per request, and the table-model base."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.interfaces import BindTyping
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import await_only, greenlet_spawn
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import utcnow
from backend.core.settings import Settings, get_settings

log = logging.getLogger("backend.database")

# Stable constraint names, so migrations can drop what they created on both PostgreSQL and SQLite.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the offset; this restores it)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_field(**kwargs: Any) -> Any:
    """A UTC timestamp column for SQLModel tables."""
    return Field(sa_type=UTCDateTime, **kwargs)


class TableBase(SQLModel):
    """UUID primary key and UTC audit timestamps shared by every table."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )


def dialect_name(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT: both PostgreSQL's and SQLite's support ON CONFLICT DO NOTHING and RETURNING."""
    return insert_of(dialect_name(session))


def insert_of(dialect: str) -> Any:
    return _dialect_module(dialect).insert


def as_text(statement: sa.ClauseElement, dialect: str) -> sa.TextClause:
    """`statement` rendered for `dialect` as a text statement with the same typed parameters. For what
    SQLAlchemy cannot cache: an ON CONFLICT clause has no cache key, so such a statement is compiled on
    every execution, while text is cached by its string. Render it once (under `functools.cache`)."""
    renderer = _dialect_module(dialect).dialect(paramstyle="named")
    renderer.bind_typing = BindTyping.NONE  # `:id`, not `:id::UUID`: the executing dialect adds its casts
    compiled = statement.compile(dialect=renderer)
    assert isinstance(compiled, SQLCompiler)
    binds = {  # by the name rendered (a value built into the statement, as `'active'`, keeps its value)
        name: sa.bindparam(name, b.value, type_=b.type, required=b.required)
        for b, name in compiled.bind_names.items()
    }
    return sa.text(compiled.string).bindparams(*binds.values())


def _dialect_module(dialect: str) -> Any:
    return postgresql if dialect == "postgresql" else sqlite


class Database:
    """Holds the engine and session factory; configured once per process (and per test run)."""

    def __init__(self) -> None:
        self._engine: AsyncEngine | None = None
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None

    def configure(self, settings: Settings) -> None:
        self._engine = make_engine(settings.database_url, settings)
        self._sessionmaker = async_sessionmaker(self._engine, class_=AsyncSession, expire_on_commit=False)

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            self.configure(get_settings())
        assert self._engine is not None
        return self._engine

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        if self._sessionmaker is None:
            self.configure(get_settings())
        assert self._sessionmaker is not None
        return self._sessionmaker

    async def warm(self, connections: int, timeout_seconds: float = 10.0) -> int:
        """Open up to `connections` pooled connections now (PostgreSQL; at startup): the first rush after a
        start then finds them ready instead of opening each under load (a new connection costs the driver's
        type set-up, several round trips). Never fails: a database that does not answer is logged, and the
        pool opens connections on demand as before. Returns how many were opened."""
        engine = self.engine
        if engine.dialect.name != "postgresql" or connections <= 0:
            return 0
        held: list[Any] = []

        async def open_one() -> None:
            held.append(await engine.connect())

        # Warming is an optimisation, never a reason not to start: failures are only logged.
        try:
            async with asyncio.timeout(timeout_seconds):
                results = await asyncio.gather(
                    *(open_one() for _ in range(connections)), return_exceptions=True
                )
            failed = [r for r in results if isinstance(r, BaseException)]
            if failed:
                log.warning(
                    "opened %d of %d database connections ahead of use: %r", len(held), connections, failed[0]
                )
        except TimeoutError:
            log.warning(
                "opened %d of %d database connections ahead of use: timed out", len(held), connections
            )
        opened = len(held)
        for connection in held:
            await connection.close()  # back into the pool, open
        return opened

    async def dispose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
        self._engine = None
        self._sessionmaker = None


db = Database()


def ensure_sqlite_directory(url: str) -> None:
    """A first run has no ./data yet; SQLite creates the file but not its folder."""
    path = url.split(":///", 1)[-1] if url.startswith("sqlite") else ""
    if path and not path.startswith(":memory:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, settings: Settings) -> AsyncEngine:
    if url.startswith("sqlite"):
        ensure_sqlite_directory(url)
        engine = create_async_engine(url, echo=settings.db_echo, connect_args={"timeout": 30})
        _sqlite_serialised_writes(engine)
        return engine
    engine = create_async_engine(
        url,
        echo=settings.db_echo,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # Bounded waits, so an outage answers 503 within seconds instead of holding requests open.
        pool_timeout=settings.db_pool_timeout_seconds,
        connect_args={"timeout": settings.db_connect_timeout_seconds},
    )
    _ping_idle_connections(engine, settings.db_ping_idle_seconds)
    return engine


def _ping_idle_connections(engine: AsyncEngine, idle_seconds: float) -> None:
    """Check a pooled connection before handing it out when it has been idle for `idle_seconds` or more: one
    round trip (`;`), and a dead connection is replaced before the request uses it (what `pool_pre_ping`
    does, which costs three round trips on asyncpg, BEGIN + `;` + ROLLBACK, on every checkout). A connection
    in steady use is not pinged: if PostgreSQL restarts under load, the first statement on each such
    connection fails (503 with Retry-After) and SQLAlchemy then replaces the whole pool."""

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get("checked_in_at")
        if last is not None and time.monotonic() - last < idle_seconds:
            return
        try:
            await_only(dbapi_connection.driver_connection.fetchrow(";"))
        except Exception as exc:
            raise sa.exc.DisconnectionError() from exc

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()


def _sqlite_serialised_writes(engine: AsyncEngine) -> None:
    """SQLite: foreign keys on, WAL, and BEGIN IMMEDIATE so concurrent writers queue instead of failing."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


AfterCommit = Callable[[], Awaitable[None]]
_REQUEST = "request_transaction"
_HOOKS = "after_commit"
_LISTENING = "after_commit_listening"
_background: set[asyncio.Task[None]] = set()


def after_commit(session: AsyncSession, hook: AfterCommit) -> None:
    """Run `hook` once the session's transaction has committed (e.g. to invalidate a cache): the one
    after-commit mechanism of the project.

    Hooks are dropped when the transaction rolls back, and a failing hook is logged, never turned into an
    error (the data is already committed). In a request (`SessionDep`) they are awaited after the commit and
    before the response is sent, so the caller's next read sees their effect. Elsewhere (jobs, scripts) they
    are started as tasks on the running loop from SQLAlchemy's `after_commit` event, right after the commit.
    """
    session.info.setdefault(_HOOKS, []).append(hook)
    if session.info.get(_REQUEST) or session.info.get(_LISTENING):
        return
    session.info[_LISTENING] = True
    event.listen(session.sync_session, "after_commit", _start_hooks)
    event.listen(session.sync_session, "after_rollback", _drop_hooks)


def _start_hooks(sync_session: Any) -> None:
    hooks = sync_session.info.pop(_HOOKS, [])
    if not hooks:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no loop (sync use): nothing can await the hooks
        log.warning("after-commit hooks dropped: no running event loop")
        return
    task = loop.create_task(_run_hooks(hooks))
    _background.add(task)
    task.add_done_callback(_background.discard)


def _drop_hooks(sync_session: Any) -> None:
    sync_session.info.pop(_HOOKS, None)


async def _run_hooks(hooks: list[AfterCommit]) -> None:
    for hook in hooks:
        try:
            await hook()
        except Exception:
            log.exception("after-commit hook failed")


async def settle_after_commit() -> None:
    """Wait for the after-commit hooks started outside requests (jobs, tests) to finish."""
    while _background:
        await asyncio.gather(*list(_background), return_exceptions=True)


# A connection the request's session was bound to before it began a transaction (`rawsql.session_driver`,
# the hot paths): a session does not close a connection it was bound to, so the request returns it.
HELD_CONNECTION = "request_connection"


def is_request_session(session: AsyncSession) -> bool:
    return bool(session.info.get(_REQUEST))


@asynccontextmanager
async def request_transaction() -> AsyncIterator[AsyncSession]:
    """A request's one transaction: committed when the body returns, then its after-commit hooks awaited;
    rolled back when it raises. `SessionDep` is this as a dependency."""
    session = db.sessionmaker()
    session.info[_REQUEST] = True
    try:
        try:
            yield session
            if _has_work(session):  # else a commit would only begin and end an empty transaction
                await session.commit()
        except BaseException:
            session.info.pop(_HOOKS, None)
            await session.rollback()
            raise
        finally:
            held: sa.Connection | None = session.info.pop(HELD_CONNECTION, None)
            if held is not None:  # its transaction, if the session began one, ended above
                await greenlet_spawn(held.close)
        await _run_hooks(session.info.pop(_HOOKS, []))
    finally:
        if session.in_transaction():  # a failed rollback: SQLAlchemy's close, completed even if cancelled
            await session.__aexit__(None, None, None)
        else:  # nothing to give back: the close awaits nothing, so a cancellation cannot cut it short
            await session.close()


def _has_work(session: AsyncSession) -> bool:
    """A transaction begun, or objects added, changed or deleted (which a commit would flush)."""
    return session.in_transaction() or bool(session.new or session.dirty or session.deleted)


async def get_session() -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the route returns, rolled back when it raises."""
    async with request_transaction() as session:
        yield session


# scope="function": the commit happens before the response is sent, so a failed commit is never a 2xx.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
