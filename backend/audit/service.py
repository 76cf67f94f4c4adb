"""Record staff writes in the audit trail. Every domain calls `record` in the same transaction as the write.

Example::

    await audit.record(session, principal, "update", "facility", facility.id, diff(before, after))
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
