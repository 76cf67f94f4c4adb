"""suspension: when a pending consent of the street office became overdue (Wuhan art. 14)

Revision ID: 0022
Revises: 0008
Create Date: 2026-12-02 13:40:00+00:00

`consent_overdue_at` is set once by the `bookings.flag_overdue_consents` job when a subsidised service's
suspension is still waiting for the street office's answer after `consent_due_on`. Existing rows stay null.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("suspension", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_overdue_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("suspension", schema=None) as batch_op:
        batch_op.drop_column("consent_overdue_at")
