"""Relations and occasions: a document's parties, the meeting it reports, a commitment's relation.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "occasions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("relation", sa.Text, nullable=False, index=True),
        sa.Column("name", sa.Text),
        sa.Column("event", sa.Text),
        sa.Column("date", sa.Date),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Plain ADD COLUMN on both databases (no table rebuild); occasion_id is checked by the code that sets it.
    op.add_column("documents", sa.Column("parties", sa.JSON))
    op.add_column("documents", sa.Column("relation", sa.Text))
    op.add_column("documents", sa.Column("parties_confidence", sa.Float))
    op.add_column("documents", sa.Column("parties_evidence", sa.Text))
    op.add_column("documents", sa.Column("parties_by", sa.Text))
    op.add_column("documents", sa.Column("occasion_id", sa.Integer))
    op.add_column("commitments", sa.Column("relation", sa.Text))
    op.create_index("ix_commitments_relation", "commitments", ["relation"])
    op.create_index("ix_documents_relation", "documents", ["relation"])


def downgrade() -> None:
    op.drop_index("ix_documents_relation", "documents")
    op.drop_index("ix_commitments_relation", "commitments")
    with op.batch_alter_table("commitments") as batch:
        batch.drop_column("relation")
    with op.batch_alter_table("documents") as batch:
        for column in ("occasion_id", "parties_by", "parties_evidence", "parties_confidence", "relation", "parties"):
            batch.drop_column(column)
    op.drop_table("occasions")
