"""The demo city needs the calendar too (idempotent: only the years missing are stored)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.workdays.loader import seed_known_years


async def seed(session: AsyncSession) -> None:
    await seed_known_years(session)
