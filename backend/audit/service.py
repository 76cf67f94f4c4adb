"""Record staff writes in the audit trail. Every domain calls `record` in the same transaction as the write.

Example::

    await audit.record(session, principal, "update", "facility", facility.id, diff(before, after))

A plain update of a row's fields is `audited_update`: set the fields, flush, record what changed, and drop
the cached reads it affects (now and again after the commit).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from asgi_correlation_id import correlation_id
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.audit.models import AuditEntry
from backend.core.access import Principal
from backend.core.http_cache import invalidate


def _plain(value: Any) -> Any:
    """JSON-safe form of a value for the `changes` column."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """`{field: {"from": old, "to": new}}` for the fields whose value changed."""
    out: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            out[key] = {"from": old, "to": new}
    return out


async def record(
    session: AsyncSession,
    principal: Principal | None,
    action: str,
    entity: str,
    entity_id: uuid.UUID,
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add one audit row (flushed, not committed). `principal` None means the system itself."""
    entry = AuditEntry(
        actor_id=principal.id if principal else None,
        actor_role=principal.role.value if principal else "system",
        actor_supplier_id=principal.supplier_id if principal else None,
        actor_operator_id=principal.operator_id if principal else None,
        action=action,
        entity=entity,
        entity_id=entity_id,
        changes=_plain(dict(changes or {})),
        request_id=correlation_id.get(),
    )
    session.add(entry)
    await session.flush()
    return entry


async def audited_update(
    session: AsyncSession,
    principal: Principal | None,
    entity: str,
    row: Any,
    changes: Mapping[str, Any],
    *,
    invalidates: tuple[str, ...] = (),
    also: Mapping[str, Any] | None = None,
    action: str = "update",
) -> dict[str, Any]:
    """Set `changes` on `row` (a table object with an `id`), flush, record `action` on `entity` with the diff
    of those fields (and `also`: other changes the caller made, already in `diff` form), and invalidate the
    cache namespaces `invalidates` (now and after the commit). Returns the recorded diff."""
    before = {name: getattr(row, name) for name in changes}
    for name, value in changes.items():
        setattr(row, name, value)
    session.add(row)
    await session.flush()
    changed = {**diff(before, {name: getattr(row, name) for name in changes}), **(also or {})}
    await record(session, principal, action, entity, row.id, changed)
    if invalidates:
        await invalidate(session, *invalidates)
    return changed
