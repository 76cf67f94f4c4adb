"""Every table model, imported once so the metadata (and Alembic) sees them all."""

from backend.core.jobs import JobRun

__all__ = ["JobRun"]
