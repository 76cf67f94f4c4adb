"""The bare reference of `make bench`: FastAPI + asyncpg, no auth, no checks, no ORM.

It does the essential database work of each measured route and nothing else, on the bench database
(`BENCH_DSN`), so the project's figures can be read as a fraction of what this machine's PostgreSQL allows:

- `POST /ref/bookings`: the booking's essential write, one transaction: the conditional
  `UPDATE ref_slot SET booked = booked + 1 WHERE id = $1 AND booked < capacity` and an `INSERT` of the booking
  (409 when the slot is full).
- `GET /ref/slots/{id}`: a single-row read (a slot), the yardstick of every read.
- `GET /ref/bookings?resident_id=`: a resident's 20 newest bookings (`GET /me/bookings`).
- `POST /ref/login`: upsert the resident by openid and sign an HS256 token (the WeChat login's essentials).

Served by `loadtests/bench/run.py` with uvicorn, 2 workers, like the project.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

DSN = os.environ.get("BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
POOL_MAX = int(os.environ.get("BENCH_REF_POOL", "16"))
SECRET = b"reference-only-secret-0123456789abcdef"

# Created by run.py before the reference starts; the slot read uses the project's own slot table.
SCHEMA = """
CREATE TABLE IF NOT EXISTS ref_slot (
  id uuid PRIMARY KEY, capacity int NOT NULL, booked int NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS ref_booking (
  id uuid PRIMARY KEY, slot_id uuid NOT NULL REFERENCES ref_slot (id), resident_id uuid NOT NULL,
  beneficiary_id uuid NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS ref_resident (
  id uuid PRIMARY KEY, openid text NOT NULL UNIQUE, last_login_at timestamptz NOT NULL);
"""

pool: asyncpg.Pool | None = None


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    global pool
    pool = await asyncpg.create_pool(DSN, min_size=2, max_size=POOL_MAX)
    try:
        yield
    finally:
        await pool.close()


app = FastAPI(lifespan=lifespan)


def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value, default=str), status_code=status, media_type="application/json")


@app.post("/ref/bookings")
async def book(request: Request) -> Response:
    body = await request.json()
    assert pool is not None
    async with pool.acquire() as conn, conn.transaction():
        taken = await conn.fetchval(
            "UPDATE ref_slot SET booked = booked + 1 WHERE id = $1 AND booked < capacity RETURNING booked",
            uuid.UUID(body["slot_id"]),
        )
        if taken is None:
            return JSONResponse({"code": "slot_full"}, status_code=409)
        row = await conn.fetchrow(
            "INSERT INTO ref_booking (id, slot_id, resident_id, beneficiary_id) VALUES ($1, $2, $3, $4) "
            "RETURNING id, created_at",
            uuid.uuid4(),
            uuid.UUID(body["slot_id"]),
            uuid.UUID(body["resident_id"]),
            uuid.UUID(body["beneficiary_id"]),
        )
    return _json({"id": row["id"], "slot_id": body["slot_id"], "created_at": row["created_at"]}, 201)


@app.get("/ref/slots/{slot_id}")
async def slot(slot_id: uuid.UUID) -> Response:
    assert pool is not None
    row = await pool.fetchrow(
        "SELECT id, service_id, start_at, end_at, capacity, booked, status FROM slot WHERE id = $1", slot_id
    )
    if row is None:
        return JSONResponse({"code": "not_found"}, status_code=404)
    return _json(dict(row))


@app.get("/ref/bookings")
async def bookings(resident_id: uuid.UUID) -> Response:
    assert pool is not None
    rows = await pool.fetch(
        "SELECT id, slot_id, status, start_at, created_at FROM booking WHERE resident_id = $1 "
        "ORDER BY created_at DESC, id DESC LIMIT 20",
        resident_id,
    )
    return _json({"items": [dict(r) for r in rows]})


def _token(sub: str) -> str:
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"sub": sub, "role": "resident", "exp": int(time.time()) + 900}).encode())
    sig = hmac.new(SECRET, f"{head}.{claims}".encode(), hashlib.sha256).digest()
    return f"{head}.{claims}.{b64(sig)}"


@app.post("/ref/login")
async def login(request: Request) -> Response:
    body = await request.json()
    assert pool is not None
    resident_id = await pool.fetchval(
        "INSERT INTO ref_resident (id, openid, last_login_at) VALUES ($1, $2, now()) "
        "ON CONFLICT (openid) DO UPDATE SET last_login_at = now() RETURNING id",
        uuid.uuid4(),
        body["code"],
    )
    return _json({"access_token": _token(str(resident_id)), "resident": {"id": resident_id}})
