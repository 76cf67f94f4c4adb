"""Fixtures of the reviews tests."""

from __future__ import annotations

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.reviews.factories import ReviewWorld, make_review_world


@pytest.fixture
async def rw(session: AsyncSession) -> ReviewWorld:
    return await make_review_world(session)
