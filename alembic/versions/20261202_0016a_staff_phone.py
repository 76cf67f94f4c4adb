"""staff_account.phone (encrypted) and phone_hash: a review by a staff member's own phone is not genuine

Revision ID: 0016a
Revises: 0019
Create Date: 2026-12-02 10:50:00+00:00

(The reviews domain's pre-assigned ids 0006 and 0016 are spent; 0016a stays inside them.)
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0016a"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("phone_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_staff_account_phone_hash"), ["phone_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_account_phone_hash"))
        batch_op.drop_column("phone_hash")
        batch_op.drop_column("phone")
