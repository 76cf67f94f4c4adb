"""What the catalogue hands other domains is a frozen copy, never its table row (issue 8: boundaries)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.errors import ServiceNotFound
from backend.catalogue.models import Service
from backend.catalogue.service import SupplierService, get_service_for_supplier
from tests.catalogue.world import build_world


async def test_get_service_for_supplier_returns_a_frozen_copy(session: AsyncSession) -> None:
    world = await build_world(session)
    meal = world.services["meal"]
    got = await get_service_for_supplier(session, world.supplier_staff("A1"), meal)
    row = await session.get(Service, meal)
    assert row is not None
    assert isinstance(got, SupplierService) and not isinstance(got, Service)
    assert (got.id, got.name, got.supplier_id, got.facility_id, got.function) == (
        row.id,
        row.name,
        row.supplier_id,
        row.facility_id,
        row.function,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.name = "改名"  # type: ignore[misc]
    with pytest.raises(ServiceNotFound):  # another supplier's staff do not act for it
        await get_service_for_supplier(session, world.supplier_staff("B1"), meal)
