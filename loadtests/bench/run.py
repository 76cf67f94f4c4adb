# ruff: noqa: S603, S607, E501  (a benchmark: starts uvicorn and wrk; long Lua and SQL literals)
"""`make bench`: the project beside a bare FastAPI + asyncpg reference, same machine, same load, alternating.

    .venv/bin/python loadtests/bench/run.py [--rounds 2] [--seconds 10] [--connections 32] [--no-hot]

What it does (see loadtests/README.md):
1. Creates a throwaway PostgreSQL database, migrates it, loads the demo city, and seeds a bench city:
   200 residents (each with a beneficiary) x 200 slots of one demo service (capacity 200, so every
   (beneficiary, slot) pair books once), one hot slot of capacity 50 with 1,000 more residents, access tokens
   issued up front; the reference's tables (`ref_slot` with the same slot ids) beside them.
2. Starts the project (uvicorn, 2 workers, PostgreSQL + Redis under a fresh key prefix) and the reference
   (`loadtests/bench/reference.py`, uvicorn, 2 workers) on other ports, with the same pool size per worker.
3. For each scenario, runs `wrk -t1 -c32 -d10s` against the reference then the project (the order flips in
   the second round), and prints req/s, p50/p99, non-2xx and the ratio, with the load average beside it, then
   a markdown table ready to paste into docs/performance.md.
4. The hot slot: 1,000 connections opened first, then 1,000 bookings sent at once on the capacity-50 slot
   (distinct residents): exactly 50 must be 201 and 950 must be 409; p50/p99 and the total time.
The database and the Redis keys of the run are dropped at the end. Skips (exit 0, saying why) when wrk,
PostgreSQL or Redis is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ADMIN_DSN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG = ADMIN_DSN.rsplit("/", 1)[0]
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
DB = f"bench_{uuid.uuid4().hex[:8]}"
API = "/api/v1"
RESIDENTS = 200
SLOTS = 200
HOT_RESIDENTS = 1000
HOT_CAPACITY = 50
POOL_PER_WORKER = int(os.environ.get("BENCH_POOL", "16"))
PY = (
    str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
)

PROJECT_ENV = {
    "APP_ENV": "dev",  # the WeChat stand-in answers `dev-*` login codes
    "DATABASE_URL": f"postgresql+asyncpg://{PG.split('://', 1)[1]}/{DB}",
    "REDIS_URL": REDIS_URL,
    "REDIS_KEY_PREFIX": f"{DB}:",
    "SCHEDULER_IN_PROCESS": "false",
    "LOG_LEVEL": "WARNING",
    # A fixed pool like the reference's: overflow connections are closed when returned, so a pool smaller than
    # the concurrency keeps opening and closing connections under load (see docs/performance.md).
    "DB_POOL_SIZE": str(POOL_PER_WORKER),
    "DB_MAX_OVERFLOW": "0",
}
os.environ.update(PROJECT_ENV)
sys.path.insert(0, str(ROOT))


# ---------------------------------------------------------------- prerequisites and the database


def missing_prerequisite() -> str | None:
    if shutil.which("wrk") is None:
        return "wrk is not installed (Debian: apt-get install wrk)"

    async def probe() -> str | None:
        import asyncpg
        import redis.asyncio as redis

        try:
            conn = await asyncpg.connect(ADMIN_DSN, timeout=3)
            await conn.close()
        except Exception as exc:
            return f"PostgreSQL does not answer at {ADMIN_DSN} ({exc.__class__.__name__})"
        client = redis.from_url(REDIS_URL, socket_connect_timeout=2)
        try:
            await client.ping()
        except Exception as exc:
            return f"Redis does not answer at {REDIS_URL} ({exc.__class__.__name__})"
        finally:
            await client.aclose()
        return None

    return asyncio.run(probe())


async def admin(sql: str, dsn: str = ADMIN_DSN) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@dataclass
class City:
    service_id: str
    slot_ids: list[str]
    hot_slot_id: str
    residents: list[tuple[str, str, str]]  # (resident id, beneficiary id, access token)
    hot_residents: list[tuple[str, str, str]]
    days: tuple[date, date]


async def seed() -> City:
    """The bench city on top of the demo city: residents with a beneficiary each, slots, tokens."""
    import sqlalchemy as sa

    from backend.accounts.models import Beneficiary, Resident
    from backend.bookings.models import Slot
    from backend.core.clock import SHANGHAI, utcnow
    from backend.core.database import db
    from backend.core.security import create_access_token

    now = utcnow()
    async with db.sessionmaker() as session, session.begin():
        service_id = (
            await session.execute(
                sa.text(
                    "SELECT s.id FROM service s JOIN facility f ON f.id = s.facility_id "
                    "WHERE s.status = 'active' AND f.status = 'active' AND s.function = 'elder_care' "
                    "AND s.booking_mode IN ('full_day', 'half_day', 'session') ORDER BY s.name, s.id LIMIT 1"
                )
            )
        ).scalar_one()
        people: list[tuple[str, str, str]] = []
        residents, beneficiaries = [], []
        for i in range(RESIDENTS + HOT_RESIDENTS):
            rid, bid = uuid.uuid4(), uuid.uuid4()
            residents.append({"id": rid, "openid": f"bench-{DB}-{i}", "status": "active", "created_at": now,
                              "updated_at": now})  # fmt: skip
            beneficiaries.append({"id": bid, "resident_id": rid, "name": "王奶奶", "relation": "parent",
                                  "birth_date": date(1948, 6, 1), "dibao": i % 3 == 0, "disability": False,
                                  "created_at": now, "updated_at": now})  # fmt: skip
            token, _ = create_access_token(rid, {"role": "resident"})
            people.append((str(rid), str(bid), token))
        await session.execute(sa.insert(Resident.__table__), residents)  # type: ignore[attr-defined]
        await session.execute(sa.insert(Beneficiary.__table__), beneficiaries)  # type: ignore[attr-defined]
        # 10 slots a day from the day after tomorrow, at :07 past the hour (clear of the demo's schedules).
        first = now.astimezone(SHANGHAI).date() + timedelta(days=2)
        slots = []
        for n in range(SLOTS + 1):
            day = first + timedelta(days=n // 10)
            start = datetime(day.year, day.month, day.day, 8 + n % 10, 7, tzinfo=SHANGHAI).astimezone(UTC)
            slots.append({"id": uuid.uuid4(), "service_id": service_id, "start_at": start,
                          "end_at": start + timedelta(minutes=45), "capacity": HOT_CAPACITY if n == SLOTS else RESIDENTS,
                          "booked": 0, "status": "open", "created_at": now, "updated_at": now})  # fmt: skip
        await session.execute(sa.insert(Slot.__table__), slots)  # type: ignore[attr-defined]
        for ddl in filter(str.strip, SCHEMA_REF.split(";")):
            await session.execute(sa.text(ddl))
        await session.execute(
            sa.text("INSERT INTO ref_slot (id, capacity) VALUES (:id, :capacity)"),
            [
                {"id": s["id"], "capacity": HOT_CAPACITY if i == SLOTS else 1_000_000}
                for i, s in enumerate(slots)
            ],
        )
    await db.dispose()
    return City(
        service_id=str(service_id),
        slot_ids=[str(s["id"]) for s in slots[:SLOTS]],
        hot_slot_id=str(slots[SLOTS]["id"]),
        residents=people[:RESIDENTS],
        hot_residents=people[RESIDENTS:],
        days=(first, first + timedelta(days=6)),
    )


def _schema_ref() -> str:
    spec = ROOT / "loadtests" / "bench" / "reference.py"
    text = spec.read_text()
    return text.split('SCHEMA = """', 1)[1].split('"""', 1)[0]


SCHEMA_REF = _schema_ref()


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    app: str, port: int, env: dict[str, str], app_dir: Path, workers: int = 2
) -> subprocess.Popen[bytes]:
    cmd = [PY, "-m", "uvicorn", app, "--app-dir", str(app_dir), "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--no-access-log", "--log-level", "warning", "--no-proxy-headers"]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)


def wait_ready(port: int, path: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server on port {port} exited ({proc.returncode})")
        try:
            if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not start within {timeout:.0f} s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


SERVERS: list[subprocess.Popen[bytes]] = []  # the project, then the reference

# ---------------------------------------------------------------- wrk scenarios

LUA_COMMON = """
local counter = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) offset = tonumber(args[1] or "0") end
function done(summary, latency, requests)
  local sent = 0
  for _, t in ipairs(threads) do sent = sent + (t:get("counter") or 0) end
  io.write(string.format('BENCH {"requests": %d, "seconds": %f, "non2xx": %d, "socket_errors": %d, '
    .. '"p50_ms": %f, "p99_ms": %f, "sent": %d}\\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, sent))
end
"""


def lua_list(values: list[str]) -> str:
    return "{" + ",".join(json.dumps(v) for v in values) + "}"


def booking_lua(city: City, project: bool) -> str:
    """Distinct (beneficiary, slot) pairs from `offset` on: resident i % 200, slot (i + i // 200) % 200."""
    path = f"{API}/bookings" if project else "/ref/bookings"
    return (
        LUA_COMMON
        + f"""
local rids = {lua_list([r[0] for r in city.residents])}
local bids = {lua_list([r[1] for r in city.residents])}
local tokens = {lua_list([r[2] for r in city.residents])}
local slots = {lua_list(city.slot_ids)}
local tag = "{uuid.uuid4().hex[:8]}"
local project = {"true" if project else "false"}
request = function()
  local i = offset + counter
  counter = counter + 1
  wrk.thread:set("counter", counter)
  local r = i % {RESIDENTS} + 1
  local s = (i + math.floor(i / {RESIDENTS})) % {SLOTS} + 1
  local headers = {{["Content-Type"] = "application/json"}}
  local body
  if project then
    headers["Authorization"] = "Bearer " .. tokens[r]
    headers["Idempotency-Key"] = "bench-" .. tag .. "-" .. i
    body = '{{"slot_id":"' .. slots[s] .. '","beneficiary_id":"' .. bids[r] .. '","address":"东亭路 8 号"}}'
  else
    body = '{{"slot_id":"' .. slots[s] .. '","beneficiary_id":"' .. bids[r] .. '","resident_id":"' .. rids[r] .. '"}}'
  end
  return wrk.format("POST", "{path}", headers, body)
end
"""
    )


def get_lua(paths: list[str], tokens: list[str] | None = None) -> str:
    auth = (
        f"local tokens = {lua_list(tokens)}\n"
        "local function headers(i) return {['Authorization'] = 'Bearer ' .. tokens[i % #tokens + 1]} end\n"
        if tokens
        else "local function headers(i) return {} end\n"
    )
    return (
        LUA_COMMON
        + auth
        + f"""
local paths = {lua_list(paths)}
request = function()
  local i = offset + counter
  counter = counter + 1
  wrk.thread:set("counter", counter)
  return wrk.format("GET", paths[i % #paths + 1], headers(i))
end
"""
    )


def login_lua(project: bool) -> str:
    path = f"{API}/auth/wechat/login" if project else "/ref/login"
    return (
        LUA_COMMON
        + f"""
request = function()
  local i = offset + counter
  counter = counter + 1
  wrk.thread:set("counter", counter)
  return wrk.format("POST", "{path}", {{["Content-Type"] = "application/json"}},
    '{{"code":"dev-benchlogin-' .. (i % {RESIDENTS}) .. '"}}')
end
"""
    )


@dataclass
class Scenario:
    name: str
    project: str  # Lua script text
    reference: str
    offset_shared: bool = False  # booking: both sides advance the same pair counter


def scenarios(city: City) -> list[Scenario]:
    frm, to = city.days
    slot_list = f"{API}/services/{city.service_id}/slots?from={frm}&to={to}"
    return [
        Scenario("booking write (POST /bookings)", booking_lua(city, True), booking_lua(city, False), True),
        Scenario("slot listing (cached) vs single-row read", get_lua([slot_list]),
                 get_lua([f"/ref/slots/{s}" for s in city.slot_ids])),
        Scenario("service detail vs single-row read", get_lua([f"{API}/services/{city.service_id}"]),
                 get_lua([f"/ref/slots/{s}" for s in city.slot_ids])),
        Scenario("GET /me/bookings vs 20-row read", get_lua([f"{API}/me/bookings"], [r[2] for r in city.residents]),
                 get_lua([f"/ref/bookings?resident_id={r[0]}" for r in city.residents])),
        Scenario("login (WeChat, dev stand-in) vs upsert + token", login_lua(True), login_lua(False)),
    ]  # fmt: skip


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def start_profiler(server: subprocess.Popen[bytes], seconds: int, out: Path) -> list[subprocess.Popen[bytes]]:
    """py-spy (a dev tool, `pip install py-spy`, not a dependency) on each worker: collapsed stacks."""
    spy = os.environ.get("PY_SPY") or shutil.which("py-spy") or "py-spy"
    out.parent.mkdir(parents=True, exist_ok=True)  # py-spy writes nothing into a folder that is missing
    return [
        subprocess.Popen(
            [
                spy,
                "record",
                "--nonblocking",
                "-r",
                "200",
                "-d",
                str(seconds),
                "-f",
                "raw",
                "-o",
                str(out.with_suffix(f".{pid}.txt")),
                "-p",
                str(pid),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in children(server.pid) or [server.pid]
    ]


def _cpu(stat: Path, command: str | None = None) -> float:
    """User + system CPU seconds of one process from its /proc stat (0 if gone or not `command`)."""
    try:
        head, tail = stat.read_text().rsplit(")", 1)
    except OSError:
        return 0.0
    if command is not None and not head.endswith(f"({command}"):
        return 0.0
    fields = tail.split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    """User + system CPU time of a server's workers (Linux /proc): comparable on a busy machine."""
    # one worker: uvicorn serves in its own process
    return sum(_cpu(Path(f"/proc/{pid}/stat")) for pid in children(server.pid) or [server.pid])


def db_cpu_seconds() -> float:
    """User + system CPU time of every PostgreSQL process (the server is shared: read on a quiet machine)."""
    return sum(_cpu(stat, "postgres") for stat in Path("/proc").glob("[0-9]*/stat"))


def run_wrk(
    script: str,
    port: int,
    offset: int,
    args: argparse.Namespace,
    tmp: Path,
    profile: Path | None = None,
    server: subprocess.Popen[bytes] | None = None,
) -> dict[str, Any]:
    path = tmp / f"s{uuid.uuid4().hex[:6]}.lua"
    path.write_text(script)
    load = loadavg()
    spies = start_profiler(SERVERS[0], args.seconds, profile) if profile else []
    cpu = cpu_seconds(server) if server else 0.0
    db_cpu = db_cpu_seconds()
    out = subprocess.run(
        ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "10s", "-s", str(path),
         f"http://127.0.0.1:{port}", "--", str(offset)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    result: dict[str, Any] = json.loads(line[6:])
    result["rps"] = result["requests"] / result["seconds"]
    result["load"] = max(load, loadavg())
    result["cpu_ms"] = (cpu_seconds(server) - cpu) * 1000 / max(result["requests"], 1) if server else 0.0
    result["db_cpu_ms"] = (db_cpu_seconds() - db_cpu) * 1000 / max(result["requests"], 1)
    for spy in spies:
        spy.wait()
    return result


# ---------------------------------------------------------------- the hot slot


async def hot_slot(port: int, path: str, city: City, project: bool) -> dict[str, Any]:
    """1,000 connections opened first, then one booking each sent at once; raw HTTP/1.1 over asyncio so the
    client costs little beside the server."""
    people = city.hot_residents

    async def one(i: int, start: asyncio.Event) -> tuple[int, float]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        rid, bid, token = people[i]
        if project:
            body = json.dumps({"slot_id": city.hot_slot_id, "beneficiary_id": bid, "address": "东亭路 8 号"})
            extra = f"Authorization: Bearer {token}\r\nIdempotency-Key: hot-{uuid.uuid4().hex}\r\n"
        else:
            body = json.dumps({"slot_id": city.hot_slot_id, "beneficiary_id": bid, "resident_id": rid})
            extra = ""
        raw = body.encode()
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{extra}"
                f"Content-Length: {len(raw)}\r\nConnection: close\r\n\r\n").encode()  # fmt: skip
        await start.wait()
        t0 = time.perf_counter()
        writer.write(head + raw)
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()
        elapsed = time.perf_counter() - t0
        writer.close()
        return int(status_line.split()[1]), elapsed

    start = asyncio.Event()
    tasks = [asyncio.create_task(one(i, start)) for i in range(len(people))]
    await asyncio.sleep(2.0)  # let every connection open before the rush
    t0 = time.perf_counter()
    start.set()
    results = await asyncio.gather(*tasks)
    total = time.perf_counter() - t0
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    latencies = sorted(e for _, e in results)
    return {
        "statuses": dict(sorted(statuses.items())),
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "total_s": total,
    }


# ---------------------------------------------------------------- the report


def fmt(r: dict[str, Any]) -> str:
    return (
        f"{r['rps']:,.0f} req/s, p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms, "
        f"{r['cpu_ms']:.2f} CPU ms/req (PostgreSQL {r['db_cpu_ms']:.2f})"
    )


def report(rows: list[tuple[str, int, dict[str, Any], dict[str, Any]]], hot: dict[str, Any] | None,
           args: argparse.Namespace) -> str:  # fmt: skip
    lines = [
        f"`make bench`: wrk -t1 -c{args.connections} -d{args.seconds}s, {args.workers} uvicorn workers each, "
        f"{POOL_PER_WORKER} PostgreSQL connections per worker, {os.cpu_count()} cores, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        "| scenario | round | reference req/s (p50 / p99 ms) | project req/s (p50 / p99 ms) | project non-2xx "
        "| ratio | CPU ms/req ref / project | load avg |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, rnd, ref, proj in rows:
        lines.append(
            f"| {name} | {rnd} | {ref['rps']:,.0f} ({ref['p50_ms']:.0f} / {ref['p99_ms']:.0f}) "
            f"| {proj['rps']:,.0f} ({proj['p50_ms']:.0f} / {proj['p99_ms']:.0f}) "
            f"| {proj['non2xx'] + proj['socket_errors']} | {proj['rps'] / ref['rps']:.2f}x "
            f"| {ref['cpu_ms']:.2f} / {proj['cpu_ms']:.2f} | {ref['load']:.1f} / {proj['load']:.1f} |"
        )
    names = list(dict.fromkeys(r[0] for r in rows))
    lines += ["", "| scenario | mean ratio over the rounds |", "|---|---|"]
    for name in names:
        ratios = [p["rps"] / f["rps"] for n, _, f, p in rows if n == name]
        lines.append(f"| {name} | {statistics.mean(ratios):.2f}x |")
    if hot:
        lines += ["", "| hot slot: 1,000 bookings at once, capacity 50 | answers | p50 | p99 | total |",
                  "|---|---|---|---|---|"]  # fmt: skip
        for side, h in hot.items():
            answers = ", ".join(f"{n} x {code}" for code, n in h["statuses"].items())
            lines.append(
                f"| {side} | {answers} | {h['p50_ms']:,.0f} ms | {h['p99_ms']:,.0f} ms | {h['total_s']:.2f} s |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers of each app")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load per side first")
    parser.add_argument("--only", help="run only the scenarios whose name contains this text")
    parser.add_argument("--no-hot", action="store_true", help="skip the hot-slot run")
    parser.add_argument("--hot-only", action="store_true", help="only the hot-slot run")
    parser.add_argument(
        "--profile", metavar="DIR", help="py-spy each project worker during its runs: collapsed stacks in DIR"
    )
    parser.add_argument("--keep", action="store_true", help="keep the servers up at the end (Ctrl-C stops)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `timeout` or kill: still stop the servers
    reason = missing_prerequisite()
    if reason:
        print(f"make bench: skipped: {reason}")
        return 0
    asyncio.run(admin(f'CREATE DATABASE "{DB}"'))
    servers = SERVERS
    try:
        env = {**os.environ, **PROJECT_ENV}
        for step in (
            ["-m", "alembic", "upgrade", "head"],
            ["-m", "backend.workdays", "seed"],
            ["-m", "backend.demo"],
        ):
            subprocess.run(
                [PY, "-W", "ignore", *step], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
            )
        city = asyncio.run(seed())
        project_port, ref_port = free_port(), free_port()
        servers.append(start_server("backend.main:app", project_port, PROJECT_ENV, ROOT, args.workers))
        ref_env = {"BENCH_DSN": f"{PG}/{DB}", "BENCH_REF_POOL": str(POOL_PER_WORKER)}
        servers.append(
            start_server("reference:app", ref_port, ref_env, ROOT / "loadtests" / "bench", args.workers)
        )
        wait_ready(project_port, "/healthz", servers[0])
        wait_ready(ref_port, f"/ref/slots/{city.slot_ids[0]}", servers[1])
        print(f"bench database {DB}: project on :{project_port}, reference on :{ref_port}", flush=True)
        rows: list[tuple[str, int, dict[str, Any], dict[str, Any]]] = []
        hot: dict[str, Any] = {}
        with tempfile.TemporaryDirectory() as tmpdir:
            tmp = Path(tmpdir)
            offset = 0
            if not args.hot_only and args.warmup:  # first requests import and compile: not measured
                warm = argparse.Namespace(**{**vars(args), "seconds": args.warmup, "connections": 4})
                for sc in scenarios(city):
                    run_wrk(sc.reference, ref_port, 0, warm, tmp)
                    got = run_wrk(sc.project, project_port, offset, warm, tmp)
                    if sc.offset_shared:
                        offset += got["sent"] + warm.connections
            for rnd in range(1, args.rounds + 1) if not args.hot_only else ():
                for sc in scenarios(city):
                    if args.only and args.only not in sc.name:
                        continue
                    order = [("reference", ref_port), ("project", project_port)]
                    if rnd % 2 == 0:
                        order.reverse()
                    got: dict[str, dict[str, Any]] = {}
                    for side, port in order:
                        script = sc.project if side == "project" else sc.reference
                        # The project's booking pairs never repeat (a repeat is a 409 duplicate_booking).
                        profile = None
                        if args.profile and side == "project":
                            slug = "".join(c if c.isalnum() else "_" for c in sc.name)[:30]
                            profile = Path(args.profile) / f"{slug}-r{rnd}"
                        server = SERVERS[0] if side == "project" else SERVERS[1]
                        got[side] = run_wrk(
                            script, port, offset if side == "project" else 0, args, tmp, profile, server
                        )
                        if side == "project" and sc.offset_shared:
                            offset += got[side]["sent"] + args.connections
                        time.sleep(1)
                    rows.append((sc.name, rnd, got["reference"], got["project"]))
                    print(f"round {rnd} {sc.name}: reference {fmt(got['reference'])}; project "
                          f"{fmt(got['project'])}, non-2xx {got['project']['non2xx']}, "
                          f"ratio {got['project']['rps'] / got['reference']['rps']:.2f}x, "
                          f"load {got['project']['load']:.1f}", flush=True)  # fmt: skip
        if not args.no_hot:
            hot["reference"] = asyncio.run(hot_slot(ref_port, "/ref/bookings", city, False))
            time.sleep(1)
            hot["project"] = asyncio.run(hot_slot(project_port, f"{API}/bookings", city, True))
            for side, h in hot.items():
                print(f"hot slot {side}: {h}", flush=True)
        print()
        print(report(rows, hot or None, args))
        if args.keep:
            print("servers kept up; Ctrl-C stops them")
            signal.pause()
        return 0
    finally:
        for proc in servers:
            stop_server(proc)
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)'))
        asyncio.run(_drop_redis_keys())


async def _drop_redis_keys() -> None:
    import redis.asyncio as redis

    client = redis.from_url(REDIS_URL)
    try:
        async for key in client.scan_iter(match=f"{DB}:*", count=1000):
            await client.delete(key)
    finally:
        await client.aclose()


if __name__ == "__main__":
    raise SystemExit(main())
