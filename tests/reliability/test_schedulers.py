"""Jobs run exactly once with three schedulers (issue 15): three `python -m backend.scheduler` processes
on one database for a few seconds; every job's start-up tick ran once, none twice, none failed."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.jobs import JobRun
from backend.scheduler import all_jobs
from tests.reliability.conftest import Launcher
from tests.reliability.servers import RedisServer

RESULTS: dict[str, str] = {}


async def test_three_schedulers_run_each_tick_exactly_once(
    rel_session: AsyncSession, rel_database: str, launcher: Launcher, redis_server: RedisServer
) -> None:
    await rel_session.execute(sa.delete(JobRun))
    await rel_session.commit()
    schedulers = [launcher.scheduler(rel_database, redis_server.url) for _ in range(3)]
    names = {job.name for job in all_jobs()}
    rows: list[sa.Row[tuple[str, object, str]]] = []
    for _ in range(100):  # until every job's first tick is in the ledger (at most ~30 s)
        await asyncio.sleep(0.3)
        result = await rel_session.execute(sa.select(JobRun.job_name, JobRun.tick, JobRun.status))
        rows = list(result.all())
        await rel_session.commit()
        if names <= {r.job_name for r in rows} and all(r.status != "running" for r in rows):
            break
    await asyncio.sleep(2)  # the other two schedulers have had their go at the same ticks
    assert all(p.poll() is None for p in schedulers)  # all three alive throughout
    rows = list((await rel_session.execute(sa.select(JobRun.job_name, JobRun.tick, JobRun.status))).all())
    await rel_session.commit()
    ticks = [(r.job_name, r.tick) for r in rows]
    RESULTS["schedulers"] = (
        f"3 schedulers, {len(names)} jobs, {len(rows)} ledger rows, {len(set(ticks))} distinct"
    )
    print(RESULTS["schedulers"])
    assert len(ticks) == len(set(ticks))  # no tick ran twice
    assert names <= {r.job_name for r in rows}  # every job ran
    assert [r for r in rows if r.status != "succeeded"] == []
