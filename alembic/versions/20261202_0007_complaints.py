"""complaints: complaints with their replies and history, and the daily complaint number counter

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-02 10:00:00+00:00

`complaint.phone` holds Fernet ciphertext (backend.core.crypto.EncryptedText). A complaint names at least one
target (`ck_complaint_target`) and has a resident or a caller's phone (`ck_complaint_complainant`).
`complaint_number_day` hands out TSyyyymmddNNNN numbers with one atomic upsert per complaint.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complaint_number_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_complaint_number_day")),
    )
    op.create_table(
        "complaint",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=24), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_check", sa.String(length=24), nullable=False),
        sa.Column("text_label", sa.Integer(), nullable=True),
        sa.Column("facility_id", sa.Uuid(), nullable=True),
        sa.Column("supplier_id", sa.Uuid(), nullable=True),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("escalation", sa.String(length=24), nullable=False),
        sa.Column("deadlines_provisional", sa.Boolean(), nullable=False),
        sa.Column("acknowledge_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_answer_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirm_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledge_overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mediation_outcome", sa.String(length=24), nullable=True),
        sa.Column("mediation_agreement", sa.Text(), nullable=True),
        sa.Column("mediated_on", sa.Date(), nullable=True),
        sa.Column("mediated_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "category IN ('service_quality', 'price', 'staff_conduct', 'safety', 'food_safety', 'environment', "
            "'disclosure', 'other')",
            name=op.f("ck_complaint_category"),
        ),
        sa.CheckConstraint("channel IN ('app', 'phone')", name=op.f("ck_complaint_channel")),
        sa.CheckConstraint(
            "escalation IN ('none', 'operator', 'street')", name=op.f("ck_complaint_escalation")
        ),
        sa.CheckConstraint(
            "status IN ('submitted', 'acknowledged', 'answered', 'resolved', 'escalated', 'mediated', "
            "'closed')",
            name=op.f("ck_complaint_status"),
        ),
        sa.CheckConstraint(
            "facility_id IS NOT NULL OR supplier_id IS NOT NULL OR booking_id IS NOT NULL",
            name=op.f("ck_complaint_target"),
        ),
        sa.CheckConstraint(
            "resident_id IS NOT NULL OR phone IS NOT NULL", name=op.f("ck_complaint_complainant")
        ),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"], name=op.f("fk_complaint_booking_id_booking")),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_complaint_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_complaint_operator_id_operator")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_complaint_resident_id_resident")
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name=op.f("fk_complaint_service_id_service")),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_complaint_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
        sa.UniqueConstraint("number", name=op.f("uq_complaint_number")),
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaint_booking_id"), ["booking_id"], unique=False)
        batch_op.create_index("ix_complaint_facility_created", ["facility_id", "created_at"], unique=False)
        batch_op.create_index("ix_complaint_operator_created", ["operator_id", "created_at"], unique=False)
        batch_op.create_index("ix_complaint_resident_created", ["resident_id", "created_at"], unique=False)
        batch_op.create_index("ix_complaint_service_created", ["service_id", "created_at"], unique=False)
        batch_op.create_index("ix_complaint_status_answer_due", ["status", "answer_due_at"], unique=False)
        batch_op.create_index("ix_complaint_supplier_created", ["supplier_id", "created_at"], unique=False)

    op.create_table(
        "complaint_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("escalation", sa.String(length=24), nullable=False),
        sa.Column("actor_role", sa.String(length=24), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaint.id"], name=op.f("fk_complaint_event_complaint_id_complaint")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_event")),
    )
    with op.batch_alter_table("complaint_event", schema=None) as batch_op:
        batch_op.create_index("ix_complaint_event_complaint_at", ["complaint_id", "at"], unique=False)

    op.create_table(
        "complaint_reply",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("level", sa.String(length=24), nullable=False),
        sa.Column("by_role", sa.String(length=24), nullable=False),
        sa.Column("by_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('acknowledge', 'answer')", name=op.f("ck_complaint_reply_kind")),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaint.id"], name=op.f("fk_complaint_reply_complaint_id_complaint")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_reply")),
    )
    with op.batch_alter_table("complaint_reply", schema=None) as batch_op:
        batch_op.create_index("ix_complaint_reply_complaint_at", ["complaint_id", "at"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("complaint_reply", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_reply_complaint_at")

    op.drop_table("complaint_reply")
    with op.batch_alter_table("complaint_event", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_event_complaint_at")

    op.drop_table("complaint_event")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_supplier_created")
        batch_op.drop_index("ix_complaint_status_answer_due")
        batch_op.drop_index("ix_complaint_service_created")
        batch_op.drop_index("ix_complaint_resident_created")
        batch_op.drop_index("ix_complaint_operator_created")
        batch_op.drop_index("ix_complaint_facility_created")
        batch_op.drop_index(batch_op.f("ix_complaint_booking_id"))

    op.drop_table("complaint")
    op.drop_table("complaint_number_day")
