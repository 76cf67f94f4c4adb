"""rulesets: versioned per-city (or per-district) ruleset documents

Revision ID: 0009
Revises: 0016
Create Date: 2026-12-02 10:30:00+00:00

Versions are numbered per place (`place_id` = district_id or city_id; `uq_ruleset_place_id_version`).
A city without a row uses the built-in default document (RATING.md, Wuhan scale), so nothing is seeded here.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ruleset",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("city_id", sa.Uuid(), nullable=False),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_ruleset_version_positive")),
        sa.ForeignKeyConstraint(["city_id"], ["city.id"], name=op.f("fk_ruleset_city_id_city")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_ruleset_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ruleset")),
        sa.UniqueConstraint("place_id", "version", name=op.f("uq_ruleset_place_id_version")),
    )
    with op.batch_alter_table("ruleset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ruleset_city_id"), ["city_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ruleset_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ruleset_published_at"), ["published_at"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("ruleset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ruleset_published_at"))
        batch_op.drop_index(batch_op.f("ix_ruleset_district_id"))
        batch_op.drop_index(batch_op.f("ix_ruleset_city_id"))

    op.drop_table("ruleset")
