"""Scheduled jobs: a registry type, a run ledger, and a runner that runs each tick exactly once.

Exactly once across processes: the tick is claimed by inserting its ledger row (unique on job and tick)
in the same transaction as the job's work, under a PostgreSQL advisory lock so two schedulers never
run the same job side by side. A failed tick rolls back its work and is recorded as failed.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import utcnow
from backend.core.database import UTCDateTime, db, insert_for

log = logging.getLogger("backend.jobs")

JobFunc = Callable[[AsyncSession, datetime], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class Job:
    """`func(session, tick)` does one tick's work in the given transaction and may return a summary."""

    name: str
    func: JobFunc
    every_seconds: int

    def tick_for(self, now: datetime) -> datetime:
        epoch = int(now.timestamp())
        return datetime.fromtimestamp(epoch - epoch % self.every_seconds, tz=UTC)


class JobRun(SQLModel, table=True):
    __tablename__ = "job_run"
    __table_args__ = (sa.UniqueConstraint("job_name", "tick"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    job_name: str = Field(max_length=100, index=True)
    tick: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(max_length=20)  # running | succeeded | failed
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    summary: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    error: str | None = Field(default=None, max_length=2000)


def advisory_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


async def _claim(session: AsyncSession, job: Job, tick: datetime) -> uuid.UUID | None:
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        locked = await session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(advisory_key(job.name))))
        if not locked:
            return None
    insert = insert_for(session)
    run_id = uuid.uuid4()
    stmt = (
        insert(JobRun)
        .values(id=run_id, job_name=job.name, tick=tick, status="running", started_at=utcnow())
        .on_conflict_do_nothing(index_elements=["job_name", "tick"])
    )
    result = await session.execute(stmt)
    return run_id if result.rowcount == 1 else None  # type: ignore[attr-defined]


async def run_tick(job: Job, tick: datetime | None = None) -> bool:
    """Run one tick of `job` unless another process has it; returns whether this call ran it."""
    tick = tick or job.tick_for(utcnow())
    try:
        async with db.sessionmaker() as session, session.begin():
            run_id = await _claim(session, job, tick)
            if run_id is None:
                return False
            summary = await job.func(session, tick)
            await session.execute(
                sa.update(JobRun)
                .where(JobRun.id == run_id)  # type: ignore[arg-type]
                .values(status="succeeded", finished_at=utcnow(), summary=summary)
            )
        return True
    except Exception as exc:
        log.exception("job %s failed for tick %s", job.name, tick.isoformat())
        async with db.sessionmaker() as session, session.begin():
            insert = insert_for(session)
            await session.execute(
                insert(JobRun)
                .values(
                    id=uuid.uuid4(),
                    job_name=job.name,
                    tick=tick,
                    status="failed",
                    started_at=utcnow(),
                    finished_at=utcnow(),
                    error=repr(exc)[:2000],
                )
                .on_conflict_do_nothing(index_elements=["job_name", "tick"])
            )
        return True
