"""Fixtures of the bookings tests."""

from __future__ import annotations

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.bookings.factories import World, make_world


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await make_world(session)
