"""People and programs: users with roles and API tokens, kept in the ledger.

Revision ID: 0005
Revises: 0004
"""

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    pass  # filled in with the users and tokens tables


def downgrade() -> None:
    pass
