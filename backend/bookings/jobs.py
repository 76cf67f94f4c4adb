"""Scheduled work of the bookings domain."""

from backend.core.jobs import Job

JOBS: list[Job] = []
