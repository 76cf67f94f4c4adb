"""Public complaint figures of a service, facility or supplier (Wuhan art. 13, Baotou art. 35: 公布监督).

`{count, resolved_rate, median_response_hours}` over the last 12 calendar months (from the same Shanghai
moment 12 months back, `core.clock.months_before`: 366 days when they hold a 29 February):
- count: complaints filed in the window that name the target (a service through a booking; a facility or a
  supplier directly or through a service of theirs);
- resolved_rate: resolved (the resident accepted), closed as accepted (no confirmation in time) or mediated
  with an agreement, over count; 4 decimals; null without complaints;
- median_response_hours: median hours from filing to the first answer, over the complaints answered;
  2 decimals; null without answers. PostgreSQL computes it with `percentile_cont(0.5)`; SQLite (dev, tests)
  gets the response times from one query and takes the median in Python.

Exact (one aggregate over the rows; a test recomputes it) and cheap: cached in the shared cache under a
versioned namespace per target (`complaints:{kind}:{id}`) that every change of one of its complaints bumps
(`invalidate`, from the same transaction). The window moves with time: entries also expire after
`TTL_SECONDS`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalogue.figures import FiguresSource, Fill
from backend.complaints import repository_figures as frepo
from backend.complaints.models import Complaint
from backend.complaints.schemas import ComplaintFigures
from backend.core import http_cache
from backend.core.clock import months_before, utcnow
from backend.core.kv import get_kv

Kind = Literal["service", "facility", "supplier"]
TTL_SECONDS = 600
WINDOW_MONTHS = 12


ALL = "complaints:figures"  # every target's figures: the catalogue pages that show them key on it


def namespace(kind: Kind, target_id: uuid.UUID) -> str:
    return f"complaints:{kind}:{target_id}"


def namespaces_of(c: Complaint) -> list[str]:
    found: list[str] = []
    if c.service_id is not None:
        found.append(namespace("service", c.service_id))
    if c.facility_id is not None:
        found.append(namespace("facility", c.facility_id))
    if c.supplier_id is not None:
        found.append(namespace("supplier", c.supplier_id))
    return found


async def invalidate(session: AsyncSession, c: Complaint) -> None:
    """Every change of a complaint: its targets' figures (and the pages showing them) are stale."""
    await http_cache.invalidate(session, ALL, *namespaces_of(c))


def _shape(found: frepo.Figures | None) -> ComplaintFigures:
    count, resolved, median_seconds = found or (0, 0, None)
    return ComplaintFigures(
        count=count,
        resolved_rate=round(resolved / count, 4) if count else None,
        median_response_hours=None if median_seconds is None else round(median_seconds / 3600, 2),
    )


def window_start(now: datetime) -> datetime:
    """The first instant counted: 12 calendar months before `now`."""
    return months_before(now, WINDOW_MONTHS)


async def compute_many(
    session: AsyncSession, kind: Kind, target_ids: Sequence[uuid.UUID], now: datetime | None = None
) -> dict[uuid.UUID, ComplaintFigures]:
    """Every target's figures (zero figures for targets without complaints): one aggregate query."""
    since = window_start(now or utcnow())
    found = await frepo.figures_by(session, kind, target_ids, since)
    return {t: _shape(found.get(t)) for t in target_ids}


async def compute(session: AsyncSession, kind: Kind, target_id: uuid.UUID) -> ComplaintFigures:
    return (await compute_many(session, kind, [target_id]))[target_id]


async def figures_for(session: AsyncSession, kind: Kind, target_id: uuid.UUID) -> ComplaintFigures:
    """The figures, from the cache when no complaint of the target changed since they were computed."""
    ns = namespace(kind, target_id)
    cache = get_kv().cache
    key = f"complaint-figures:{ns}:{await http_cache.namespace_version(ns)}"
    raw = await cache.get(key)
    if raw is not None:
        return ComplaintFigures.model_validate(json.loads(raw))
    result = await compute(session, kind, target_id)
    await cache.set(key, result.model_dump_json().encode(), TTL_SECONDS)
    return result


# ---------------------------------------------------------------- on the catalogue's public pages


def _filler(kind: Kind) -> Fill:
    async def fill(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        return {
            t: {"complaint_figures": f.model_dump()}
            for t, f in (await compute_many(session, kind, ids)).items()
        }

    return fill


# GET /services/{id}, GET /facilities/{id} (and the list), GET /suppliers/{id}: `complaint_figures`; the pages
# key their cache on `ALL`, which every change of any complaint bumps (`invalidate`).
SOURCE = FiguresSource(
    name="complaints",
    namespaces=(ALL,),
    services=_filler("service"),
    facilities=_filler("facility"),
    suppliers=_filler("supplier"),
)
