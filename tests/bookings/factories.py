"""Rows and tokens the bookings tests arrange: a small city with one facility, services, residents."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.models import Beneficiary, Resident
from backend.bookings.models import Slot
from backend.catalogue.models import (
    City,
    Community,
    District,
    Facility,
    Operator,
    Service,
    ServicePrice,
    Street,
    SubsidyRule,
    Supplier,
)
from backend.core.access import Principal, Role
from backend.core.clock import utcnow
from backend.core.security import create_access_token

ELDER_BIRTH = date(1950, 3, 1)
CHILD_BIRTH = date(2018, 5, 1)


def _credit() -> str:
    return secrets.token_hex(9).upper()


@dataclass
class World:
    operator: Operator
    other_operator: Operator
    facility: Facility
    supplier: Supplier
    other_supplier: Supplier
    elder_care: Service  # inclusive, 1000 fen; government pays 300 for 60+
    meal: Service  # per meal, orders close 120 min before
    home_visit: Service  # housekeeping at an address
    other_service: Service  # of other_supplier, in another operator's facility


async def make_world(session: AsyncSession) -> World:
    city = City(name="江城市")
    session.add(city)
    await session.flush()
    district = District(city_id=city.id, name="东湖区")
    session.add(district)
    await session.flush()
    street = Street(district_id=district.id, name="水果湖街道")
    session.add(street)
    await session.flush()
    community = Community(street_id=street.id, name="东亭社区")
    session.add(community)
    operators = [
        Operator(
            district_id=district.id,
            name=name,
            credit_code=_credit(),
            operating_model="public_built_private_run",
            started_on=date(2024, 1, 1),
        )
        for name in ("颐康运营", "西岭运营")
    ]
    session.add_all(operators)
    await session.flush()
    facilities = [
        Facility(
            community_id=community.id,
            operator_id=op.id,
            name=name,
            address="东亭路 1 号",
            lat=30.55,
            lng=114.35,
            opening_hours="08:00-18:00",
        )
        for op, name in ((operators[0], "东亭社区服务综合体"), (operators[1], "西岭服务中心"))
    ]
    suppliers = [
        Supplier(operator_id=op.id, name=name, credit_code=_credit())
        for op, name in ((operators[0], "安心养老"), (operators[1], "西岭助餐"))
    ]
    session.add_all([*facilities, *suppliers])
    await session.flush()

    def service(
        name: str, function: str, mode: str, facility: Facility, supplier: Supplier, **kw: Any
    ) -> Service:
        return Service(
            facility_id=facility.id,
            supplier_id=supplier.id,
            function=function,
            service_class="inclusive",
            booking_mode=mode,
            name=name,
            **kw,
        )

    elder = service(
        "日间照料", "elder_care", "full_day", facilities[0], suppliers[0], cancel_cutoff_minutes=120
    )
    meal = service("长者午餐", "meal_aid", "per_meal", facilities[0], suppliers[0], order_cutoff_minutes=120)
    home = service(
        "上门保洁", "housekeeping", "home_visit", facilities[0], suppliers[0], requires_address=True
    )
    other = service("西岭午餐", "meal_aid", "per_meal", facilities[1], suppliers[1])
    session.add_all([elder, meal, home, other])
    await session.flush()
    past = utcnow() - timedelta(days=30)
    for s in (elder, meal, home, other):
        session.add(
            ServicePrice(
                service_id=s.id,
                version=1,
                market_price_fen=2000,
                assessed_price_fen=1500,
                inclusive_price_fen=1000,
                effective_from=past,
            )
        )
    session.add(
        SubsidyRule(
            service_id=elder.id,
            name="60岁以上补贴",
            payer="government",
            min_age_years=60,
            amount_fen=300,
            valid_from=past,
        )
    )
    world = World(
        operators[0], operators[1], facilities[0], suppliers[0], suppliers[1], elder, meal, home, other
    )
    await session.commit()
    return world


async def make_resident(
    session: AsyncSession, birth_date: date = ELDER_BIRTH
) -> tuple[Resident, Beneficiary]:
    resident = Resident(openid="openid-" + secrets.token_hex(6))
    session.add(resident)
    await session.flush()
    beneficiary = Beneficiary(
        resident_id=resident.id, name="王秀英", relation="parent", birth_date=birth_date
    )
    session.add(beneficiary)
    await session.commit()
    return resident, beneficiary


async def make_many_residents(session: AsyncSession, n: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """`n` residents with one elderly beneficiary each, inserted in bulk: [(resident_id, beneficiary_id)]."""
    now = utcnow()
    pairs = [(uuid.uuid4(), uuid.uuid4()) for _ in range(n)]
    await session.execute(
        sa.insert(Resident.__table__),  # type: ignore[attr-defined]
        [
            {"id": r, "openid": f"openid-{r.hex}", "status": "active", "created_at": now, "updated_at": now}
            for r, _ in pairs
        ],
    )
    await session.execute(
        sa.insert(Beneficiary.__table__),  # type: ignore[attr-defined]
        [
            {
                "id": b,
                "resident_id": r,
                "name": "老人",
                "relation": "parent",
                "birth_date": ELDER_BIRTH,
                "dibao": False,
                "disability": False,
                "created_at": now,
                "updated_at": now,
            }
            for r, b in pairs
        ],
    )
    await session.commit()
    return pairs


async def make_slot(
    session: AsyncSession,
    service: Service,
    *,
    starts_in: timedelta = timedelta(days=1),
    length: timedelta = timedelta(hours=2),
    capacity: int = 5,
) -> Slot:
    start = (utcnow() + starts_in).replace(microsecond=0)
    slot = Slot(service_id=service.id, start_at=start, end_at=start + length, capacity=capacity)
    session.add(slot)
    await session.commit()
    return slot


async def move_slot_start(session: AsyncSession, slot_id: uuid.UUID, start: datetime) -> None:
    """Pretend time has passed: move a slot (and its bookings' copy of the start)."""
    from backend.bookings.models import Booking

    await session.execute(
        sa.update(Slot).where(Slot.id == slot_id).values(start_at=start, end_at=start + timedelta(hours=2))  # type: ignore[arg-type]
    )
    await session.execute(sa.update(Booking).where(Booking.slot_id == slot_id).values(start_at=start))  # type: ignore[arg-type]
    await session.commit()


def bearer(principal: Principal) -> dict[str, str]:
    token, _ = create_access_token(principal.id, principal.claims())
    return {"Authorization": f"Bearer {token}"}


def resident_headers(resident_id: uuid.UUID) -> dict[str, str]:
    return bearer(Principal(id=resident_id, role=Role.resident))


def supplier_headers(supplier_id: uuid.UUID) -> dict[str, str]:
    return bearer(Principal(id=uuid.uuid4(), role=Role.supplier_staff, supplier_id=supplier_id))


def operator_headers(operator_id: uuid.UUID) -> dict[str, str]:
    return bearer(Principal(id=uuid.uuid4(), role=Role.operator_staff, operator_id=operator_id))


async def make_booked_slot(
    session: AsyncSession, service: Service, start: datetime, statuses: list[str], capacity: int = 10
) -> Slot:
    """A slot at `start` with one booking in each of `statuses` (new residents), inserted directly."""
    from backend.bookings.models import Booking

    slot = Slot(service_id=service.id, start_at=start, end_at=start + timedelta(hours=1), capacity=capacity)
    session.add(slot)
    await session.flush()
    pairs = await make_many_residents(session, len(statuses))
    for (resident_id, beneficiary_id), status in zip(pairs, statuses, strict=True):
        session.add(
            Booking(
                slot_id=slot.id,
                service_id=service.id,
                resident_id=resident_id,
                beneficiary_id=beneficiary_id,
                start_at=start,
                status=status,
                total_fen=1000,
                subsidy_fen=0,
                discount_fen=0,
                community_fen=0,
                payable_fen=1000,
                status_changed_at=start,
            )
        )
    await session.commit()
    return slot
