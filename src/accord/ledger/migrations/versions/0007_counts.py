"""Exact totals in constant time: the commitments list's counts kept by triggers (docs/scale.md).

`commitment_counts` holds one row per list an index pages: every commitment (field "all"), each status,
relation and pillar, with how many commitments it holds. The triggers that keep it see every change
those lists see: a commitment added or removed (a merge removes one, a split adds one), its status set
by 0006's trigger, its relation moved with its document's parties, its pillars changed (0006's pillar
rows, added and removed). So the list's `total` is one row's read, however many rows it counts.

On SQLite the triggers are row triggers. On PostgreSQL they are statement triggers with transition
tables: a bulk INSERT ... SELECT of a million commitments adds its counts in one statement, not a million.
0006's pillar rows move to statement triggers too (one INSERT ... SELECT per statement rather than one
INSERT per commitment): PostgreSQL allows no column list on a trigger with transition tables, so the
UPDATE trigger fires on any update and compares each row's pillars itself.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"

UPSERT = ("ON CONFLICT (field, value) DO UPDATE SET n = commitment_counts.n + excluded.n")
FILL = ("INSERT INTO commitment_counts (field, value, n) "
        "SELECT 'all', '', count(*) FROM commitments "
        "UNION ALL SELECT 'status', status, count(*) FROM commitments GROUP BY status "
        "UNION ALL SELECT 'relation', relation, count(*) FROM commitments WHERE relation IS NOT NULL GROUP BY relation "
        "UNION ALL SELECT 'pillar', pillar, count(*) FROM commitment_pillars GROUP BY pillar")


def upgrade() -> None:
    op.create_table(
        "commitment_counts",
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("n", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("field", "value", name="pk_commitment_counts"),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_triggers()
    else:
        _postgres_triggers()
    op.execute(FILL)


# -- SQLite: row triggers ------------------------------------------------------------------------

def _sqlite_add(*rows: str) -> str:
    """An upsert of (field, value, change) rows given as SELECTs; each SELECT may carry a WHERE."""
    return (f"INSERT INTO commitment_counts (field, value, n) SELECT * FROM ({' UNION ALL '.join(rows)}) "
            f"WHERE true {UPSERT};")


def _sqlite_triggers() -> None:
    def commitment(row: str, sign: str) -> str:
        return _sqlite_add(f"SELECT 'all', '', {sign}1", f"SELECT 'status', {row}.status, {sign}1",
                           f"SELECT 'relation', {row}.relation, {sign}1 WHERE {row}.relation IS NOT NULL")

    op.execute(f"CREATE TRIGGER commitment_counts_insert AFTER INSERT ON commitments BEGIN {commitment('new', '')} END")
    op.execute(f"CREATE TRIGGER commitment_counts_delete AFTER DELETE ON commitments BEGIN {commitment('old', '-')} END")
    for column in ("status", "relation"):
        op.execute(
            f"CREATE TRIGGER commitment_counts_{column} AFTER UPDATE OF {column} ON commitments "
            f"WHEN old.{column} IS NOT new.{column} BEGIN "
            + _sqlite_add(f"SELECT '{column}', old.{column}, -1 WHERE old.{column} IS NOT NULL",
                          f"SELECT '{column}', new.{column}, 1 WHERE new.{column} IS NOT NULL") + " END")
    # A pillar row removed with its commitment (ON DELETE CASCADE) fires its DELETE trigger as well.
    for event, body in (("insert", _sqlite_add("SELECT 'pillar', new.pillar, 1")),
                        ("delete", _sqlite_add("SELECT 'pillar', old.pillar, -1")),
                        ("update", _sqlite_add("SELECT 'pillar', old.pillar, -1", "SELECT 'pillar', new.pillar, 1"))):
        op.execute(f"CREATE TRIGGER commitment_pillars_counts_{event} AFTER {event.upper()} ON commitment_pillars "
                   f"BEGIN {body} END")


# -- PostgreSQL: statement triggers with transition tables ----------------------------------------

def _pg_add(parts: list[str]) -> str:
    """An upsert of the net change per (field, value) of `parts`, SELECTs of (field, value, change);
    lists whose count does not change are not written."""
    return (f"INSERT INTO commitment_counts (field, value, n) SELECT field, value, sum(n) FROM "
            f"({' UNION ALL '.join(parts)}) AS d (field, value, n) GROUP BY field, value HAVING sum(n) <> 0 "
            f"ORDER BY field, value {UPSERT};")  # rows in one order: two writers never lock them crosswise


def _commitments_counted(rows: str, sign: str) -> list[str]:
    return [f"SELECT 'all', '', {sign}1 FROM {rows}", f"SELECT 'status', status, {sign}1 FROM {rows}",
            f"SELECT 'relation', relation, {sign}1 FROM {rows} WHERE relation IS NOT NULL"]


PILLARS_ADDED = ("INSERT INTO commitment_pillars (pillar, commitment_id) "
                 "SELECT DISTINCT p, n.id FROM new_rows n, json_array_elements_text(n.pillars) p")
CHANGED = "n.id = o.id AND n.pillars::text IS DISTINCT FROM o.pillars::text"
PILLARS_IN, PILLARS_OUT = "SELECT 'pillar', pillar, 1 FROM new_rows", "SELECT 'pillar', pillar, -1 FROM old_rows"
TRANSITIONS = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
               "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}
PAST = {"INSERT": "inserted", "DELETE": "deleted", "UPDATE": "updated"}


def _postgres_triggers() -> None:
    op.execute("DROP TRIGGER commitments_pillars ON commitments")
    op.execute("DROP FUNCTION accord_commitment_pillars()")
    op.execute(
        "CREATE FUNCTION accord_commitments_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        f"  {PILLARS_ADDED}; "
        f"  {_pg_add(_commitments_counted('new_rows', ''))} "
        "ELSIF TG_OP = 'DELETE' THEN "  # pillar rows go with their commitment (ON DELETE CASCADE)
        f"  {_pg_add(_commitments_counted('old_rows', '-'))} "
        "ELSE "
        f"  DELETE FROM commitment_pillars WHERE commitment_id IN (SELECT n.id FROM new_rows n, old_rows o WHERE {CHANGED}); "
        "  INSERT INTO commitment_pillars (pillar, commitment_id) SELECT DISTINCT p, n.id "
        f"  FROM new_rows n JOIN old_rows o ON {CHANGED}, json_array_elements_text(n.pillars) p; "
        f"  {_pg_add(_commitments_counted('new_rows', '')[1:] + _commitments_counted('old_rows', '-')[1:])} "
        "END IF; RETURN NULL; END $$")
    op.execute(
        "CREATE FUNCTION accord_commitment_pillars_counted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_pg_add([PILLARS_IN])} "
        f"ELSIF TG_OP = 'DELETE' THEN {_pg_add([PILLARS_OUT])} "
        f"ELSE {_pg_add([PILLARS_IN, PILLARS_OUT])} "
        "END IF; RETURN NULL; END $$")
    for table, function in (("commitments", "accord_commitments_changed"),
                            ("commitment_pillars", "accord_commitment_pillars_counted")):
        for event, transition in TRANSITIONS.items():
            op.execute(f"CREATE TRIGGER {table}_{PAST[event]} AFTER {event} ON {table} REFERENCING {transition} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("commitment_counts_insert", "commitment_counts_delete", "commitment_counts_status",
                        "commitment_counts_relation", "commitment_pillars_counts_insert",
                        "commitment_pillars_counts_delete", "commitment_pillars_counts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    else:
        for table in ("commitments", "commitment_pillars"):
            for past in PAST.values():
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{past} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS accord_commitment_pillars_counted()")
        op.execute("DROP FUNCTION IF EXISTS accord_commitments_changed()")
        # 0006's row trigger, as 0006 made it
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
    op.drop_table("commitment_counts")
