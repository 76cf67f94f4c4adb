# ruff: noqa: E501  (a benchmark script: long SQL literals built from constants)
"""Benchmark: grade a synthetic city (200 operators, 2,000 facilities, 1,000,000 reviews) on PostgreSQL, beside
one raw aggregate over the same rows, in the same run.

    .venv/bin/python loadtests/grading_bench.py [--operators 200] [--reviews 1000000] [--runs 3]

Creates a throwaway database, migrates it, bulk-loads the city with INSERT ... SELECT generate_series (foreign
key triggers off for the load: reviews point at random booking and resident ids, which grading never reads),
ANALYZEs, then times (best and median of `--runs`, each round raw then grading, and the median of the rounds'
ratios; the load average is printed, the machine being shared):
- raw: `SELECT operator_id, count(*), avg(level) FROM review GROUP BY operator_id`;
- grading: `grade_operators` for every operator (gather through the domains' public reads, compute, store
  the results), without publishing.
The database is dropped afterwards. Figures are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADMIN_DSN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DB = f"bench_grading_{uuid.uuid4().hex[:8]}"
URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DB}"
os.environ.update(
    {"APP_ENV": "test", "DATABASE_URL": URL, "LOG_LEVEL": "WARNING", "REDIS_KEY_PREFIX": f"{DB}:"}
)
os.environ.pop("REDIS_URL", None)
sys.path.insert(0, str(ROOT))

FACILITIES_PER_OPERATOR = 10
SERVICES_PER_FACILITY = 2


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


LOAD = """
SET session_replication_role = replica;
INSERT INTO city (id, created_at, updated_at, name) VALUES ('00000000-0000-0000-0000-00000000c001', now(), now(), '基准市');
INSERT INTO district (id, created_at, updated_at, city_id, name) VALUES
  ('00000000-0000-0000-0000-00000000d001', now(), now(), '00000000-0000-0000-0000-00000000c001', '基准区');
INSERT INTO street (id, created_at, updated_at, district_id, name) VALUES
  ('00000000-0000-0000-0000-00000000e001', now(), now(), '00000000-0000-0000-0000-00000000d001', '基准街道');
INSERT INTO community (id, created_at, updated_at, street_id, name) VALUES
  ('00000000-0000-0000-0000-00000000f001', now(), now(), '00000000-0000-0000-0000-00000000e001', '基准社区');
CREATE TEMP TABLE b_op AS SELECT g AS n, gen_random_uuid() AS id FROM generate_series(1, {operators}) g;
INSERT INTO operator (id, created_at, updated_at, district_id, name, credit_code, operating_model, status, started_on)
  SELECT id, now(), now(), '00000000-0000-0000-0000-00000000d001', '运营商' || n, 'BENCH' || lpad(n::text, 13, '0'),
         'public_built_private_run', 'active', date '2022-01-01' FROM b_op;
CREATE TEMP TABLE b_sup AS SELECT n, id AS operator_id, gen_random_uuid() AS id FROM b_op;
INSERT INTO supplier (id, created_at, updated_at, operator_id, name, credit_code, status)
  SELECT id, now(), now(), operator_id, '服务商' || n, 'BENCHS' || lpad(n::text, 12, '0'), 'active' FROM b_sup;
CREATE TEMP TABLE b_fac AS
  SELECT o.id AS operator_id, s.id AS supplier_id, gen_random_uuid() AS id, row_number() OVER () AS n
  FROM b_op o JOIN b_sup s ON s.operator_id = o.id, generate_series(1, {fpo});
INSERT INTO facility (id, created_at, updated_at, community_id, operator_id, name, address, lat, lng, opening_hours, rooms, status)
  SELECT id, now(), now(), '00000000-0000-0000-0000-00000000f001', operator_id, '设施' || n, '基准路', 30.5, 114.3,
         '08:00-18:00', '[{{"function": "elder_care", "floor": 1, "area_m2": 400, "places": 10}}]', 'active' FROM b_fac;
INSERT INTO facility_function (id, created_at, updated_at, facility_id, function)
  SELECT gen_random_uuid(), now(), now(), f.id, fn FROM b_fac f, unnest(ARRAY['elder_care', 'meal_aid', 'culture']) fn;
CREATE TEMP TABLE b_svc AS
  SELECT f.id AS facility_id, f.supplier_id, f.operator_id, gen_random_uuid() AS id,
         (ARRAY['elder_care', 'meal_aid'])[k] AS function, row_number() OVER () - 1 AS n
  FROM b_fac f, generate_series(1, {spf}) k;
INSERT INTO service (id, created_at, updated_at, facility_id, supplier_id, function, service_class, booking_mode, name,
                     description, price_unit, status, disclosure_updated_at, requires_address, cancel_cutoff_minutes)
  SELECT id, now(), now(), facility_id, supplier_id, function, 'inclusive', 'session', function, '', '次', 'active',
         now(), false, 60
  FROM b_svc;
INSERT INTO review (id, created_at, updated_at, booking_id, resident_id, service_id, facility_id, supplier_id,
                    operator_id, function, level, tags, status, text_check, counted, flag_status)
  SELECT gen_random_uuid(), t, t, gen_random_uuid(), gen_random_uuid(), s.id, s.facility_id, s.supplier_id,
         s.operator_id, s.function,
         CASE WHEN r < 0.5 THEN 5 WHEN r < 0.75 THEN 4 WHEN r < 0.85 THEN 3 WHEN r < 0.93 THEN 2 ELSE 1 END,
         '[]', 'published', 'none', (g % 500) <> 0, 'none'
  FROM (SELECT g, random() AS r, now() - random() * interval '400 days' AS t FROM generate_series(1, {reviews}) g) x
  JOIN b_svc s ON s.n = x.g % (SELECT count(*) FROM b_svc);
UPDATE review SET excluded_reason = '申诉成立：基准' WHERE NOT counted;
INSERT INTO review_appeal (id, created_at, updated_at, review_id, facility_id, supplier_id, reason, text, status, created_by)
  SELECT gen_random_uuid(), created_at, created_at, id, facility_id, supplier_id, 'not_our_service', '基准申诉', 'upheld',
         supplier_id
  FROM review WHERE NOT counted;
SET session_replication_role = DEFAULT;
ANALYZE;
"""

RAW = "SELECT operator_id, count(*), avg(level) FROM review GROUP BY operator_id"


async def load(operators: int, reviews: int) -> None:
    import asyncpg

    conn = await asyncpg.connect(URL.replace("+asyncpg", ""))
    try:
        started = time.perf_counter()
        await conn.execute(LOAD.format(operators=operators, fpo=FACILITIES_PER_OPERATOR, spf=SERVICES_PER_FACILITY,
                                       reviews=reviews))  # fmt: skip
        counts = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM operator) o, (SELECT count(*) FROM facility) f, (SELECT count(*) FROM review) r"
        )
        print(f"loaded {counts['o']} operators, {counts['f']} facilities, {counts['r']} reviews "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    finally:
        await conn.close()


async def measure(runs: int) -> tuple[list[float], list[float], int]:
    import sqlalchemy as sa

    import backend.models  # noqa: F401
    from backend.core.database import db
    from backend.core.heap import freeze_startup_heap
    from backend.core.settings import get_settings
    from backend.grading.models import RunKind
    from backend.grading.service import grade_operators

    db.configure(get_settings())
    freeze_startup_heap()  # as the scheduler process that runs the monthly grading does at start-up
    raw, grading, graded = [], [], 0
    try:
        for _ in range(runs + 1):  # the first round warms caches
            async with db.sessionmaker() as session:
                started = time.perf_counter()
                rows = (await session.execute(sa.text(RAW))).all()
                raw.append(time.perf_counter() - started)
            async with db.sessionmaker() as session, session.begin():
                started = time.perf_counter()
                _, results = await grade_operators(session, kind=RunKind.on_demand, publish=False)
                await session.flush()
                grading.append(time.perf_counter() - started)
                graded = len(results)
            assert len(rows) == graded, (len(rows), graded)
    finally:
        await db.dispose()
    return raw[1:], grading[1:], graded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--operators", type=int, default=200)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    started_load = os.getloadavg()[0]
    asyncio.run(_admin(f'CREATE DATABASE "{DB}"'))
    try:
        subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        asyncio.run(load(args.operators, args.reviews))
        raw, grading, graded = asyncio.run(measure(args.runs))
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)'))
    r_best, g_best = min(raw), min(grading)
    ratios = [g / r for g, r in zip(grading, raw, strict=True)]
    print(f"raw GROUP BY      : best {r_best * 1000:.0f} ms, median {statistics.median(raw) * 1000:.0f} ms")
    print(
        f"grading ({graded} ops): best {g_best * 1000:.0f} ms, median {statistics.median(grading) * 1000:.0f} ms"
    )
    print(f"ratio (best)      : {g_best / r_best:.2f}x; per round (median): {statistics.median(ratios):.2f}x")
    print(f"load average      : {started_load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
