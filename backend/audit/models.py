"""The audit trail: one row per staff write (who, when, what changed). Rows are never updated."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field

from backend.core.database import TableBase


class AuditEntry(TableBase, table=True):
    """`created_at` is when; `actor_*` is who; `action`, `entity`, `entity_id` and `changes` are what."""

    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_entity_entity_id", "entity", "entity_id"),)

    actor_id: uuid.UUID | None = Field(default=None, index=True)
    actor_role: str = Field(max_length=32)
    actor_supplier_id: uuid.UUID | None = None
    actor_operator_id: uuid.UUID | None = None
    action: str = Field(max_length=64)  # e.g. "create", "update", "new_version", "retire"
    entity: str = Field(max_length=64)  # table name, e.g. "service_price"
    entity_id: uuid.UUID
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    request_id: str | None = Field(default=None, max_length=64)
