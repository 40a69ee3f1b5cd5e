"""The ledger at size: indexes for every hot read, the status in force kept on its commitment, pillars as
rows, and full-text search kept in step on every change (docs/scale.md).

- `commitments.status` is the status in force (the latest reviewed entry of its history, else the latest
  automatic one, else "announced"), set by a trigger on each new status entry and filled here from the
  history already there, so "?status=" is an index lookup rather than a replay of every history;
- `commitment_pillars` holds (pillar, commitment) rows, kept by triggers from `commitments.pillars`
  (a JSON list no index can read), so "?pillar=" walks one index in id order;
- (status, id) and (relation, id) indexes give each filter its rows already in id order: a page is the
  next LIMIT rows after the cursor, whatever the ledger's size;
- search: SQLite's FTS5 index learns of edited statements too (an UPDATE trigger beside 0001's INSERT
  and DELETE ones); PostgreSQL's is a stored tsvector column with a GIN index, so a search in id order
  reads each candidate row's words without parsing its text again.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"

IN_FORCE = (
    "COALESCE((SELECT h.value FROM status_changes h WHERE h.commitment_id = commitments.id AND h.field = 'status'"
    " AND h.origin = 'reviewed' ORDER BY h.id DESC LIMIT 1),"
    " (SELECT h.value FROM status_changes h WHERE h.commitment_id = commitments.id AND h.field = 'status'"
    " ORDER BY h.id DESC LIMIT 1), 'announced')"
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "commitment_pillars",
        sa.Column("pillar", sa.String(32), nullable=False),
        sa.Column("commitment_id", sa.Integer, sa.ForeignKey("commitments.id", ondelete="CASCADE"), nullable=False),
        sa.PrimaryKeyConstraint("pillar", "commitment_id", name="pk_commitment_pillars"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_commitment_pillars_commitment", "commitment_pillars", ["commitment_id"])
    op.drop_index("ix_commitments_relation", "commitments")
    op.create_index("ix_commitments_relation_id", "commitments", ["relation", "id"])
    op.create_index("ix_commitments_status_id", "commitments", ["status", "id"])
    op.execute(f"UPDATE commitments SET status = {IN_FORCE} "
               "WHERE id IN (SELECT commitment_id FROM status_changes WHERE field = 'status')")
    if sqlite:
        _sqlite_triggers()
        op.execute("INSERT OR IGNORE INTO commitment_pillars (pillar, commitment_id) "
                   "SELECT DISTINCT j.value, c.id FROM commitments c, json_each(c.pillars) j")
    else:
        _postgres_triggers()
        op.execute("INSERT INTO commitment_pillars (pillar, commitment_id) "
                   "SELECT DISTINCT p, c.id FROM commitments c, json_array_elements_text(c.pillars) p "
                   "ON CONFLICT DO NOTHING")
        op.execute("DROP INDEX ix_statements_fts")
        op.execute("ALTER TABLE statements ADD COLUMN search_vector tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED")
        op.execute("CREATE INDEX ix_statements_fts ON statements USING gin (search_vector)")


def _sqlite_triggers() -> None:
    op.execute("CREATE TRIGGER statements_fts_update AFTER UPDATE OF text ON statements BEGIN "
               "INSERT INTO statements_fts(statements_fts, rowid, text) VALUES ('delete', old.id, old.text); "
               "INSERT INTO statements_fts(rowid, text) VALUES (new.id, new.text); END")
    pillars = ("INSERT OR IGNORE INTO commitment_pillars (pillar, commitment_id) "
               "SELECT DISTINCT value, new.id FROM json_each(new.pillars);")
    op.execute(f"CREATE TRIGGER commitments_pillars_insert AFTER INSERT ON commitments BEGIN {pillars} END")
    op.execute("CREATE TRIGGER commitments_pillars_update AFTER UPDATE OF pillars ON commitments BEGIN "
               f"DELETE FROM commitment_pillars WHERE commitment_id = old.id; {pillars} END")
    # A new entry is in force when a person made it, or when no person ever set this commitment's status.
    op.execute(
        "CREATE TRIGGER status_changes_in_force AFTER INSERT ON status_changes "
        "WHEN new.field = 'status' AND (new.origin = 'reviewed' OR NOT EXISTS (SELECT 1 FROM status_changes h "
        "WHERE h.commitment_id = new.commitment_id AND h.field = 'status' AND h.origin = 'reviewed')) "
        "BEGIN UPDATE commitments SET status = new.value WHERE id = new.commitment_id; END")


def _postgres_triggers() -> None:
    op.execute(
        "CREATE FUNCTION accord_commitment_pillars() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'UPDATE' THEN "
        "  IF NEW.pillars::text IS NOT DISTINCT FROM OLD.pillars::text THEN RETURN NULL; END IF; "
        "  DELETE FROM commitment_pillars WHERE commitment_id = OLD.id; "
        "END IF; "
        "INSERT INTO commitment_pillars (pillar, commitment_id) "
        "SELECT DISTINCT p, NEW.id FROM json_array_elements_text(NEW.pillars) p; "
        "RETURN NULL; END $$")
    op.execute("CREATE TRIGGER commitments_pillars AFTER INSERT OR UPDATE OF pillars ON commitments "
               "FOR EACH ROW EXECUTE FUNCTION accord_commitment_pillars()")
    op.execute(
        "CREATE FUNCTION accord_status_in_force() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.field = 'status' AND (NEW.origin = 'reviewed' OR NOT EXISTS (SELECT 1 FROM status_changes h "
        "WHERE h.commitment_id = NEW.commitment_id AND h.field = 'status' AND h.origin = 'reviewed')) THEN "
        "  UPDATE commitments SET status = NEW.value WHERE id = NEW.commitment_id; "
        "END IF; RETURN NULL; END $$")
    op.execute("CREATE TRIGGER status_changes_in_force AFTER INSERT ON status_changes "
               "FOR EACH ROW EXECUTE FUNCTION accord_status_in_force()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("status_changes_in_force", "commitments_pillars_update", "commitments_pillars_insert",
                        "statements_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    else:
        op.execute("DROP TRIGGER IF EXISTS status_changes_in_force ON status_changes")
        op.execute("DROP TRIGGER IF EXISTS commitments_pillars ON commitments")
        op.execute("DROP FUNCTION IF EXISTS accord_status_in_force()")
        op.execute("DROP FUNCTION IF EXISTS accord_commitment_pillars()")
        op.execute("DROP INDEX ix_statements_fts")
        op.execute("ALTER TABLE statements DROP COLUMN search_vector")
        op.execute("CREATE INDEX ix_statements_fts ON statements USING gin (to_tsvector('english', text))")
    op.drop_index("ix_commitments_status_id", "commitments")
    op.drop_index("ix_commitments_relation_id", "commitments")
    op.create_index("ix_commitments_relation", "commitments", ["relation"])
    op.drop_index("ix_commitment_pillars_commitment", "commitment_pillars")
    op.drop_table("commitment_pillars")
