"""The scope hole, call by call (issue 8): each call an attacker used, by in-scope and out-of-scope callers.

The world (tests/catalogue/world.py): one district with two streets; operator A runs the east street's
facilities, operator B the west street's ("西托育园", service "infant" by supplier B1). A street regulator of
the east street (as 后湖街道 in the issue) must not reach the west street (二七街道) through operator-level
objects: it cannot create or deactivate B's staff, change B or B's suppliers, nor record a west resident's
低保. Operator-level objects are changed by a district or city regulator whose region holds the operator's
registration district, or an admin; a resident's entitlements by a district/city regulator or the street
office of the community the resident chose in their profile (DOMAIN.md: regulators are the street office,
the district or the city; a street office answers for its own street only).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.models import District
from backend.core.access import Principal, RegionLevel, Role
from backend.core.clock import SHANGHAI, utcnow
from tests.accounts.factories import make_beneficiary, make_resident, make_staff, principal_of
from tests.catalogue.world import World, build_world, headers


@dataclass
class Arena:
    w: World
    other_district: uuid.UUID
    b_staff_account: uuid.UUID  # an operator_staff account of operator B (west street)
    west_beneficiary: uuid.UUID  # of a resident who chose the west community
    unplaced_beneficiary: uuid.UUID  # of a resident who chose no community

    callers: dict[str, Principal]

    def caller(self, name: str) -> Principal:
        return self.callers[name]


async def _callers(session: AsyncSession, w: World, other_district: uuid.UUID) -> dict[str, Principal]:
    """Every caller as a real staff account (writes record who made them)."""
    regulators = {
        "east_street": (RegionLevel.street, w.streets["east"]),
        "west_street": (RegionLevel.street, w.streets["west"]),
        "district": (RegionLevel.district, w.district),
        "city": (RegionLevel.city, w.city),
        "other_district": (RegionLevel.district, other_district),
    }
    out = {
        name: principal_of(await make_staff(session, Role.regulator, region_level=level, region_id=rid))
        for name, (level, rid) in regulators.items()
    }
    out["admin"] = principal_of(await make_staff(session, Role.admin))
    for name in ("A", "B"):
        account = await make_staff(session, Role.operator_staff, operator_id=w.operators[name])
        out[f"operator_{name}"] = principal_of(account)
    for name in ("A1", "B1"):
        account = await make_staff(session, Role.supplier_staff, supplier_id=w.suppliers[name])
        out[f"supplier_{name}"] = principal_of(account)
    return out


@pytest.fixture
async def arena(session: AsyncSession) -> Arena:
    w = await build_world(session)
    other = District(city_id=w.city, name="外区")
    session.add(other)
    await session.commit()
    account = await make_staff(session, Role.operator_staff, operator_id=w.operators["B"])
    west_resident = await make_resident(session, community_id=w.communities["west"])
    unplaced = await make_resident(session)
    return Arena(
        w=w,
        other_district=other.id,
        b_staff_account=account.id,
        west_beneficiary=(await make_beneficiary(session, west_resident)).id,
        unplaced_beneficiary=(await make_beneficiary(session, unplaced, name="李四")).id,
        callers=await _callers(session, w, other.id),
    )


Request = Callable[[Arena], tuple[str, str, dict[str, Any] | None]]


def new_b_staff(a: Arena) -> tuple[str, str, dict[str, Any]]:
    body = {
        "username": f"b-staff-{uuid.uuid4().hex[:6]}",
        "password": "a-long-enough-password",
        "display_name": "乙运营员工",
        "role": "operator_staff",
        "operator_id": str(a.w.operators["B"]),
    }
    return "POST", "/staff/accounts", body


def patch_west_facility(a: Arena) -> tuple[str, str, dict[str, Any]]:
    return "PATCH", f"/facilities/{a.w.facilities['west']}", {"opening_hours": "每天 07:00-19:00"}


def list_infant_bookings(a: Arena) -> tuple[str, str, None]:
    return "GET", f"/bookings?service_id={a.w.services['infant']}", None


def suspend_infant(a: Arena) -> tuple[str, str, dict[str, Any]]:
    starts = (utcnow().astimezone(SHANGHAI) + timedelta(days=90)).date().isoformat()
    return (
        "POST",
        "/suspensions",
        {
            "service_id": str(a.w.services["infant"]),
            "starts_on": starts,
            "reason": "装修",
            "report": "书面报告",
        },
    )


def suspend_operator_b(a: Arena) -> tuple[str, str, dict[str, Any]]:
    return "PATCH", f"/operators/{a.w.operators['B']}", {"status": "suspended"}


def deactivate_b_staff(a: Arena) -> tuple[str, str, None]:
    return "POST", f"/staff/accounts/{a.b_staff_account}/deactivate", None


def patch_supplier_b1(a: Arena) -> tuple[str, str, dict[str, Any]]:
    return "PATCH", f"/suppliers/{a.w.suppliers['B1']}", {"name": "乙一托育中心"}


def dibao_west(a: Arena) -> tuple[str, str, dict[str, Any]]:
    return "PATCH", f"/staff/beneficiaries/{a.west_beneficiary}/entitlements", {"dibao": True}


def dibao_unplaced(a: Arena) -> tuple[str, str, dict[str, Any]]:
    return "PATCH", f"/staff/beneficiaries/{a.unplaced_beneficiary}/entitlements", {"dibao": True}


# (call, caller, expected status, expected error code or None)
CASES: list[tuple[Request, str, int, str | None]] = [
    # POST /staff/accounts operator_staff for the west street's operator
    (new_b_staff, "east_street", 403, "cannot_manage_account"),
    (new_b_staff, "west_street", 403, "cannot_manage_account"),  # a street office manages no operator
    (new_b_staff, "other_district", 403, "cannot_manage_account"),
    (new_b_staff, "district", 201, None),
    (new_b_staff, "city", 201, None),
    (new_b_staff, "admin", 201, None),
    # PATCH /facilities/{id} in the west street
    (patch_west_facility, "east_street", 403, "out_of_scope"),
    (patch_west_facility, "operator_A", 403, "out_of_scope"),
    (patch_west_facility, "west_street", 200, None),
    (patch_west_facility, "operator_B", 200, None),
    (patch_west_facility, "district", 200, None),
    # GET /bookings?service_id= (residents' names)
    (list_infant_bookings, "operator_A", 404, "service_not_found"),
    (list_infant_bookings, "supplier_A1", 404, "service_not_found"),
    (list_infant_bookings, "east_street", 403, "role_not_allowed"),
    (list_infant_bookings, "operator_B", 200, None),
    (list_infant_bookings, "supplier_B1", 200, None),
    # POST /suspensions of the west street's service
    (suspend_infant, "operator_A", 404, "service_not_found"),
    (suspend_infant, "east_street", 403, "role_not_allowed"),
    (suspend_infant, "operator_B", 201, None),
    # PATCH /operators/{id} status: suspended
    (suspend_operator_b, "east_street", 403, "out_of_scope"),
    (suspend_operator_b, "west_street", 403, "out_of_scope"),  # sees B (it serves the street), changes not
    (suspend_operator_b, "other_district", 403, "out_of_scope"),
    (suspend_operator_b, "district", 200, None),
    (suspend_operator_b, "admin", 200, None),
    # deactivating the operator's staff
    (deactivate_b_staff, "east_street", 404, "staff_account_not_found"),
    (deactivate_b_staff, "west_street", 404, "staff_account_not_found"),
    (deactivate_b_staff, "operator_A", 404, "staff_account_not_found"),
    (deactivate_b_staff, "district", 200, None),
    # PATCH /suppliers/{id} of another street's supplier
    (patch_supplier_b1, "east_street", 403, "out_of_scope"),
    (patch_supplier_b1, "west_street", 403, "out_of_scope"),
    (patch_supplier_b1, "operator_A", 403, "out_of_scope"),
    (patch_supplier_b1, "district", 200, None),
    (patch_supplier_b1, "operator_B", 200, None),
    # setting 低保 on a resident's beneficiary
    (dibao_west, "east_street", 404, "beneficiary_not_found"),
    (dibao_west, "other_district", 404, "beneficiary_not_found"),
    (dibao_west, "west_street", 200, None),
    (dibao_west, "district", 200, None),
    (dibao_west, "city", 200, None),
    (dibao_unplaced, "west_street", 404, "beneficiary_not_found"),  # no community chosen: no street office
    (dibao_unplaced, "district", 200, None),
    (dibao_unplaced, "admin", 200, None),
]


@pytest.mark.parametrize(
    ("call", "caller", "status", "code"),
    CASES,
    ids=[f"{call.__name__}-{caller}-{status}" for call, caller, status, _ in CASES],
)
async def test_scope_hole_call_table(
    client: httpx.AsyncClient, arena: Arena, call: Request, caller: str, status: int, code: str | None
) -> None:
    method, path, body = call(arena)
    extra = {"Idempotency-Key": uuid.uuid4().hex} if method == "POST" else {}
    r = await client.request(method, path, json=body, headers=headers(arena.caller(caller), **extra))
    assert r.status_code == status, r.text
    if code is not None:
        assert r.json()["code"] == code
    if call is suspend_operator_b and status == 200:
        assert r.json()["status"] == "suspended"
    if call is list_infant_bookings and status == 200:
        assert r.json()["items"] == []


async def test_street_regulator_cannot_mint_an_operator_account_and_act_through_it(
    client: httpx.AsyncClient, arena: Arena
) -> None:
    """The chain from the issue: 后湖 street regulator → operator_staff for 二七's operator → sign in → act.
    The first step is refused, so no such account exists to sign in with."""
    _, path, body = new_b_staff(arena)
    east = headers(arena.caller("east_street"))
    r = await client.post(path, json=body, headers=east)
    assert r.status_code == 403
    login = await client.post(
        "/auth/token", data={"username": body["username"], "password": body["password"]}
    )
    assert login.status_code == 401
