"""The job runner: one tick runs once across processes; a failed tick rolls back and is recorded."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.jobs import Job, JobRun, run_tick
from backend.scheduler import all_jobs, build_scheduler

TICK = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _counting_job(calls: list[datetime], *, delay: float = 0.0, fail: bool = False) -> Job:
    async def work(session: AsyncSession, tick: datetime) -> dict[str, Any]:
        calls.append(tick)
        # Write something inside the tick's transaction, to see it kept or rolled back.
        await session.execute(
            sa.insert(JobRun).values(job_name="side-effect", tick=tick, status="marker", started_at=tick)
        )
        await asyncio.sleep(delay)
        if fail:
            raise RuntimeError("boom")
        return {"done": len(calls)}

    return Job(name="probe", func=work, every_seconds=60)


async def _runs(session: AsyncSession) -> list[JobRun]:
    return list((await session.exec(sa.select(JobRun).order_by(JobRun.job_name))).scalars())  # type: ignore[call-overload]


async def test_tick_runs_once_even_when_two_schedulers_race(app: object, session: AsyncSession) -> None:
    calls: list[datetime] = []
    job = _counting_job(calls, delay=0.2)
    results = await asyncio.gather(*(run_tick(job, TICK) for _ in range(4)))
    assert sorted(results) == [False, False, False, True]
    assert calls == [TICK]
    runs = await _runs(session)
    assert [(r.job_name, r.status) for r in runs] == [("probe", "succeeded"), ("side-effect", "marker")]
    assert runs[0].summary == {"done": 1}


async def test_same_tick_later_is_skipped_and_next_tick_runs(app: object, session: AsyncSession) -> None:
    calls: list[datetime] = []
    job = _counting_job(calls)
    assert await run_tick(job, TICK) is True
    assert await run_tick(job, TICK) is False
    later = datetime(2026, 12, 1, 8, 1, tzinfo=UTC)
    assert await run_tick(job, later) is True
    assert calls == [TICK, later]


async def test_failed_tick_rolls_back_its_work_and_is_recorded(app: object, session: AsyncSession) -> None:
    calls: list[datetime] = []
    assert await run_tick(_counting_job(calls, fail=True), TICK) is True
    runs = await _runs(session)
    assert [(r.job_name, r.status) for r in runs] == [("probe", "failed")]
    assert "boom" in (runs[0].error or "")


def test_tick_is_the_start_of_the_interval() -> None:
    job = Job(name="x", func=_counting_job([]).func, every_seconds=300)
    assert job.tick_for(datetime(2026, 12, 1, 8, 7, 59, tzinfo=UTC)) == datetime(
        2026, 12, 1, 8, 5, tzinfo=UTC
    )


def test_scheduler_registers_every_domain_job() -> None:
    jobs = all_jobs()
    names = [j.name for j in jobs]
    assert len(names) == len(set(names)), "job names must be unique"
    scheduler = build_scheduler(jobs)
    assert sorted(j.id for j in scheduler.get_jobs()) == sorted(names)
