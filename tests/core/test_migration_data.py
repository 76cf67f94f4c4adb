"""Migrations are append-only and keep the data: a database holding data at revision 0004 (the last schema
before the schema had users) is upgraded to head, and every row is still there, unchanged, and loads
through today's models.

The rows are written with table definitions frozen at 0004 (below), never with the models, so that the test
keeps describing the old schema while later revisions add to it.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from alembic import command
from backend.accounts.models import Beneficiary, Resident
from backend.bookings.models import Booking, Slot
from backend.catalogue.models import Community, District, Facility, Operator, Service, Street, Supplier
from backend.core.clock import as_utc
from backend.core.crypto import EncryptedText
from tests.conftest import HAVE_PG, _pg_admin, alembic_config

BASE_REVISION = "0004"
T0 = datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC)
SLOT_START = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai

_meta = sa.MetaData()


def _table(name: str, *columns: sa.Column[Any]) -> sa.Table:
    return sa.Table(
        name,
        _meta,
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        *columns,
    )


def _col(name: str, type_: Any = sa.String()) -> sa.Column[Any]:
    return sa.Column(name, type_)


# The columns each table had at 0004 that a row needs (NOT NULL ones and a few telling optional ones).
CITY = _table("city", _col("name"), _col("adcode"))
DISTRICT = _table("district", _col("city_id", sa.Uuid()), _col("name"), _col("adcode"))
STREET = _table("street", _col("district_id", sa.Uuid()), _col("name"))
COMMUNITY = _table("community", _col("street_id", sa.Uuid()), _col("name"))
OPERATOR = _table(
    "operator",
    _col("district_id", sa.Uuid()),
    _col("name"),
    _col("credit_code"),
    _col("operating_model"),
    _col("status"),
    _col("started_on", sa.Date()),
)
SUPPLIER = _table(
    "supplier", _col("operator_id", sa.Uuid()), _col("name"), _col("credit_code"), _col("status")
)
FACILITY = _table(
    "facility",
    _col("community_id", sa.Uuid()),
    _col("operator_id", sa.Uuid()),
    _col("name"),
    _col("address"),
    _col("lat", sa.Float()),
    _col("lng", sa.Float()),
    _col("opening_hours"),
    _col("rooms", sa.JSON()),
    _col("status"),
)
SERVICE = _table(
    "service",
    _col("facility_id", sa.Uuid()),
    _col("supplier_id", sa.Uuid()),
    _col("function"),
    _col("service_class"),
    _col("booking_mode"),
    _col("name"),
    _col("description"),
    _col("price_unit"),
    _col("min_age_years", sa.Integer()),
    _col("cancel_cutoff_minutes", sa.Integer()),
    _col("requires_address", sa.Boolean()),
    _col("status"),
)
SLOT = _table(
    "slot",
    _col("service_id", sa.Uuid()),
    _col("start_at", sa.DateTime(timezone=True)),
    _col("end_at", sa.DateTime(timezone=True)),
    _col("capacity", sa.Integer()),
    _col("booked", sa.Integer()),
    _col("status"),
)
RESIDENT = _table(
    "resident", _col("openid"), _col("nickname"), _col("phone", EncryptedText()), _col("status")
)
BENEFICIARY = _table(
    "beneficiary",
    _col("resident_id", sa.Uuid()),
    _col("name", EncryptedText()),
    _col("relation"),
    _col("birth_date", sa.Date()),
    _col("dibao", sa.Boolean()),
    _col("disability", sa.Boolean()),
)
BOOKING = _table(
    "booking",
    _col("slot_id", sa.Uuid()),
    _col("service_id", sa.Uuid()),
    _col("resident_id", sa.Uuid()),
    _col("beneficiary_id", sa.Uuid()),
    _col("start_at", sa.DateTime(timezone=True)),
    _col("status"),
    _col("source"),
    _col("address"),
    _col("total_fen", sa.Integer()),
    _col("subsidy_fen", sa.Integer()),
    _col("discount_fen", sa.Integer()),
    _col("community_fen", sa.Integer()),
    _col("payable_fen", sa.Integer()),
    _col("status_changed_at", sa.DateTime(timezone=True)),
)


def _rows() -> list[tuple[sa.Table, dict[str, Any]]]:
    ids = {name: uuid.uuid4() for name in ("city", "district", "street", "community", "operator", "supplier")}
    ids |= {
        name: uuid.uuid4() for name in ("facility", "service", "slot", "resident", "beneficiary", "booking")
    }
    stamp = {"created_at": T0, "updated_at": T0}
    return [
        (CITY, {"id": ids["city"], "name": "武汉市", "adcode": "420100", **stamp}),
        (
            DISTRICT,
            {"id": ids["district"], "city_id": ids["city"], "name": "江岸区", "adcode": "420102", **stamp},
        ),
        (STREET, {"id": ids["street"], "district_id": ids["district"], "name": "后湖街道", **stamp}),
        (COMMUNITY, {"id": ids["community"], "street_id": ids["street"], "name": "百步亭社区", **stamp}),
        (
            OPERATOR,
            {
                "id": ids["operator"],
                "district_id": ids["district"],
                "name": "江岸区颐养服务有限公司",
                "credit_code": "91420102MA4K000001",
                "operating_model": "chain",
                "status": "active",
                "started_on": date(2020, 5, 1),
                **stamp,
            },
        ),
        (
            SUPPLIER,
            {
                "id": ids["supplier"],
                "operator_id": ids["operator"],
                "name": "后湖助餐服务队",
                "credit_code": "91420102MA4K000002",
                "status": "active",
                **stamp,
            },
        ),
        (
            FACILITY,
            {
                "id": ids["facility"],
                "community_id": ids["community"],
                "operator_id": ids["operator"],
                "name": "百步亭社区嵌入式服务中心",
                "address": "江岸区百步亭花园路 1 号",
                "lat": 30.65,
                "lng": 114.32,
                "opening_hours": "08:00-18:00",
                "rooms": [{"function": "meal_aid", "floor": 1, "area_m2": 120.0, "seats": 40}],
                "status": "active",
                **stamp,
            },
        ),
        (
            SERVICE,
            {
                "id": ids["service"],
                "facility_id": ids["facility"],
                "supplier_id": ids["supplier"],
                "function": "meal_aid",
                "service_class": "basic",
                "booking_mode": "per_meal",
                "name": "老年助餐（午餐）",
                "description": "两荤一素一汤",
                "price_unit": "餐",
                "min_age_years": 60,
                "cancel_cutoff_minutes": 120,
                "requires_address": False,
                "status": "active",
                **stamp,
            },
        ),
        (
            SLOT,
            {
                "id": ids["slot"],
                "service_id": ids["service"],
                "start_at": SLOT_START,
                "end_at": SLOT_START.replace(hour=2),
                "capacity": 40,
                "booked": 1,
                "status": "open",
                **stamp,
            },
        ),
        (
            RESIDENT,
            {
                "id": ids["resident"],
                "openid": "o-migration-test",
                "nickname": "小王",
                "phone": "13800000000",
                "status": "active",
                **stamp,
            },
        ),
        (
            BENEFICIARY,
            {
                "id": ids["beneficiary"],
                "resident_id": ids["resident"],
                "name": "王奶奶",
                "relation": "parent",
                "birth_date": date(1948, 6, 1),
                "dibao": True,
                "disability": False,
                **stamp,
            },
        ),
        (
            BOOKING,
            {
                "id": ids["booking"],
                "slot_id": ids["slot"],
                "service_id": ids["service"],
                "resident_id": ids["resident"],
                "beneficiary_id": ids["beneficiary"],
                "start_at": SLOT_START,
                "status": "confirmed",
                "source": "direct",
                "address": "百步亭花园路 8 号",
                "total_fen": 1500,
                "subsidy_fen": 500,
                "discount_fen": 300,
                "community_fen": 0,
                "payable_fen": 700,
                "status_changed_at": T0,
                **stamp,
            },
        ),
    ]


def _same(value: Any) -> Any:
    """SQLite gives naive datetimes back; compare instants."""
    return as_utc(value) if isinstance(value, datetime) else value


async def _insert(url: str, rows: list[tuple[sa.Table, dict[str, Any]]]) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            for table, values in rows:
                await conn.execute(table.insert().values(**values))
    finally:
        await engine.dispose()


async def _check(url: str, rows: list[tuple[sa.Table, dict[str, Any]]]) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            for table, values in rows:
                found = (
                    await conn.execute(
                        sa.select(*(table.c[k] for k in values)).where(table.c.id == values["id"])
                    )
                ).one()
                assert {k: _same(v) for k, v in found._mapping.items()} == values, table.name
        # Today's models load the old rows.
        ids = {table.name: values["id"] for table, values in rows}
        async with AsyncSession(engine) as session:
            for model in (District, Street, Community, Operator, Supplier, Facility, Service, Slot, Resident):
                assert await session.get(model, ids[model.__tablename__]) is not None, model.__name__
            beneficiary = await session.get(Beneficiary, ids["beneficiary"])
            assert beneficiary is not None and beneficiary.name == "王奶奶" and beneficiary.dibao is True
            booking = await session.get(Booking, ids["booking"])
            assert booking is not None and booking.status == "confirmed" and booking.payable_fen == 700
            assert as_utc(booking.start_at) == SLOT_START
    finally:
        await engine.dispose()


def _upgrade_with_data(url: str) -> None:
    cfg = alembic_config(url)
    command.upgrade(cfg, BASE_REVISION)
    rows = _rows()
    asyncio.run(_insert(url, rows))
    command.upgrade(cfg, "head")
    asyncio.run(_check(url, rows))


def test_data_at_0004_survives_upgrade_to_head_on_sqlite() -> None:
    """Append-only migrations (issue 8): the 0004 rows are intact at head."""
    path = Path(tempfile.mkdtemp(prefix="csb-migdata-")) / "m.db"
    _upgrade_with_data(f"sqlite+aiosqlite:///{path}")


@pytest.mark.skipif(not HAVE_PG, reason="needs PostgreSQL")
def test_data_at_0004_survives_upgrade_to_head_on_postgres() -> None:
    """Append-only migrations (issue 8): the 0004 rows are intact at head."""
    name = f"migdata_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        _upgrade_with_data(f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}")
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
