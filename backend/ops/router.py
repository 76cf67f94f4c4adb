"""Liveness, readiness and metrics: for the load balancer and Prometheus, not for residents."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from backend.core.database import db
from backend.core.kv import get_kv

router = APIRouter(tags=["ops"])


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}


@router.get("/healthz", operation_id="healthz", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", operation_id="readyz", response_model=Health, responses={503: {"model": Health}})
async def readyz(response: Response) -> Health:
    checks: dict[str, str] = {}
    try:
        async with db.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except (SQLAlchemyError, OSError):
        checks["database"] = "unreachable"
    kv = get_kv()
    if kv.redis is None:
        checks["redis"] = "not configured"
    else:
        checks["redis"] = "ok" if await kv.ping() else "unreachable"
    ready = all(v in ("ok", "not configured") for v in checks.values())
    if not ready:
        response.status_code = 503
    return Health(status="ok" if ready else "unavailable", checks=checks)
