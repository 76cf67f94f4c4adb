"""The outbox as other domains may use it inside their own statement (the booking write queues its
confirmation in the same statement that takes the place: see `bookings.repository_booking_write`)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import sqlalchemy as sa

from backend.notifications.models import OutboxMessage

_outbox_t: sa.Table = OutboxMessage.__table__  # type: ignore[attr-defined]


@cache
def outbox_insert_sql(columns: tuple[str, ...], source: str) -> tuple[str, tuple[sa.BindParameter[Any], ...]]:
    """An INSERT queuing one message (`notifications.service.message`'s row with these `columns`, bound as
    `m_<column>` by `outbox_params`) for each row of the CTE `source`, and its typed bind parameters."""
    sql = (
        f"INSERT INTO {_outbox_t.name} ({', '.join(columns)}) "  # noqa: S608 - names from the model
        f"SELECT {', '.join(f':m_{c}' for c in columns)} FROM {source} RETURNING id"
    )
    return sql, tuple(sa.bindparam(f"m_{c}", type_=_outbox_t.c[c].type) for c in columns)


def outbox_params(row: Mapping[str, Any]) -> dict[str, Any]:
    """`outbox_insert_sql`'s parameters for a message row."""
    return {f"m_{k}": v for k, v in row.items()}
