"""History that can't be rewritten from SQL: a hash chain over status_changes and triggers against
REPLACE and TRUNCATE.

History is what nothing may change once written: the status history (append-only since 0002),
people's merge and split decisions, and indicator observations (the latest recorded wins, so a
correction is a new row). 0002's triggers refused UPDATE and DELETE on status_changes only; SQL had
ways around them and around the other two tables:

- SQLite's `INSERT OR REPLACE` (and `REPLACE`) deletes the conflicting row without firing DELETE
  triggers (unless recursive_triggers is on): a BEFORE INSERT trigger refuses any row whose id (or
  other unique key) is already there, before conflict resolution runs;
- PostgreSQL's `TRUNCATE` fires no row triggers: a BEFORE TRUNCATE statement trigger refuses it;
- `session_replication_role = replica` (PostgreSQL) silences every trigger: nothing can refuse
  that, so each entry carries `hash` = sha256(`prev_hash` + its fields) chained in id order
  (`accord.ledger.integrity.entry_hash`), and `accord check` finds the edit.

Existing entries are chained here, in id order; 0002's UPDATE trigger is lifted for that one update.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

# History tables besides status_changes, with the message their triggers raise and the unique key a
# REPLACE could overwrite besides the id.
HISTORY = {
    "decisions": ("decisions are append-only history", ()),
    "observations": ("observations are append-only history", ("indicator_id", "period", "source")),
}
STATUS_MESSAGE = "status history is append-only"  # 0002's words


def upgrade() -> None:
    op.add_column("status_changes", sa.Column("prev_hash", sa.String(64)))
    op.add_column("status_changes", sa.Column("hash", sa.String(64)))
    sqlite = op.get_bind().dialect.name == "sqlite"
    _chain_existing(sqlite)
    if sqlite:
        _sqlite_no_replace("status_changes", STATUS_MESSAGE, ())
        for table, (message, key) in HISTORY.items():
            for action in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
            _sqlite_no_replace(table, message, key)
        return
    op.execute(
        "CREATE FUNCTION accord_history_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only history', TG_TABLE_NAME; END $$"
    )
    op.execute("CREATE TRIGGER status_changes_no_truncate BEFORE TRUNCATE ON status_changes "
               "FOR EACH STATEMENT EXECUTE FUNCTION accord_append_only()")
    for table in HISTORY:
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION accord_history_only()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION accord_history_only()")


def _sqlite_no_replace(table: str, message: str, key: tuple[str, ...]) -> None:
    """BEFORE INSERT fires before conflict resolution, so a REPLACE is refused before it deletes.
    An id left to the database is -1 here, never an existing one."""
    same = [f"EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id)"]
    if key:
        same.append(f"EXISTS (SELECT 1 FROM {table} WHERE "
                    + " AND ".join(f"{c} = NEW.{c}" for c in key) + ")")
    op.execute(f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {' OR '.join(same)} "
               f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def _chain_existing(sqlite: bool) -> None:
    """Hash the entries already there, in id order, with 0002's UPDATE trigger lifted meanwhile."""
    from accord.ledger.integrity import GENESIS, HASHED, entry_hash

    entries = sa.table(
        "status_changes", sa.column("id", sa.Integer), sa.column("commitment_id", sa.Integer),
        sa.column("field", sa.String), sa.column("value", sa.String), sa.column("evidence", sa.Text),
        sa.column("source", sa.Text), sa.column("statement_id", sa.Integer), sa.column("observed", sa.Date),
        sa.column("by", sa.Text), sa.column("origin", sa.String), sa.column("supersedes", sa.Integer),
        sa.column("recorded_at", sa.DateTime(timezone=True)), sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(entries.c.id, *(entries.c[name] for name in HASHED)).order_by(entries.c.id))
    chained, prev = [], GENESIS
    for row in rows.mappings().all():
        digest = entry_hash(prev, row)
        chained.append({"row_id": row["id"], "prev": prev, "digest": digest})
        prev = digest
    if not chained:
        return
    if sqlite:
        op.execute("DROP TRIGGER status_changes_no_update")
    else:
        op.execute("ALTER TABLE status_changes DISABLE TRIGGER status_changes_append_only")
    conn.execute(sa.update(entries).where(entries.c.id == sa.bindparam("row_id"))
                 .values(prev_hash=sa.bindparam("prev"), hash=sa.bindparam("digest")), chained)
    if sqlite:
        op.execute("CREATE TRIGGER status_changes_no_update BEFORE UPDATE ON status_changes "
                   f"BEGIN SELECT RAISE(ABORT, '{STATUS_MESSAGE}'); END")
    else:
        op.execute("ALTER TABLE status_changes ENABLE TRIGGER status_changes_append_only")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in ("status_changes", *HISTORY):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
        for table in HISTORY:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    else:
        op.execute("DROP TRIGGER IF EXISTS status_changes_no_truncate ON status_changes")
        for table in HISTORY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS accord_history_only()")
    # Plain DROP COLUMN on both (SQLite 3.35+): a batch rebuild of the table would lose 0002's triggers.
    op.execute('ALTER TABLE status_changes DROP COLUMN "hash"')
    op.execute("ALTER TABLE status_changes DROP COLUMN prev_hash")
