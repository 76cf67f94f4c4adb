from __future__ import annotations

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.catalogue.world import World, build_world


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await build_world(session)
