"""Cursor pagination: `?limit=&cursor=` -> `{items, next_cursor}`. Cursors are opaque to clients."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import sqlalchemy as sa
from fastapi import Query
from pydantic import BaseModel
from sqlalchemy.sql import ColumnElement

from backend.core.database import UTCDateTime
from backend.core.errors import Unprocessable
from backend.core.i18n import Msg

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class InvalidCursor(Unprocessable):
    code = "invalid_cursor"
    title = Msg("分页游标无效", "The pagination cursor is invalid")


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor() from exc
    if not isinstance(value, dict):
        raise InvalidCursor()
    return value


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")]
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"  # what `encode_cursor` makes: unpadded URL-safe base64
Cursor = Annotated[
    str | None,
    Query(
        max_length=512,
        # Stated, not enforced here: decode_cursor answers 422 `invalid_cursor` for anything else.
        json_schema_extra={"pattern": CURSOR_PATTERN},
        description="Opaque cursor from `next_cursor`; any other value is a 422 `invalid_cursor`.",
    ),
]


def keyset_after(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """The (time, id) a page starts after, from a cursor made by `keyset_page`."""
    values = decode_cursor(cursor)
    if values is None:
        return None
    try:
        return datetime.fromisoformat(values["t"]), uuid.UUID(values["i"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidCursor() from exc


S = TypeVar("S", bound=sa.Select[Any])


def keyset_where(
    time_col: Any, id_col: Any, after: tuple[datetime, uuid.UUID] | None, *, newest_first: bool = False
) -> ColumnElement[bool]:
    """Rows strictly past the cursor position `after` in (time, id) order (before it when newest first)."""
    if after is None:
        return sa.true()
    at = (sa.literal(after[0], UTCDateTime()), sa.literal(after[1], sa.Uuid()))
    return _beyond(time_col, id_col, at, newest_first)


def _beyond(time_col: Any, id_col: Any, at: tuple[Any, Any], newest_first: bool) -> ColumnElement[bool]:
    key = sa.tuple_(time_col, id_col)
    return key < sa.tuple_(*at) if newest_first else key > sa.tuple_(*at)


def _ordered(stmt: S, time_col: Any, id_col: Any, rows: Any, newest_first: bool) -> S:
    order = (time_col.desc(), id_col.desc()) if newest_first else (time_col, id_col)
    return stmt.order_by(*order).limit(rows)


def keyset(
    stmt: S,
    time_col: Any,
    id_col: Any,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
    *,
    newest_first: bool = False,
) -> S:
    """The one keyset query: `stmt` past the cursor, ordered by (time, id), `limit + 1` rows (the extra row
    tells `keyset_page` there is a next page)."""
    stmt = stmt.where(keyset_where(time_col, id_col, after, newest_first=newest_first))
    return _ordered(stmt, time_col, id_col, limit + 1, newest_first)


def keyset_bound(stmt: S, time_col: Any, id_col: Any, *, past_cursor: bool, newest_first: bool = False) -> S:
    """`keyset` with bind parameters instead of values, for a statement built once and reused (a hot list:
    building and hashing a statement per request costs more than the database's answer). Execute it with
    `keyset_params(after, limit)`."""
    if past_cursor:
        at = (sa.bindparam("after_time", type_=UTCDateTime()), sa.bindparam("after_id", type_=sa.Uuid()))
        stmt = stmt.where(_beyond(time_col, id_col, at, newest_first))
    return _ordered(stmt, time_col, id_col, sa.bindparam("rows", type_=sa.Integer()), newest_first)


def keyset_params(after: tuple[datetime, uuid.UUID] | None, limit: int) -> dict[str, Any]:
    """The parameters of a `keyset_bound` statement: the cursor's position and `limit + 1` rows."""
    params: dict[str, Any] = {"rows": limit + 1}
    if after is not None:
        params.update(after_time=after[0], after_id=after[1])
    return params


R = TypeVar("R")


def keyset_page(rows: Sequence[R], limit: int, time_field: str = "created_at") -> tuple[list[R], str | None]:
    """The first `limit` of `limit + 1` rows ordered by (`time_field`, id), and the cursor after them."""
    items = list(rows)
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    last = items[-1]
    return items, encode_cursor({"t": getattr(last, time_field).isoformat(), "i": str(last.id)})  # type: ignore[attr-defined]
