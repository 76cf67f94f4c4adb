# ruff: noqa: E501, ASYNC221  (a benchmark script: long literal rows, one blocking migration step)
"""Benchmark: the operator dashboard over a year of data for an operator with 10 facilities (PostgreSQL).

    .venv/bin/python loadtests/dashboard_bench.py [--bookings-per-slot 8] [--runs 20]

Creates a throwaway database, migrates it, loads a synthetic year (10 facilities x 3 services x 365 daily
slots, bookings in every status, reviews of a quarter of the completed bookings with a rectification per bad
one), then times `GET /operators/{id}/dashboard` (or, with `--region`, the street's
`GET /regions/street/{id}/dashboard`) for the whole year through the app (ASGI, in-process: the
time is the app's and the database's, not the network's) and prints p50/p95/max. The database is dropped
afterwards. Figures are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADMIN_DSN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DB = f"bench_dash_{uuid.uuid4().hex[:8]}"
URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DB}"
os.environ.update(
    {"APP_ENV": "test", "DATABASE_URL": URL, "LOG_LEVEL": "WARNING", "REDIS_KEY_PREFIX": f"{DB}:"}
)
os.environ.pop("REDIS_URL", None)
sys.path.insert(0, str(ROOT))

FUNCTIONS = ("elder_care", "meal_aid", "housekeeping")
STATUSES = ["completed"] * 6 + ["cancelled", "no_show"]


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _rows(n: int, make):  # type: ignore[no-untyped-def]
    return [make(i) for i in range(n)]


async def load(bookings_per_slot: int) -> tuple[uuid.UUID, uuid.UUID]:
    import sqlalchemy as sa

    import backend.models  # noqa: F401
    from backend.accounts.models import Beneficiary, Resident
    from backend.bookings.models import Booking, Slot
    from backend.catalogue.models import (
        City,
        Community,
        District,
        Facility,
        Operator,
        Service,
        Street,
        Supplier,
    )
    from backend.core.database import db
    from backend.core.settings import get_settings
    from backend.reviews.models import Rectification, Review

    db.configure(get_settings())
    rnd = random.Random(7)
    now = datetime.now(UTC).replace(microsecond=0)
    first_day = (now - timedelta(days=365)).date()
    ids = {k: uuid.uuid4() for k in ("city", "district", "street", "community", "operator")}
    async with db.engine.begin() as conn:

        async def put(model, rows):  # type: ignore[no-untyped-def]
            for i in range(0, len(rows), 5000):
                await conn.execute(sa.insert(model.__table__), rows[i : i + 5000])

        await put(City, [{"id": ids["city"], "name": "基准市"}])
        await put(District, [{"id": ids["district"], "city_id": ids["city"], "name": "基准区"}])
        await put(Street, [{"id": ids["street"], "district_id": ids["district"], "name": "基准街道"}])
        await put(Community, [{"id": ids["community"], "street_id": ids["street"], "name": "基准社区"}])
        await put(Operator, [{
            "id": ids["operator"], "district_id": ids["district"], "name": "基准运营", "credit_code": "91BENCH0001",
            "operating_model": "public_built_private_run", "started_on": date(2024, 1, 1),
        }])  # fmt: skip
        facilities = [uuid.uuid4() for _ in range(10)]
        suppliers = [uuid.uuid4() for _ in range(10)]
        await put(Facility, [{
            "id": f, "community_id": ids["community"], "operator_id": ids["operator"], "name": f"设施{i}",
            "address": "基准路", "lat": 30.5, "lng": 114.3, "opening_hours": "08:00-18:00", "rooms": [],
        } for i, f in enumerate(facilities)])  # fmt: skip
        await put(Supplier, [
            {"id": s, "operator_id": ids["operator"], "name": f"服务商{i}", "credit_code": f"91BENCHS{i:04d}"}
            for i, s in enumerate(suppliers)
        ])  # fmt: skip
        services = []
        for f, s in zip(facilities, suppliers, strict=True):
            for fn in FUNCTIONS:
                services.append({
                    "id": uuid.uuid4(), "facility_id": f, "supplier_id": s, "function": fn, "name": fn,
                    "service_class": "inclusive", "booking_mode": "per_meal" if fn == "meal_aid" else "session",
                })  # fmt: skip
        await put(Service, services)
        residents = [uuid.uuid4() for _ in range(1000)]
        beneficiaries = [uuid.uuid4() for _ in residents]
        await put(Resident, [{"id": r, "openid": f"bench-{r.hex}", "nickname": "居民"} for r in residents])
        await put(Beneficiary, [
            {"id": b, "resident_id": r, "name": "老人", "relation": "parent", "birth_date": date(1950, 1, 1)}
            for r, b in zip(residents, beneficiaries, strict=True)
        ])  # fmt: skip
        slots, bookings, reviews, rects = [], [], [], []
        for svc in services:
            for d in range(365):
                start = datetime.combine(first_day + timedelta(days=d), datetime.min.time(), UTC) + timedelta(
                    hours=2
                )
                slot_id = uuid.uuid4()
                slots.append({
                    "id": slot_id, "service_id": svc["id"], "start_at": start,
                    "end_at": start + timedelta(hours=1), "capacity": bookings_per_slot + 2,
                })  # fmt: skip
                for k in rnd.sample(range(len(residents)), bookings_per_slot):
                    status = rnd.choice(STATUSES)
                    booking_id = uuid.uuid4()
                    bookings.append({
                        "id": booking_id, "slot_id": slot_id, "service_id": svc["id"], "resident_id": residents[k],
                        "beneficiary_id": beneficiaries[k], "start_at": start, "status": status, "total_fen": 1000,
                        "subsidy_fen": 300, "discount_fen": 0, "community_fen": 0, "payable_fen": 700,
                        "status_changed_at": start,
                    })  # fmt: skip
                    if status == "completed" and rnd.random() < 0.25:
                        level = rnd.choices([5, 4, 3, 2, 1], weights=[50, 25, 10, 8, 7])[0]
                        review_id = uuid.uuid4()
                        at = start + timedelta(hours=3)
                        reviews.append({
                            "id": review_id, "booking_id": booking_id, "resident_id": residents[k],
                            "service_id": svc["id"], "facility_id": svc["facility_id"],
                            "supplier_id": svc["supplier_id"], "operator_id": ids["operator"],
                            "function": svc["function"], "level": level, "tags": [], "created_at": at,
                            "updated_at": at,
                        })  # fmt: skip
                        if level <= 2:
                            rects.append({
                                "id": uuid.uuid4(), "review_id": review_id, "resident_id": residents[k],
                                "service_id": svc["id"], "facility_id": svc["facility_id"],
                                "supplier_id": svc["supplier_id"], "operator_id": ids["operator"],
                                "status": "closed", "call_back_due_at": at + timedelta(days=1),
                                "fix_due_at": at + timedelta(days=21), "called_back_at": at + timedelta(hours=5),
                                "fixed_at": at + timedelta(days=5), "verdict": "satisfied", "created_at": at,
                                "updated_at": at,
                            })  # fmt: skip
        await put(Slot, slots)
        await put(Booking, bookings)
        await put(Review, reviews)
        await put(Rectification, rects)
        await conn.execute(sa.text("ANALYZE"))
    print(
        f"loaded: {len(slots)} slots, {len(bookings)} bookings, {len(reviews)} reviews, {len(rects)} rectifications"
    )
    await db.dispose()
    return ids["operator"], ids["street"]


def _record_statements(engine, log: list[tuple[float, str]]) -> None:  # type: ignore[no-untyped-def]
    """Time each statement the app sends (SQLAlchemy cursor events), for `--statements`."""
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        log.append((time.perf_counter() - conn.info["bench_started"].pop(), " ".join(statement.split())))


async def measure(
    operator_id: uuid.UUID, runs: int, statements: bool = False, street_id: uuid.UUID | None = None
) -> list[float]:
    import httpx

    from backend.core.access import Principal, RegionLevel, Role
    from backend.core.database import db
    from backend.core.security import create_access_token
    from backend.main import create_app

    app = create_app(start_scheduler=False)
    principal = Principal(uuid.uuid4(), Role.operator_staff, operator_id=operator_id)
    path = f"/operators/{operator_id}/dashboard"
    if street_id is not None:  # --region: the street office's view of the same year
        principal = Principal(
            uuid.uuid4(), Role.regulator, region_level=RegionLevel.street, region_id=street_id
        )
        path = f"/regions/street/{street_id}/dashboard"
    token, _ = create_access_token(uuid.uuid4(), principal.claims())
    today = datetime.now(UTC).date()
    params = {"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()}
    timings = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench/api/v1") as client:
            for i in range(runs + 2):
                started = time.perf_counter()
                r = await client.get(
                    path,
                    params=params,
                    headers={"Authorization": f"Bearer {token}"},
                )
                elapsed = time.perf_counter() - started
                assert r.status_code == 200, r.text
                if i >= 2:  # the first two warm the pool and the statement caches
                    timings.append(elapsed)
            body = r.json()
            if statements:
                log: list[tuple[float, str]] = []
                _record_statements(db.engine.sync_engine, log)
                started = time.perf_counter()
                await client.get(
                    path,
                    params=params,
                    headers={"Authorization": f"Bearer {token}"},
                )
                total = time.perf_counter() - started
                print(
                    f"one request: {total * 1000:.0f} ms, {len(log)} statements, {sum(t for t, _ in log) * 1000:.0f} ms in SQL"
                )
                for took, sql in sorted(log, reverse=True)[:8]:
                    print(f"  {took * 1000:6.1f} ms  {sql[:150]}")
    print(
        f"dashboard: {body['usage']['total']['bookings']} bookings, {body['satisfaction']['total']['count']} reviews"
        f" in the window"
    )
    return timings


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings-per-slot", type=int, default=8)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--statements", action="store_true", help="then time each statement of one request")
    parser.add_argument("--region", action="store_true", help="time the street's region dashboard instead")
    args = parser.parse_args()
    await _admin(f'CREATE DATABASE "{DB}"')
    try:
        subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, check=True, env=os.environ
        )
        started = time.perf_counter()
        operator_id, street_id = await load(args.bookings_per_slot)
        print(f"load took {time.perf_counter() - started:.1f} s")
        timings = await measure(operator_id, args.runs, args.statements, street_id if args.region else None)
        p95 = sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
        print(
            f"GET {'/regions/street/{id}' if args.region else '/operators/{id}'}/dashboard (a year, 10 facilities): p50 {statistics.median(timings) * 1000:.0f} ms,"
            f" p95 {p95 * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms over {len(timings)} runs"
        )
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
