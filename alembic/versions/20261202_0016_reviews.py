"""reviews: reviews (好差评), their appeals and the rectifications (整改) of bad ones

Revision ID: 0016
Revises: 0006
Create Date: 2026-12-02 10:20:00+00:00

One review per booking (`uq_review_booking_id`), one appeal and one rectification per review. A review
copies its service's facility, supplier and operator, indexed with `created_at` for the public aggregates.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("function", sa.String(length=24), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("text_check", sa.String(length=24), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("excluded_reason", sa.String(length=200), nullable=True),
        sa.Column("flag", sa.String(length=24), nullable=True),
        sa.Column("flag_status", sa.String(length=24), nullable=False),
        sa.Column("moderated_by", sa.Uuid(), nullable=True),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moderation_reason", sa.String(length=200), nullable=True),
        sa.Column("reply_text", sa.String(length=500), nullable=True),
        sa.Column("reply_status", sa.String(length=24), nullable=True),
        sa.Column("reply_check", sa.String(length=24), nullable=True),
        sa.Column("reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_by", sa.Uuid(), nullable=True),
        sa.Column("follow_up_text", sa.String(length=500), nullable=True),
        sa.Column("follow_up_status", sa.String(length=24), nullable=True),
        sa.Column("follow_up_check", sa.String(length=24), nullable=True),
        sa.Column("follow_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('published', 'pending_moderation', 'rejected')", name=op.f("ck_review_status")
        ),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name=op.f("ck_review_level")),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"], name=op.f("fk_review_booking_id_booking")),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_review_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_review_operator_id_operator")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_review_resident_id_resident")
        ),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"], name=op.f("fk_review_service_id_service")),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_review_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_review_booking_id")),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_device_id"), ["device_id"], unique=False)
        batch_op.create_index("ix_review_facility_created", ["facility_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_flag_status"), ["flag_status"], unique=False)
        batch_op.create_index("ix_review_operator_created", ["operator_id", "created_at"], unique=False)
        batch_op.create_index("ix_review_resident_created", ["resident_id", "created_at"], unique=False)
        batch_op.create_index("ix_review_service_created", ["service_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_status"), ["status"], unique=False)
        batch_op.create_index("ix_review_supplier_created", ["supplier_id", "created_at"], unique=False)

    op.create_table(
        "rectification",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("call_back_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("call_back_provisional", sa.Boolean(), nullable=False),
        sa.Column("fix_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fix_provisional", sa.Boolean(), nullable=False),
        sa.Column("called_back_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("call_back_note", sa.String(length=500), nullable=True),
        sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fix_description", sa.String(length=1000), nullable=True),
        sa.Column("verdict", sa.String(length=24), nullable=True),
        sa.Column("verdict_comment", sa.String(length=500), nullable=True),
        sa.Column("verdict_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsatisfied_count", sa.Integer(), nullable=False),
        sa.Column("escalated_to", sa.String(length=24), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_step", sa.String(length=24), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('awaiting_call_back', 'fixing', 'awaiting_verdict', 'closed', 'escalated')",
            name=op.f("ck_rectification_status"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_rectification_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_rectification_operator_id_operator")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_rectification_resident_id_resident")
        ),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], name=op.f("fk_rectification_review_id_review")),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_rectification_service_id_service")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_rectification_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification")),
        sa.UniqueConstraint("review_id", name=op.f("uq_rectification_review_id")),
    )
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rectification_facility_id"), ["facility_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rectification_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rectification_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(
            "ix_rectification_status_call_back_due", ["status", "call_back_due_at"], unique=False
        )
        batch_op.create_index("ix_rectification_status_fix_due", ["status", "fix_due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_rectification_supplier_id"), ["supplier_id"], unique=False)

    op.create_table(
        "review_appeal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_role", sa.String(length=20), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'upheld', 'rejected')", name=op.f("ck_review_appeal_status")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_review_appeal_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], name=op.f("fk_review_appeal_review_id_review")),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_review_appeal_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_appeal")),
        sa.UniqueConstraint("review_id", name=op.f("uq_review_appeal_review_id")),
    )
    with op.batch_alter_table("review_appeal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_appeal_facility_id"), ["facility_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_appeal_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_appeal_supplier_id"), ["supplier_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("review_appeal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_appeal_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_review_appeal_status"))
        batch_op.drop_index(batch_op.f("ix_review_appeal_facility_id"))

    op.drop_table("review_appeal")
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_supplier_id"))
        batch_op.drop_index("ix_rectification_status_fix_due")
        batch_op.drop_index("ix_rectification_status_call_back_due")
        batch_op.drop_index(batch_op.f("ix_rectification_resident_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_operator_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_facility_id"))

    op.drop_table("rectification")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index("ix_review_supplier_created")
        batch_op.drop_index(batch_op.f("ix_review_status"))
        batch_op.drop_index("ix_review_service_created")
        batch_op.drop_index("ix_review_resident_created")
        batch_op.drop_index("ix_review_operator_created")
        batch_op.drop_index(batch_op.f("ix_review_flag_status"))
        batch_op.drop_index("ix_review_facility_created")
        batch_op.drop_index(batch_op.f("ix_review_device_id"))

    op.drop_table("review")
