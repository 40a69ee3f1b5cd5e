"""History that can't be rewritten from SQL: a hash chain over status_changes and triggers against
REPLACE and TRUNCATE.

Revision ID: 0004
Revises: 0003
"""

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    pass  # filled in with the hash chain and triggers


def downgrade() -> None:
    pass
