"""The scheduler: in-process with the API in dev, `python -m backend.scheduler` in production."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from backend.core.jobs import Job, run_tick

log = logging.getLogger("backend.scheduler")


def all_jobs() -> list[Job]:
    """Every domain's `jobs.py` contributes its JOBS here."""
    jobs: list[Job] = []
    from backend.bookings import jobs as booking_jobs
    from backend.catalogue import jobs as catalogue_jobs
    from backend.complaints import jobs as complaint_jobs
    from backend.grading import jobs as grading_jobs
    from backend.notifications import jobs as notification_jobs
    from backend.oversight import jobs as oversight_jobs
    from backend.reviews import jobs as review_jobs
    from backend.workdays import jobs as workdays_jobs

    for module in (
        workdays_jobs,
        catalogue_jobs,
        booking_jobs,
        review_jobs,
        complaint_jobs,
        notification_jobs,
        oversight_jobs,
        grading_jobs,
    ):
        jobs.extend(module.JOBS)
    return jobs


def build_scheduler(jobs: list[Job] | None = None) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in jobs if jobs is not None else all_jobs():
        scheduler.add_job(
            run_tick,
            IntervalTrigger(seconds=job.every_seconds),
            args=[job],
            id=job.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, job.every_seconds // 2),
            # First tick at start-up, not one interval later (the ledger skips a tick already run).
            next_run_time=datetime.now(UTC),
        )
    return scheduler


async def main() -> None:
    from backend.core.database import db
    from backend.core.heap import freeze_startup_heap
    from backend.core.logging import configure_logging
    from backend.core.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level)
    db.configure(settings)
    scheduler = build_scheduler()
    freeze_startup_heap()
    scheduler.start()
    log.info("scheduler started with jobs: %s", [j.id for j in scheduler.get_jobs()])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    scheduler.shutdown(wait=True)
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
