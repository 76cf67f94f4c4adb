"""resident.community_id: the community a resident lives in (its street office records their entitlements)

Revision ID: 0005
Revises: 0016a
Create Date: 2026-12-02 10:00:00+00:00

Optional; existing residents keep NULL (only a district or city regulator records their 低保 / disability until
they choose a community). Batch mode, so SQLite rebuilds the table.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0016a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("community_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_resident_community_id"), ["community_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_resident_community_id_community"), "community", ["community_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_resident_community_id_community"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_resident_community_id"))
        batch_op.drop_column("community_id")
