"""Fixtures of the bookings tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.database import db
from tests.bookings.factories import World, make_world
from tests.conftest import DATABASE_URL, is_postgres


@pytest.fixture
async def session(app: object) -> AsyncIterator[AsyncSession]:
    """The arranging/inspecting session. On SQLite it runs every statement in autocommit, so a read made
    by the test never holds the write lock the app's transactions (BEGIN IMMEDIATE) queue on."""
    if is_postgres():
        async with db.sessionmaker() as s:
            yield s
        return
    engine = create_async_engine(DATABASE_URL, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _autocommit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    maker = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    async with maker() as s:
        yield s
    await engine.dispose()


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await make_world(session)
