"""Staff accounts: password sign-in, throttling, who creates whom, password change, deactivation."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts import staff as staff_service
from backend.core import kv as kv_module
from backend.core.access import RegionLevel, Role
from backend.core.kv import KV, MemoryCache, MemoryLocks, RedisRateLimiter
from backend.core.security import decode_access_token
from backend.core.settings import get_settings
from tests.accounts.factories import PASSWORD, bearer, make_staff, make_world, principal_of


async def token(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD, **kw: object
) -> httpx.Response:
    return await client.post("/auth/token", data={"username": username, "password": password}, **kw)  # type: ignore[arg-type]


async def test_password_login_returns_scoped_tokens(client: httpx.AsyncClient, session: AsyncSession) -> None:
    world = await make_world(session)
    account = await make_staff(
        session, Role.supplier_staff, username="anxin-1", supplier_id=world.supplier.id
    )
    r = await token(client, "Anxin-1")  # usernames are case-insensitive
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] <= 900 and body["refresh_token"]
    claims = decode_access_token(body["access_token"])
    assert claims["sub"] == str(account.id) and claims["role"] == "supplier_staff"
    assert claims["supplier_id"] == str(world.supplier.id) and claims["ver"] == 0
    me = await client.get("/staff/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == "anxin-1"
    assert "password" not in me.text and "hash" not in me.text


async def test_wrong_password_and_unknown_user_look_the_same(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_staff(session, Role.admin, username="root-admin")
    calls: list[str] = []
    real = staff_service._verify

    def counting(password_hash: str, password: str) -> bool:
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(staff_service, "_verify", counting)
    wrong = await token(client, "root-admin", "not-the-password")
    unknown = await token(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["code"] == unknown.json()["code"] == "invalid_credentials"
    assert wrong.json()["title"] == unknown.json()["title"]
    # Both paths ran one full Argon2 verification with the same parameters.
    assert len(calls) == 2 and calls[0].split("$")[:4] == calls[1].split("$")[:4]


async def test_timing_of_unknown_user_matches_wrong_password(session: AsyncSession, app: object) -> None:
    account = await make_staff(session, Role.admin, username="timing-admin")
    await staff_service.verify_password(None, "warm-up")

    async def measure(password_hash: str | None) -> float:
        start = time.perf_counter()
        await staff_service.verify_password(password_hash, "wrong-password")
        return time.perf_counter() - start

    # Interleaved rounds, the fastest of each: a busy machine slows single runs, never the fastest one much.
    known, unknown = [], []
    for _ in range(5):
        known.append(await measure(account.password_hash))
        unknown.append(await measure(None))
    assert 0.5 < min(unknown) / min(known) < 2.0


async def test_repeated_failures_per_account_are_throttled(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_staff(session, Role.admin, username="target-admin")
    limit = get_settings().login_max_failures_per_account
    for _ in range(limit):
        assert (await token(client, "target-admin", "wrong-password")).status_code == 401
    r = await token(client, "target-admin")  # even the right password waits now
    assert r.status_code == 429 and r.json()["code"] == "login_throttled"
    assert int(r.headers["retry-after"]) > 0
    r = await token(client, "target-admin", headers={"Accept-Language": "en"})
    assert r.json()["title"] == "Too many failed sign-ins, try again later"


async def test_repeated_failures_per_ip_are_throttled(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_staff(session, Role.admin, username="other-admin")
    limit = get_settings().login_max_failures_per_ip
    for i in range(limit):
        await token(client, f"guess-{i}", "wrong-password")
    r = await token(client, "other-admin")
    assert r.status_code == 429


async def test_success_resets_the_account_counter(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await make_staff(session, Role.admin, username="forgetful")
    limit = get_settings().login_max_failures_per_account
    for _ in range(limit - 1):
        await token(client, "forgetful", "wrong-password")
    assert (await token(client, "forgetful")).status_code == 200
    for _ in range(limit - 1):
        await token(client, "forgetful", "wrong-password")
    assert (await token(client, "forgetful")).status_code == 200


async def test_limiter_fails_closed_without_redis(client: httpx.AsyncClient, session: AsyncSession) -> None:
    """Production's limiter (fail_closed) with Redis unreachable refuses sign-ins instead of allowing them."""
    from redis.asyncio import Redis

    await make_staff(session, Role.admin, username="closed-admin")
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2, socket_timeout=0.2)
    previous = kv_module.get_kv()
    kv_module.set_kv(
        KV(
            cache=MemoryCache(),
            limiter=RedisRateLimiter(dead, "test:", fail_closed=True),
            locks=MemoryLocks(),
        )
    )
    try:
        r = await token(client, "closed-admin")
        assert r.status_code == 429
    finally:
        kv_module.set_kv(previous)
        await dead.aclose()


async def test_bad_form_input(client: httpx.AsyncClient) -> None:
    r = await client.post("/auth/token", data={"username": "x"})
    assert r.status_code == 422
    r = await client.post("/auth/token", json={"username": "x", "password": "y"})
    assert r.status_code == 422
    r = await token(client, "x" * 500, "y" * 500)
    assert r.status_code == 401


# ---------------------------------------------------------------- who creates whom


def _new(role: str, **scope: object) -> dict[str, object]:
    return {
        "username": f"new-{role.replace('_', '-')}",
        "password": "a-good-password-1",
        "display_name": "新账号",
        "role": role,
        **{k: str(v) for k, v in scope.items()},
    }


async def test_hierarchy_of_account_creation(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await make_world(session)
    admin = principal_of(await make_staff(session, Role.admin))
    district_reg = principal_of(
        await make_staff(session, Role.regulator, region_level=RegionLevel.district, region_id=w.district.id)
    )
    operator = principal_of(await make_staff(session, Role.operator_staff, operator_id=w.operator.id))
    supplier = principal_of(await make_staff(session, Role.supplier_staff, supplier_id=w.supplier.id))

    # Regulators create operator staff in their region, not elsewhere, and nothing else.
    r = await client.post(
        "/staff/accounts",
        json=_new("operator_staff", operator_id=w.operator.id),
        headers=bearer(district_reg),
    )
    assert r.status_code == 201, r.text
    assert r.json()["operator_id"] == str(w.operator.id) and "password" not in r.text
    r = await client.post(
        "/staff/accounts",
        json=_new("operator_staff", operator_id=w.other_operator.id),
        headers=bearer(district_reg),
    )
    assert r.status_code == 403 and r.json()["code"] == "cannot_manage_account"
    r = await client.post("/staff/accounts", json=_new("admin"), headers=bearer(district_reg))
    assert r.status_code == 403

    # Operator staff create supplier staff of their own suppliers only.
    r = await client.post(
        "/staff/accounts", json=_new("supplier_staff", supplier_id=w.supplier.id), headers=bearer(operator)
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        "/staff/accounts",
        json=_new("supplier_staff", supplier_id=w.other_supplier.id),
        headers=bearer(operator),
    )
    assert r.status_code == 403
    r = await client.post(
        "/staff/accounts", json=_new("operator_staff", operator_id=w.operator.id), headers=bearer(operator)
    )
    assert r.status_code == 403

    # Supplier staff create nobody.
    r = await client.post(
        "/staff/accounts", json=_new("supplier_staff", supplier_id=w.supplier.id), headers=bearer(supplier)
    )
    assert r.status_code == 403 and r.json()["code"] == "role_not_allowed"

    # Admins create anyone, regulators included; usernames are unique.
    r = await client.post(
        "/staff/accounts",
        json=_new("regulator", region_level="street", region_id=w.street.id),
        headers=bearer(admin),
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        "/staff/accounts",
        json=_new("regulator", region_level="street", region_id=w.street.id),
        headers=bearer(admin),
    )
    assert r.status_code == 409 and r.json()["code"] == "username_taken"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (_new("supplier_staff"), "invalid_scope"),  # no supplier
        (_new("admin", operator_id="00000000-0000-0000-0000-000000000001"), "invalid_scope"),
        (_new("regulator", region_level="district"), "invalid_scope"),
        (_new("operator_staff", operator_id="00000000-0000-0000-0000-000000000001"), "scope_not_found"),
        ({**_new("admin"), "password": "short"}, "weak_password"),
        ({**_new("admin"), "password": "new-admin"}, "weak_password"),
        ({**_new("admin"), "username": "有空格 的名字"}, "validation_error"),
        ({**_new("admin"), "active": False}, "validation_error"),
        ({**_new("admin"), "token_version": 5}, "validation_error"),
        ({**_new("admin"), "role": "superuser"}, "validation_error"),
        ({**_new("admin"), "role": "resident"}, "validation_error"),
    ],
)
async def test_bad_account_bodies(
    client: httpx.AsyncClient, session: AsyncSession, body: dict[str, object], code: str
) -> None:
    admin = principal_of(await make_staff(session, Role.admin))
    r = await client.post("/staff/accounts", json=body, headers=bearer(admin))
    assert r.status_code == 422 and r.json()["code"] == code, r.text


async def test_listing_and_reading_accounts_is_scoped(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    w = await make_world(session)
    mine = await make_staff(session, Role.supplier_staff, supplier_id=w.supplier.id)
    theirs = await make_staff(session, Role.supplier_staff, supplier_id=w.other_supplier.id)
    colleague = await make_staff(session, Role.operator_staff, operator_id=w.operator.id)
    far_operator = await make_staff(session, Role.operator_staff, operator_id=w.other_operator.id)
    operator = principal_of(colleague)
    ids = {a["id"] for a in (await client.get("/staff/accounts", headers=bearer(operator))).json()["items"]}
    assert ids == {str(mine.id), str(colleague.id)}
    assert (await client.get(f"/staff/accounts/{theirs.id}", headers=bearer(operator))).status_code == 404
    assert (await client.get(f"/staff/accounts/{mine.id}", headers=bearer(operator))).status_code == 200

    reg = principal_of(
        await make_staff(session, Role.regulator, region_level=RegionLevel.district, region_id=w.district.id)
    )
    ids = {a["id"] for a in (await client.get("/staff/accounts", headers=bearer(reg))).json()["items"]}
    assert ids == {str(colleague.id)}
    assert (await client.get(f"/staff/accounts/{far_operator.id}", headers=bearer(reg))).status_code == 404

    admin = principal_of(await make_staff(session, Role.admin))
    page = (await client.get("/staff/accounts?limit=2", headers=bearer(admin))).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = (
        await client.get(f"/staff/accounts?limit=50&cursor={page['next_cursor']}", headers=bearer(admin))
    ).json()
    assert len(page["items"]) + len(rest["items"]) == 6


# ---------------------------------------------------------------- password change and deactivation


async def test_password_change(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await make_staff(session, Role.admin, username="changer")
    old = (await token(client, "changer")).json()
    h = {"Authorization": f"Bearer {old['access_token']}"}
    r = await client.post(
        "/staff/me/password", json={"current_password": "wrong", "new_password": "x" * 12}, headers=h
    )
    assert r.status_code == 422 and r.json()["code"] == "wrong_password"
    r = await client.post(
        "/staff/me/password", json={"current_password": PASSWORD, "new_password": "short"}, headers=h
    )
    assert r.status_code == 422 and r.json()["code"] == "weak_password"
    r = await client.post(
        "/staff/me/password",
        json={"current_password": PASSWORD, "new_password": "a-brand-new-secret"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    fresh = r.json()
    assert (await client.get("/staff/me", headers=h)).status_code == 401  # the old access token stopped
    assert (
        await client.post("/auth/refresh", json={"refresh_token": old["refresh_token"]})
    ).status_code == 401
    assert (
        await client.get("/staff/me", headers={"Authorization": f"Bearer {fresh['access_token']}"})
    ).is_success
    assert (await token(client, "changer")).status_code == 401
    assert (await token(client, "changer", "a-brand-new-secret")).status_code == 200


async def test_deactivation_stops_login_refresh_and_access(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    w = await make_world(session)
    await make_staff(session, Role.supplier_staff, username="leaver", supplier_id=w.supplier.id)
    operator = principal_of(await make_staff(session, Role.operator_staff, operator_id=w.operator.id))
    pair = (await token(client, "leaver")).json()
    h = {"Authorization": f"Bearer {pair['access_token']}"}
    assert (await client.get("/staff/me", headers=h)).status_code == 200  # state now cached as active
    account_id = (await client.get("/staff/me", headers=h)).json()["id"]

    r = await client.post(f"/staff/accounts/{account_id}/deactivate", headers=bearer(operator))
    assert r.status_code == 200 and r.json()["active"] is False
    assert (await client.get("/staff/me", headers=h)).status_code == 401
    assert (
        await client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    ).status_code == 401
    r = await token(client, "leaver")
    assert r.status_code == 403 and r.json()["code"] == "account_disabled"
    assert (
        await token(client, "leaver", "wrong-password")
    ).status_code == 401  # no hint without the password

    r = await client.post(f"/staff/accounts/{account_id}/activate", headers=bearer(operator))
    assert r.status_code == 200 and r.json()["active"] is True
    assert (await token(client, "leaver")).status_code == 200


async def test_cannot_deactivate_self_or_strangers(client: httpx.AsyncClient, session: AsyncSession) -> None:
    w = await make_world(session)
    admin_account = await make_staff(session, Role.admin)
    stranger = await make_staff(session, Role.supplier_staff, supplier_id=w.other_supplier.id)
    operator = principal_of(await make_staff(session, Role.operator_staff, operator_id=w.operator.id))
    r = await client.post(
        f"/staff/accounts/{admin_account.id}/deactivate", headers=bearer(principal_of(admin_account))
    )
    assert r.status_code == 409 and r.json()["code"] == "cannot_deactivate_self"
    r = await client.post(f"/staff/accounts/{stranger.id}/deactivate", headers=bearer(operator))
    assert r.status_code == 404
    await session.refresh(stranger)
    assert stranger.active is True


async def test_unknown_scope_ids_cannot_be_probed(client: httpx.AsyncClient, session: AsyncSession) -> None:
    """Permission is checked before existence: an operator asking about a random supplier gets 403."""
    w = await make_world(session)
    operator = principal_of(await make_staff(session, Role.operator_staff, operator_id=w.operator.id))
    body = _new("supplier_staff", supplier_id="00000000-0000-0000-0000-000000000009")
    r = await client.post("/staff/accounts", json=body, headers=bearer(operator))
    assert r.status_code == 403, r.text
