"""workdays: the official working-day calendar (one row per day), seeded from chinese-calendar

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-02 10:00:00+00:00

The seed is computed here from the `chinese-calendar` package (every year it knows), without importing the
app; `python -m backend.workdays load --year Y [--file official.json]` adds later years. Without the
package the table starts empty and every deadline is provisional (weekends only) until a year is loaded.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _seed_rows() -> list[dict[str, object]]:
    try:
        from chinese_calendar import constants
    except ImportError:
        return []
    now = datetime.now(UTC)
    rows: list[dict[str, object]] = []
    for year in sorted({d.year for d in constants.holidays}):
        day = date(year, 1, 1)
        while day.year == year:
            if day in constants.holidays:
                working, name = False, constants.holidays[day]
            elif day in constants.workdays and day.weekday() >= 5:
                working, name = True, constants.workdays[day]
            else:
                working, name = day.weekday() < 5, None
            value = getattr(name, "value", name)
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "created_at": now,
                    "updated_at": now,
                    "day": day,
                    "year": year,
                    "is_working_day": working,
                    "source": "chinese_calendar",
                    "name": str(value[0] if isinstance(value, tuple) else value)[:50] if value else None,
                }
            )
            day += timedelta(days=1)
    return rows


def upgrade() -> None:
    table = op.create_table(
        "calendar_day",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("is_working_day", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=True),
        sa.CheckConstraint("source IN ('chinese_calendar', 'official_file')", name=op.f("ck_calendar_day_source")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_day")),
        sa.UniqueConstraint("day", name=op.f("uq_calendar_day_day")),
    )
    with op.batch_alter_table("calendar_day", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_day_year"), ["year"], unique=False)
    rows = _seed_rows()
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    with op.batch_alter_table("calendar_day", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_day_year"))
    op.drop_table("calendar_day")
