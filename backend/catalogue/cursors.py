"""Keyset cursors of the catalogue lists: by name (`{"n", "id"}`) or by distance (`{"d", "id"}`)."""

from __future__ import annotations

import uuid
from typing import Any

from backend.core.pagination import InvalidCursor, decode_cursor, encode_cursor


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise InvalidCursor() from exc


def name_cursor(cursor: str | None) -> tuple[str, uuid.UUID] | None:
    data = decode_cursor(cursor)
    if data is None:
        return None
    if not isinstance(data.get("n"), str) or "d" in data:
        raise InvalidCursor()
    return data["n"], _uuid(data.get("id"))


def distance_cursor(cursor: str | None) -> tuple[float, uuid.UUID] | None:
    data = decode_cursor(cursor)
    if data is None:
        return None
    if not isinstance(data.get("d"), int | float) or isinstance(data.get("d"), bool):
        raise InvalidCursor()
    return float(data["d"]), _uuid(data.get("id"))


def next_name_cursor(rows: list[Any], limit: int) -> str | None:
    """The cursor after `rows[limit - 1]` when a `limit + 1` query found more, else None."""
    if len(rows) <= limit:
        return None
    return encode_cursor({"n": rows[limit - 1].name, "id": str(rows[limit - 1].id)})
