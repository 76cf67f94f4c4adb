"""Fixtures of the complaints tests."""

from __future__ import annotations

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.bookings.factories import World, make_world
from tests.complaints.factories import People, make_people


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await make_world(session)


@pytest.fixture
async def people(session: AsyncSession, world: World) -> People:
    return await make_people(session, world)
