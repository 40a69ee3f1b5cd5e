"""The first ledger: documents, statements, mentions, targets, entities, commitments.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("outlet", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("place", sa.Text),
        sa.Column("language", sa.String(8)),
        sa.Column("words", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("raw", sa.LargeBinary),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "entities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.UniqueConstraint("kind", "key", name="uq_entities_kind_key"),
    )
    op.create_table(
        "aliases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entity_id", sa.Integer, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("alias", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.UniqueConstraint("entity_id", "alias", name="uq_aliases_entity_alias"),
    )
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("pillars", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "statements",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("cue", sa.Text),
        sa.Column("pillars", sa.JSON, nullable=False),
        sa.Column("actors", sa.JSON, nullable=False),
        sa.Column("commitment_id", sa.Integer, sa.ForeignKey("commitments.id"), index=True),
        sa.Column("embedding", sa.LargeBinary),
        sa.UniqueConstraint("document_id", "start", "end", name="uq_statements_span"),
    )
    op.create_index("ix_statements_document", "statements", ["document_id", "seq"])
    op.create_table(
        "mentions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("statement_id", sa.Integer, sa.ForeignKey("statements.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.Integer, sa.ForeignKey("entities.id"), index=True),
    )
    op.create_index("ix_mentions_entity", "mentions", ["entity_id", "statement_id"])
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("statement_id", sa.Integer, sa.ForeignKey("statements.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("metric", sa.Text, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("deadline", sa.Text),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("deadline_start", sa.Integer),
        sa.Column("deadline_end", sa.Integer),
    )
    op.create_table(
        "merge_reasons",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("commitment_id", sa.Integer, sa.ForeignKey("commitments.id"), nullable=False, index=True),
        sa.Column("statement_id", sa.Integer, sa.ForeignKey("statements.id", ondelete="CASCADE"), nullable=False),
        sa.Column("matched_statement_id", sa.Integer, sa.ForeignKey("statements.id", ondelete="CASCADE")),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("score", sa.Float),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("a_key", sa.Text, nullable=False),
        sa.Column("b_key", sa.Text, nullable=False),
        sa.Column("by", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Full-text search over statements: FTS5 on SQLite, a GIN index on PostgreSQL.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE statements_fts USING fts5(text, content='statements', content_rowid='id')")
        op.execute(
            "CREATE TRIGGER statements_fts_insert AFTER INSERT ON statements BEGIN "
            "INSERT INTO statements_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER statements_fts_delete AFTER DELETE ON statements BEGIN "
            "INSERT INTO statements_fts(statements_fts, rowid, text) VALUES ('delete', old.id, old.text); END"
        )
    else:
        op.execute("CREATE INDEX ix_statements_fts ON statements USING gin (to_tsvector('english', text))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE statements_fts")
    for table in ("decisions", "merge_reasons", "targets", "mentions", "statements", "commitments", "aliases",
                  "entities", "documents"):
        op.drop_table(table)
