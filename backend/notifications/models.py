"""The outbox: messages to residents (and to staff who bound their WeChat), written in the same transaction as
the change they announce."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field

from backend.core.database import TableBase, UTCDateTime, utc_field


class MessageKind(StrEnum):
    booking_confirmed = "booking_confirmed"
    booking_cancelled = "booking_cancelled"  # cancelled by the supplier
    waitlist_promoted = "waitlist_promoted"
    booking_reminder = "booking_reminder"
    suspension_notice = "suspension_notice"
    review_update = "review_update"  # a reply, a rectification step, an escalation (reviews domain)
    complaint_update = "complaint_update"  # answered, escalated, overdue, closed
    staff_task = "staff_task"  # to staff: a bad review to rectify, a rectification handed to the street


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    not_subscribed = "not_subscribed"  # 43101: the credit is used up, never retried
    rejected = "rejected"  # a value or an id WeChat refuses: a bug to look at, never retried
    skipped = "skipped"  # no template configured for this kind, or the resident has no openid
    failed = "failed"  # retries exhausted


class OutboxMessage(TableBase, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'not_subscribed', 'rejected', 'skipped', 'failed')", name="status"
        ),
        sa.CheckConstraint("(resident_id IS NULL) <> (staff_account_id IS NULL)", name="recipient"),
        sa.Index("ix_outbox_message_status_next_attempt", "status", "next_attempt_at"),
    )

    # The recipient: a resident, or a staff account (exactly one).
    resident_id: uuid.UUID | None = Field(default=None, foreign_key="resident.id", index=True)
    staff_account_id: uuid.UUID | None = Field(default=None, foreign_key="staff_account.id", index=True)
    kind: str = Field(max_length=32)
    data: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    page: str | None = Field(default=None, max_length=200)
    # Makes an enqueue idempotent (e.g. one reminder per booking); NULLs never collide.
    dedupe_key: str | None = Field(default=None, max_length=100, unique=True)
    status: str = Field(default=OutboxStatus.pending.value, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    sent_at: datetime | None = utc_field(default=None)
