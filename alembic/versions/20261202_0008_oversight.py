"""oversight: inspections, safety checks, emergency plans, drills, incidents, hazard reports, operator reports,
terminations and their history; facility function-change requests (catalogue); the suspension's written
report and consent state (bookings)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:30:00+00:00

`ck_inspection_kind_result` keeps a fire inspection pass/fail and a food one A/B/C;
`uq_operator_report_operator_id_kind_year_quarter` makes one report per operator and period (quarter 0 is
the yearly report). Existing suspensions become `consent_status = not_required`.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oversight_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record_kind", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_event")),
    )
    with op.batch_alter_table("oversight_event", schema=None) as batch_op:
        batch_op.create_index("ix_oversight_event_record", ["record_kind", "record_id"], unique=False)

    op.create_table(
        "operator_report",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("revenue_fen", sa.Integer(), nullable=False),
        sa.Column("costs_fen", sa.Integer(), nullable=False),
        sa.Column("staff_count", sa.Integer(), nullable=False),
        sa.Column("notes", sa.String(length=4000), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("first_submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("return_reason", sa.String(length=1000), nullable=True),
        sa.Column("submitted_by", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'quarterly' AND quarter BETWEEN 1 AND 4) OR (kind = 'yearly' AND quarter = 0)",
            name=op.f("ck_operator_report_period"),
        ),
        sa.CheckConstraint(
            "revenue_fen >= 0 AND costs_fen >= 0 AND staff_count >= 0",
            name=op.f("ck_operator_report_figures"),
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_operator_report_operator_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_report")),
        sa.UniqueConstraint(
            "operator_id",
            "kind",
            "year",
            "quarter",
            name=op.f("uq_operator_report_operator_id_kind_year_quarter"),
        ),
    )
    with op.batch_alter_table("operator_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_operator_report_operator_id"), ["operator_id"], unique=False)

    op.create_table(
        "operator_termination",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator_id", sa.Uuid(), nullable=False),
        sa.Column("grounds", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.String(length=4000), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_operator_termination_operator_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_termination")),
    )
    with op.batch_alter_table("operator_termination", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operator_termination_operator_id"), ["operator_id"], unique=False
        )

    op.create_table(
        "drill",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("scenario", sa.String(length=200), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"], name=op.f("fk_drill_facility_id_facility")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill")),
    )
    with op.batch_alter_table("drill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drill_facility_id"), ["facility_id"], unique=False)

    op.create_table(
        "emergency_plan",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=False),
        sa.Column("content", sa.String(length=20000), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_emergency_plan_facility_id_facility")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_plan")),
    )
    with op.batch_alter_table("emergency_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emergency_plan_facility_id"), ["facility_id"], unique=False)

    op.create_table(
        "facility_function_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("functions", sa.JSON(), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_facility_function_change_facility_id_facility")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_function_change")),
    )
    with op.batch_alter_table("facility_function_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_facility_function_change_facility_id"), ["facility_id"], unique=False
        )
        batch_op.create_index("ix_facility_function_change_status", ["status", "created_at"], unique=False)

    op.create_table(
        "hazard",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("check_suggest", sa.String(length=32), nullable=False),
        sa.Column("check_label", sa.Integer(), nullable=False),
        sa.Column("answer_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_provisional", sa.Boolean(), nullable=False),
        sa.Column("answer", sa.String(length=2000), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Uuid(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_hazard_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_hazard_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard")),
    )
    with op.batch_alter_table("hazard", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hazard_facility_id"), ["facility_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazard_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index("ix_hazard_status_due", ["status", "answer_due_at"], unique=False)

    op.create_table(
        "incident",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=4000), nullable=False),
        sa.Column("veto", sa.Boolean(), nullable=False),
        sa.Column("veto_reason", sa.String(length=500), nullable=True),
        sa.Column("veto_set_by", sa.Uuid(), nullable=True),
        sa.Column("veto_set_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_incident_facility_id_facility")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index("ix_incident_facility_occurred", ["facility_id", "occurred_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_occurred_at"), ["occurred_at"], unique=False)

    op.create_table(
        "inspection",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("result", sa.String(length=32), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("inspector", sa.String(length=100), nullable=False),
        sa.Column("findings", sa.String(length=4000), nullable=False),
        sa.Column("fix_due_on", sa.Date(), nullable=True),
        sa.Column("fixed_on", sa.Date(), nullable=True),
        sa.Column("fix_description", sa.String(length=2000), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'fire' AND result IN ('pass', 'fail')) OR (kind = 'food' AND result IN ('A', 'B', 'C'))",
            name=op.f("ck_inspection_kind_result"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_inspection_facility_id_facility")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspection_facility_kind_on", ["facility_id", "kind", "inspected_on"], unique=False
        )

    op.create_table(
        "safety_check",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facility_id", sa.Uuid(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=32), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("findings", sa.String(length=4000), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_safety_check_facility_id_facility")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_check")),
    )
    with op.batch_alter_table("safety_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_safety_check_facility_id"), ["facility_id"], unique=False)

    with op.batch_alter_table("suspension", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report", sa.String(length=4000), nullable=True))
        batch_op.add_column(
            sa.Column("subsidised", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("consent_status", sa.String(length=16), server_default="not_required", nullable=False)
        )
        batch_op.add_column(sa.Column("consent_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("consent_decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("consent_decided_by", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("consent_reason", sa.String(length=1000), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table("suspension", schema=None) as batch_op:
        batch_op.drop_column("consent_reason")
        batch_op.drop_column("consent_decided_by")
        batch_op.drop_column("consent_decided_at")
        batch_op.drop_column("consent_due_on")
        batch_op.drop_column("consent_status")
        batch_op.drop_column("subsidised")
        batch_op.drop_column("report")

    with op.batch_alter_table("safety_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safety_check_facility_id"))

    op.drop_table("safety_check")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_index("ix_inspection_facility_kind_on")

    op.drop_table("inspection")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_occurred_at"))
        batch_op.drop_index("ix_incident_facility_occurred")

    op.drop_table("incident")
    with op.batch_alter_table("hazard", schema=None) as batch_op:
        batch_op.drop_index("ix_hazard_status_due")
        batch_op.drop_index(batch_op.f("ix_hazard_resident_id"))
        batch_op.drop_index(batch_op.f("ix_hazard_facility_id"))

    op.drop_table("hazard")
    with op.batch_alter_table("facility_function_change", schema=None) as batch_op:
        batch_op.drop_index("ix_facility_function_change_status")
        batch_op.drop_index(batch_op.f("ix_facility_function_change_facility_id"))

    op.drop_table("facility_function_change")
    with op.batch_alter_table("emergency_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emergency_plan_facility_id"))

    op.drop_table("emergency_plan")
    with op.batch_alter_table("drill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drill_facility_id"))

    op.drop_table("drill")
    with op.batch_alter_table("operator_termination", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operator_termination_operator_id"))

    op.drop_table("operator_termination")
    with op.batch_alter_table("operator_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operator_report_operator_id"))

    op.drop_table("operator_report")
    with op.batch_alter_table("oversight_event", schema=None) as batch_op:
        batch_op.drop_index("ix_oversight_event_record")

    op.drop_table("oversight_event")
