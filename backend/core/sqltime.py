"""Calendar buckets in SQL, in Shanghai time, the same on PostgreSQL and SQLite.

Aggregates by month or day must bucket in the database (not in Python row loops). Shanghai has had no daylight
saving since 1991, so on SQLite (naive UTC text) `+8 hours` is exact; PostgreSQL converts the timestamptz.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class _LocalBucket(FunctionElement[str]):
    type = sa.String()
    inherit_cache = True
    pg_format = ""
    sqlite_format = ""


class shanghai_month(_LocalBucket):
    """`'YYYY-MM'` of a UTC timestamp column, in Shanghai time."""

    name = "shanghai_month"
    inherit_cache = True
    pg_format = "YYYY-MM"
    sqlite_format = "%Y-%m"


class shanghai_day(_LocalBucket):
    """`'YYYY-MM-DD'` of a UTC timestamp column, in Shanghai time."""

    name = "shanghai_day"
    inherit_cache = True
    pg_format = "YYYY-MM-DD"
    sqlite_format = "%Y-%m-%d"


@compiles(shanghai_month, "postgresql")
@compiles(shanghai_day, "postgresql")
def _pg(element: _LocalBucket, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"to_char(({arg}) AT TIME ZONE 'Asia/Shanghai', '{element.pg_format}')"


@compiles(shanghai_month, "sqlite")
@compiles(shanghai_day, "sqlite")
def _sqlite(element: _LocalBucket, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"strftime('{element.sqlite_format}', {arg}, '+8 hours')"
