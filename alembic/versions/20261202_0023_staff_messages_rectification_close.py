"""staff WeChat messages and the street office's closing of a rectification

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 14:00:00+00:00

- `staff_account.openid` (nullable, unique): a staff member binds their WeChat in the mini-program
  (`POST /staff/me/wechat`) to receive subscription messages (review tasks).
- `outbox_message.staff_account_id`: the outbox reaches staff too; `resident_id` becomes nullable and exactly
  one of the two names the recipient (check `recipient`). Existing rows all name a resident.
- `rectification.closed_by`, `closed_at`, `close_note`: the street office closes a rectification once it has
  it (`POST /rectifications/{id}/close`). Existing rows stay null.

Downgrade deletes the staff messages (the old table cannot hold them).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("openid", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_staff_account_openid"), ["openid"])

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_account_id", sa.Uuid(), nullable=True))
        batch_op.alter_column("resident_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_outbox_message_staff_account_id"), ["staff_account_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_staff_account_id_staff_account"),
            "staff_account",
            ["staff_account_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            op.f("ck_outbox_message_recipient"), "(resident_id IS NULL) <> (staff_account_id IS NULL)"
        )

    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_by", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("close_note", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.drop_column("close_note")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("closed_by")

    op.execute("DELETE FROM outbox_message WHERE staff_account_id IS NOT NULL")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_message_recipient"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_message_staff_account_id_staff_account"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_outbox_message_staff_account_id"))
        batch_op.alter_column("resident_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("staff_account_id")

    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_staff_account_openid"), type_="unique")
        batch_op.drop_column("openid")
