"""bookings: slots, schedules, bookings, waitlist, suspensions; notifications outbox; idempotency records

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 02:00:00+00:00

No overbooking by construction: `ck_slot_booked` (0 <= booked <= capacity) backs the conditional update
that takes a place; `uq_booking_active_slot_beneficiary` (partial: confirmed or checked_in) allows one
active booking per beneficiary and slot; `uq_waitlist_entry_waiting_slot_beneficiary` one waiting entry.
Partial indexes are written for both PostgreSQL and SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("token", sa.Uuid(), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.JSON(), nullable=True),
        sa.CheckConstraint("status IN ('in_flight', 'completed')", name=op.f("ck_idempotency_record_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_idempotency_record_scope_key")),
    )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_record_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("page", sa.String(length=200), nullable=True),
        sa.Column("dedupe_key", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'not_subscribed', 'rejected', 'skipped', 'failed')",
            name=op.f("ck_outbox_message_status"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_outbox_message_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_message_dedupe_key")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(
            "ix_outbox_message_status_next_attempt", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "slot_schedule",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'ended')", name=op.f("ck_slot_schedule_status")),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_slot_schedule_capacity")),
        sa.CheckConstraint("end_time > start_time", name=op.f("ck_slot_schedule_times")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_slot_schedule_validity")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_slot_schedule_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot_schedule")),
    )
    with op.batch_alter_table("slot_schedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slot_schedule_service_id"), ["service_id"], unique=False)

    op.create_table(
        "suspension",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("facility_id", sa.Uuid(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("announced_by", sa.Uuid(), nullable=False),
        sa.Column("notified_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(service_id IS NULL) <> (facility_id IS NULL)", name=op.f("ck_suspension_target")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_suspension_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_suspension_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspension")),
    )
    with op.batch_alter_table("suspension", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_suspension_facility_id"), ["facility_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_suspension_service_id"), ["service_id"], unique=False)

    op.create_table(
        "slot",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("schedule_id", sa.Uuid(), nullable=True),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_slot_status")),
        sa.CheckConstraint("booked >= 0 AND booked <= capacity", name=op.f("ck_slot_booked")),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_slot_capacity")),
        sa.CheckConstraint("end_at > start_at", name=op.f("ck_slot_times")),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["slot_schedule.id"], name=op.f("fk_slot_schedule_id_slot_schedule")
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name=op.f("fk_slot_service_id_service")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot")),
        sa.UniqueConstraint(
            "service_id", "start_at", "end_at", name=op.f("uq_slot_service_id_start_at_end_at")
        ),
    )
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slot_schedule_id"), ["schedule_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_slot_start_at"), ["start_at"], unique=False)

    op.create_table(
        "booking",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slot_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("total_fen", sa.Integer(), nullable=False),
        sa.Column("subsidy_fen", sa.Integer(), nullable=False),
        sa.Column("discount_fen", sa.Integer(), nullable=False),
        sa.Column("community_fen", sa.Integer(), nullable=False),
        sa.Column("payable_fen", sa.Integer(), nullable=False),
        sa.Column("cancel_reason", sa.String(length=200), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('confirmed', 'checked_in', 'completed', 'cancelled', 'no_show')",
            name=op.f("ck_booking_status"),
        ),
        sa.CheckConstraint(
            "payable_fen >= 0 AND total_fen = subsidy_fen + discount_fen + community_fen + payable_fen",
            name=op.f("ck_booking_price_split"),
        ),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"], ["beneficiary.id"], name=op.f("fk_booking_beneficiary_id_beneficiary")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_booking_resident_id_resident")
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name=op.f("fk_booking_service_id_service")),
        sa.ForeignKeyConstraint(["slot_id"], ["slot.id"], name=op.f("fk_booking_slot_id_slot")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking")),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_beneficiary_id"), ["beneficiary_id"], unique=False)
        batch_op.create_index("ix_booking_resident_created", ["resident_id", "created_at"], unique=False)
        batch_op.create_index("ix_booking_service_start", ["service_id", "start_at"], unique=False)
        batch_op.create_index("ix_booking_status_start", ["status", "start_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_booking_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index(
            "uq_booking_active_slot_beneficiary",
            ["slot_id", "beneficiary_id"],
            unique=True,
            postgresql_where=sa.text("status IN ('confirmed', 'checked_in')"),
            sqlite_where=sa.text("status IN ('confirmed', 'checked_in')"),
        )

    op.create_table(
        "booking_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_booking_event_booking_id_booking")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_event")),
    )
    with op.batch_alter_table("booking_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_event_booking_id"), ["booking_id"], unique=False)

    op.create_table(
        "waitlist_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slot_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('waiting', 'promoted', 'lapsed', 'withdrawn')", name=op.f("ck_waitlist_entry_status")
        ),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"], ["beneficiary.id"], name=op.f("fk_waitlist_entry_beneficiary_id_beneficiary")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_waitlist_entry_booking_id_booking")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_waitlist_entry_resident_id_resident")
        ),
        sa.ForeignKeyConstraint(["slot_id"], ["slot.id"], name=op.f("fk_waitlist_entry_slot_id_slot")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entry")),
    )
    with op.batch_alter_table("waitlist_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_waitlist_entry_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(
            "ix_waitlist_entry_slot_status_created", ["slot_id", "status", "created_at"], unique=False
        )
        batch_op.create_index(
            "uq_waitlist_entry_waiting_slot_beneficiary",
            ["slot_id", "beneficiary_id"],
            unique=True,
            postgresql_where=sa.text("status = 'waiting'"),
            sqlite_where=sa.text("status = 'waiting'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("waitlist_entry", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_waitlist_entry_waiting_slot_beneficiary",
            postgresql_where=sa.text("status = 'waiting'"),
            sqlite_where=sa.text("status = 'waiting'"),
        )
        batch_op.drop_index("ix_waitlist_entry_slot_status_created")
        batch_op.drop_index(batch_op.f("ix_waitlist_entry_resident_id"))

    op.drop_table("waitlist_entry")
    with op.batch_alter_table("booking_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_event_booking_id"))

    op.drop_table("booking_event")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_booking_active_slot_beneficiary",
            postgresql_where=sa.text("status IN ('confirmed', 'checked_in')"),
            sqlite_where=sa.text("status IN ('confirmed', 'checked_in')"),
        )
        batch_op.drop_index(batch_op.f("ix_booking_slot_id"))
        batch_op.drop_index("ix_booking_status_start")
        batch_op.drop_index("ix_booking_service_start")
        batch_op.drop_index("ix_booking_resident_created")
        batch_op.drop_index(batch_op.f("ix_booking_beneficiary_id"))

    op.drop_table("booking")
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slot_start_at"))
        batch_op.drop_index(batch_op.f("ix_slot_schedule_id"))

    op.drop_table("slot")
    with op.batch_alter_table("suspension", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suspension_service_id"))
        batch_op.drop_index(batch_op.f("ix_suspension_facility_id"))

    op.drop_table("suspension")
    with op.batch_alter_table("slot_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slot_schedule_service_id"))

    op.drop_table("slot_schedule")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_status_next_attempt")
        batch_op.drop_index(batch_op.f("ix_outbox_message_resident_id"))

    op.drop_table("outbox_message")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_expires_at"))

    op.drop_table("idempotency_record")
