"""Scheduled work of the notifications domain."""

from backend.core.jobs import Job

JOBS: list[Job] = []
