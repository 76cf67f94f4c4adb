"""The pool is opened at startup on PostgreSQL, and a database that does not answer never stops a start."""

from __future__ import annotations

from backend.core.database import Database
from backend.core.settings import Settings, get_settings
from tests.conftest import requires_postgres


@requires_postgres
async def test_warming_opens_the_pools_connections_ahead_of_use() -> None:
    db = Database()
    db.configure(get_settings().model_copy(update={"db_pool_size": 4, "db_max_overflow": 0}))
    try:
        assert await db.warm(4) == 4
        assert db.engine.sync_engine.pool.checkedin() == 4  # type: ignore[attr-defined]
    finally:
        await db.dispose()


async def test_warming_a_database_that_does_not_answer_only_logs() -> None:
    db = Database()
    url = "postgresql+asyncpg://postgres@127.0.0.1:1/nothing"
    db.configure(Settings(database_url=url, db_connect_timeout_seconds=1))
    try:
        assert await db.warm(3, timeout_seconds=5) == 0
    finally:
        await db.dispose()


async def test_sqlite_is_not_warmed() -> None:
    db = Database()
    db.configure(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    try:
        assert await db.warm(5) == 0
    finally:
        await db.dispose()
