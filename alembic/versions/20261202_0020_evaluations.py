"""grading: yearly evaluations (Chongqing arts. 12, 15; Baotou art. 44) and their history

Revision ID: 0020
Revises: 0023
Create Date: 2026-12-02 13:45:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evaluation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("city_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("ruleset_id", sa.Uuid(), nullable=True),
        sa.Column("ruleset_version", sa.Integer(), nullable=False),
        sa.Column("ruleset_document", sa.JSON(), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=False),
        sa.Column("proposed_level", sa.String(length=16), nullable=False),
        sa.Column("proposed_total", sa.Float(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("response", sa.String(length=4000), nullable=True),
        sa.Column("response_due_on", sa.Date(), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("grade", sa.String(length=16), nullable=True),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.Uuid(), nullable=True),
        sa.Column("rectification_due", sa.Date(), nullable=True),
        sa.Column("rectification_scores", sa.JSON(), nullable=False),
        sa.Column("reevaluation", sa.JSON(), nullable=True),
        sa.Column("reevaluated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_by", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_evaluation_operator_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation")),
        sa.UniqueConstraint("operator_id", "year", name=op.f("uq_evaluation_operator_id_year")),
    )
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index("ix_evaluation_status_due", ["status", "rectification_due"], unique=False)

    op.create_table(
        "evaluation_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evaluation_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"], ["evaluation.id"], name=op.f("fk_evaluation_event_evaluation_id_evaluation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_event")),
    )
    with op.batch_alter_table("evaluation_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_event_evaluation_id"), ["evaluation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("evaluation_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_event_evaluation_id"))

    op.drop_table("evaluation_event")
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluation_status_due")
        batch_op.drop_index(batch_op.f("ix_evaluation_operator_id"))

    op.drop_table("evaluation")
