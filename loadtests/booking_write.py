"""The booking write, measured alone: a bounded asyncio + httpx driver (no locust), for before/after figures.

Against a running server with the demo city (see loadtests/README.md):

    .venv/bin/python loadtests/booking_write.py --base-url http://127.0.0.1:8000 --seconds 20

Setup (not timed): `--residents` residents log in through the development WeChat stand-in and each adds one
beneficiary; the open slots of the demo's bookable services are listed. Then, for `--seconds` (at most 30),
`--concurrency` workers POST /bookings, each with a fresh `Idempotency-Key`, every request a (beneficiary,
slot) pair not used before, so the answers are 201 until a slot fills up (then 409 `slot_full`). Prints
requests/s and latency percentiles of all answers and of the 201s alone; any 5xx is counted as an error.
With `--server-pid` (a server on this machine) it also prints the server's CPU milliseconds per request,
which compares builds fairly on a machine busy with other work, where requests/s and p99 are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import time
import uuid
from datetime import date, timedelta
from typing import Any

import httpx

API = "/api/v1"
MAX_SECONDS = 30.0


async def _resident(client: httpx.AsyncClient, i: int, tag: str) -> tuple[dict[str, str], str]:
    r = await client.post(f"{API}/auth/wechat/login", json={"code": f"dev-bench-{tag}-{i}"})
    r.raise_for_status()
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    b = await client.post(
        f"{API}/me/beneficiaries",
        json={"name": "王奶奶", "relation": "parent", "birth_date": "1948-06-01"},
        headers=headers,
    )
    b.raise_for_status()
    return headers, str(b.json()["id"])


async def _open_slots(client: httpx.AsyncClient) -> list[str]:
    slots: list[str] = []
    start = date.today()
    for function in ("meal_aid", "elder_care"):
        services = (await client.get(f"{API}/services", params={"function": function, "limit": 100})).json()
        for s in services.get("items", []):
            r = await client.get(
                f"{API}/services/{s['id']}/slots",
                params={"from": str(start + timedelta(days=1)), "to": str(start + timedelta(days=7))},
            )
            if r.status_code == 200:
                slots += [x["id"] for x in r.json()["items"] if x["status"] == "open"]
    return slots


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a local server process (Linux /proc), to compare runs on a busy machine."""
    if not pid:
        return 0.0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def main(args: argparse.Namespace) -> dict[str, Any]:
    seconds = min(args.seconds, MAX_SECONDS)
    tag = uuid.uuid4().hex[:8]
    limits = httpx.Limits(max_connections=args.concurrency + 4)
    async with httpx.AsyncClient(base_url=args.base_url, timeout=30.0, limits=limits) as client:
        residents = await asyncio.gather(*(_resident(client, i, tag) for i in range(args.residents)))
        slots = await _open_slots(client)
        if not slots:
            raise SystemExit("no open slots: load the demo city first (make demo)")
        pairs = list(itertools.product(range(len(residents)), slots))
        random.Random(7).shuffle(pairs)
        work = iter(pairs)
        latencies: list[float] = []
        created: list[float] = []
        statuses: dict[int, int] = {}
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            for who, slot_id in work:
                if time.perf_counter() >= deadline:
                    return
                headers, beneficiary_id = residents[who]
                t0 = time.perf_counter()
                r = await client.post(
                    f"{API}/bookings",
                    json={"slot_id": slot_id, "beneficiary_id": beneficiary_id, "address": "东亭路 8 号"},
                    headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                )
                dt = (time.perf_counter() - t0) * 1000
                latencies.append(dt)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                if r.status_code == 201:
                    created.append(dt)

        cpu_start, t_start = _cpu_seconds(args.server_pid), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        elapsed = time.perf_counter() - t_start
        cpu = _cpu_seconds(args.server_pid) - cpu_start
    return {
        "seconds": round(elapsed, 1),
        "concurrency": args.concurrency,
        "requests": len(latencies),
        "req_per_s": round(len(latencies) / elapsed, 1),
        "created_per_s": round(len(created) / elapsed, 1),
        "p50_ms": round(_pct(latencies, 50), 1),
        "p99_ms": round(_pct(latencies, 99), 1),
        "created_p99_ms": round(_pct(created, 99), 1),
        "statuses": dict(sorted(statuses.items())),
        "errors_5xx": sum(n for code, n in statuses.items() if code >= 500),
        "server_cpu_ms_per_request": round(cpu * 1000 / len(latencies), 2) if args.server_pid else None,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--seconds", type=float, default=20.0, help=f"timed phase (at most {MAX_SECONDS:g})")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--residents", type=int, default=40)
    parser.add_argument("--server-pid", type=int, help="a local server's pid: report its CPU ms per request")
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
