"""The ledger's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Documents and statements are written once and never changed. Commitments
group statements; `merge_reasons` says why each statement joined its
commitment; `decisions` keeps people's merges and splits by statement key
(document hash and offsets), so they outlive any rebuild of the grouping.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("source", Text, nullable=False),
    Column("format", String(8), nullable=False),
    Column("title", Text),
    Column("outlet", Text),
    Column("published", Date),
    Column("place", Text),
    Column("language", String(8)),
    Column("words", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("raw", LargeBinary),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    # revision 0003: who meets, speaks or signs, and the meeting the document reports
    Column("parties", JSON),  # [{"code": "VNM", "name": "Viet Nam"}, ...]
    Column("relation", Text),  # the parties' codes, sorted, joined by "-": "LAO-VNM"
    Column("parties_confidence", Float),
    Column("parties_evidence", Text),
    Column("parties_by", Text),  # who set them by hand; None when read from the text
    Column("occasion_id", Integer),
)

occasions = Table(
    "occasions", metadata,
    Column("id", Integer, primary_key=True),
    Column("relation", Text, nullable=False, index=True),
    Column("name", Text),
    Column("event", Text),  # the named visit or summit its documents report, when they name one
    Column("date", Date),  # the earliest date of its documents
    Column("created_at", DateTime(timezone=True), nullable=False),
)

entities = Table(
    "entities", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("key", Text, nullable=False),
    UniqueConstraint("kind", "key", name="uq_entities_kind_key"),
)

aliases = Table(
    "aliases", metadata,
    Column("id", Integer, primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("alias", Text, nullable=False),
    Column("key", Text, nullable=False),
    UniqueConstraint("entity_id", "alias", name="uq_aliases_entity_alias"),
)

commitments = Table(
    "commitments", metadata,
    Column("id", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("pillars", JSON, nullable=False),
    # the status in force (revision 0006 keeps it from status_changes by a trigger; read time still decides)
    Column("status", String(16), nullable=False, default="announced"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("relation", Text),  # revision 0003: the relation of its documents
)

statements = Table(
    "statements", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("type", String(16), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("cue", Text),
    Column("pillars", JSON, nullable=False),
    Column("actors", JSON, nullable=False),
    Column("commitment_id", Integer, ForeignKey("commitments.id"), index=True),
    Column("embedding", LargeBinary),
    UniqueConstraint("document_id", "start", "end", name="uq_statements_span"),
)

mentions = Table(
    "mentions", metadata,
    Column("id", Integer, primary_key=True),
    Column("statement_id", Integer, ForeignKey("statements.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("entity_id", Integer, ForeignKey("entities.id"), index=True),
)

targets = Table(
    "targets", metadata,
    Column("id", Integer, primary_key=True),
    Column("statement_id", Integer, ForeignKey("statements.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("metric", Text, nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", String(16), nullable=False),
    Column("deadline", Text),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("deadline_start", Integer),
    Column("deadline_end", Integer),
)

merge_reasons = Table(
    "merge_reasons", metadata,
    Column("id", Integer, primary_key=True),
    Column("commitment_id", Integer, ForeignKey("commitments.id"), nullable=False, index=True),
    Column("statement_id", Integer, ForeignKey("statements.id", ondelete="CASCADE"), nullable=False),
    Column("matched_statement_id", Integer, ForeignKey("statements.id", ondelete="CASCADE")),
    Column("rule", String(32), nullable=False),
    Column("score", Float),
    Column("detail", Text, nullable=False),
)

decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(8), nullable=False),  # "together" | "apart"
    Column("a_key", Text, nullable=False),
    Column("b_key", Text, nullable=False),
    Column("by", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

Index("ix_statements_document", statements.c.document_id, statements.c.seq)
# revision 0006: each filter of the commitments list finds its rows in id order (keyset pages)
Index("ix_commitments_relation_id", commitments.c.relation, commitments.c.id)
Index("ix_commitments_status_id", commitments.c.status, commitments.c.id)

# A commitment's pillars as rows (revision 0006), kept from commitments.pillars by triggers: never written
# by Accord's code, read by "?pillar=". Search is outside this metadata: FTS5's statements_fts and its
# triggers on SQLite, a stored tsvector column (statements.search_vector) with its GIN index on PostgreSQL.
commitment_pillars = Table(
    "commitment_pillars", metadata,
    Column("pillar", String(32), primary_key=True),
    Column("commitment_id", Integer, ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_commitment_pillars_commitment", "commitment_id"),
    sqlite_with_rowid=False,
)
# The commitments list's totals (revision 0007): one row per list an index pages — every commitment (field
# "all", value ""), each status, relation and pillar — kept exact by triggers on commitments and
# commitment_pillars, so a list's total is one row's read. Never written by Accord's code; `accord check`
# counts again and compares.
commitment_counts = Table(
    "commitment_counts", metadata,
    Column("field", String(16), primary_key=True),  # "all" | "status" | "relation" | "pillar"
    Column("value", Text, primary_key=True),
    Column("n", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)
Index("ix_mentions_entity", mentions.c.entity_id, mentions.c.statement_id)
Index("ix_documents_relation", documents.c.relation)

# -- tracking (revision 0002) -------------------------------------------------

status_changes = Table(
    "status_changes", metadata,
    Column("id", Integer, primary_key=True),
    Column("commitment_id", Integer, ForeignKey("commitments.id"), nullable=False, index=True),
    Column("field", String(8), nullable=False),  # "status" | "stage"
    Column("value", String(16), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("source", Text),  # a URL, or "document:<id>"
    Column("statement_id", Integer, ForeignKey("statements.id")),
    Column("observed", Date, nullable=False),  # when the evidence says it happened
    Column("by", Text),
    Column("origin", String(10), nullable=False),  # "reviewed" | "automatic"
    Column("supersedes", Integer, ForeignKey("status_changes.id")),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    # revision 0004: a hash chain over the history in id order (accord.ledger.integrity.entry_hash)
    Column("prev_hash", String(64)),
    Column("hash", String(64)),
)

evidence_candidates = Table(
    "evidence_candidates", metadata,
    Column("id", Integer, primary_key=True),
    Column("commitment_id", Integer, ForeignKey("commitments.id"), nullable=False, index=True),
    Column("statement_id", Integer, ForeignKey("statements.id"), nullable=False),
    Column("suggested", String(16), nullable=False),
    Column("stage", String(16)),
    Column("score", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Column("state", String(10), nullable=False),  # "pending" | "accepted" | "rejected"
    Column("decided_by", Text),
    Column("decided_at", DateTime(timezone=True)),
    UniqueConstraint("commitment_id", "statement_id", name="uq_evidence_candidate"),
)

indicators = Table(
    "indicators", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("unit", String(16), nullable=False),
    Column("frequency", String(12), nullable=False),  # "yearly" | "quarterly" | "monthly"
    Column("description", Text),
)

observations = Table(
    "observations", metadata,
    Column("id", Integer, primary_key=True),
    Column("indicator_id", Integer, ForeignKey("indicators.id"), nullable=False, index=True),
    Column("period", Date, nullable=False),  # the end of the period observed
    Column("value", Float, nullable=False),
    Column("source", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("indicator_id", "period", "source", name="uq_observation"),
)

target_indicators = Table(
    "target_indicators", metadata,
    Column("id", Integer, primary_key=True),
    Column("target_id", Integer, ForeignKey("targets.id"), nullable=False, unique=True),
    Column("indicator_id", Integer, ForeignKey("indicators.id"), nullable=False),
)

# -- people and programs (revision 0005) --------------------------------------

users = Table(
    "users", metadata,
    # AUTOINCREMENT on SQLite too: an id is never given twice, so a session begun by a removed user
    # can't come back to life as a newcomer of the same name (sessions hold the id).
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(8), nullable=False),
    Column("password_hash", Text),  # "scrypt$n$r$p$salt$hash"; None for a user who has only tokens
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("role IN ('viewer', 'editor', 'admin')", name="ck_users_role"),
    sqlite_autoincrement=True,
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("sha256", String(64), nullable=False, unique=True),  # of the token; the token itself is never kept
    Column("prefix", String(16), nullable=False),  # its first characters, to tell tokens apart in a list
    Column("label", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)
