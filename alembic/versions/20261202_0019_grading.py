"""grading: rating runs and results (ruleset version and document, window, inputs, canonical result, digest)

Revision ID: 0019
Revises: 0009
Create Date: 2026-12-02 11:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rating_run",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("publish", sa.Boolean(), nullable=False),
        sa.Column("operator_ids", sa.JSON(), nullable=True),
        sa.Column("results", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_run")),
    )
    op.create_table(
        "rating_result",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("city_id", sa.Uuid(), nullable=False),
        sa.Column("ruleset_id", sa.Uuid(), nullable=True),
        sa.Column("ruleset_version", sa.Integer(), nullable=False),
        sa.Column("ruleset_document", sa.JSON(), nullable=False),
        sa.Column("window_from", sa.Date(), nullable=False),
        sa.Column("window_to", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("grade", sa.String(length=16), nullable=True),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_rating_result_operator_id_operator")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["rating_run.id"], name=op.f("fk_rating_result_run_id_rating_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_result")),
    )
    with op.batch_alter_table("rating_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_result_city_id"), ["city_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_result_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(
            "ix_rating_result_operator_published", ["operator_id", "published_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rating_result_run_id"), ["run_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("rating_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_result_run_id"))
        batch_op.drop_index("ix_rating_result_operator_published")
        batch_op.drop_index(batch_op.f("ix_rating_result_operator_id"))
        batch_op.drop_index(batch_op.f("ix_rating_result_city_id"))

    op.drop_table("rating_result")
    op.drop_table("rating_run")
