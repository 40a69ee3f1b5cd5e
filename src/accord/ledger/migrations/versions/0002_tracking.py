"""Tracking: append-only status and stage history, evidence candidates, indicators.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commitment_id", sa.Integer, sa.ForeignKey("commitments.id"), nullable=False, index=True),
        sa.Column("field", sa.String(8), nullable=False),
        sa.Column("value", sa.String(16), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("statement_id", sa.Integer, sa.ForeignKey("statements.id")),
        sa.Column("observed", sa.Date, nullable=False),
        sa.Column("by", sa.Text),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("supersedes", sa.Integer, sa.ForeignKey("status_changes.id")),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "evidence_candidates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commitment_id", sa.Integer, sa.ForeignKey("commitments.id"), nullable=False, index=True),
        sa.Column("statement_id", sa.Integer, sa.ForeignKey("statements.id"), nullable=False),
        sa.Column("suggested", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(16)),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.Text),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("commitment_id", "statement_id", name="uq_evidence_candidate"),
    )
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("frequency", sa.String(12), nullable=False),
        sa.Column("description", sa.Text),
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("indicator_id", sa.Integer, sa.ForeignKey("indicators.id"), nullable=False, index=True),
        sa.Column("period", sa.Date, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("indicator_id", "period", "source", name="uq_observation"),
    )
    op.create_table(
        "target_indicators",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("target_id", sa.Integer, sa.ForeignKey("targets.id"), nullable=False, unique=True),
        sa.Column("indicator_id", sa.Integer, sa.ForeignKey("indicators.id"), nullable=False),
    )
    # History is append-only: the database itself refuses edits and deletions.
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER status_changes_no_{action.lower()} BEFORE {action} ON status_changes "
                "BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION accord_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'status history is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER status_changes_append_only BEFORE UPDATE OR DELETE ON status_changes "
            "FOR EACH ROW EXECUTE FUNCTION accord_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER IF EXISTS status_changes_append_only ON status_changes")
        op.execute("DROP FUNCTION IF EXISTS accord_append_only()")
    for table in ("target_indicators", "observations", "indicators", "evidence_candidates", "status_changes"):
        op.drop_table(table)
