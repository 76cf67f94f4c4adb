"""Fixtures of the notifications tests: the bookings tests' session (autocommit on SQLite)."""

from tests.bookings.conftest import session

__all__ = ["session"]
