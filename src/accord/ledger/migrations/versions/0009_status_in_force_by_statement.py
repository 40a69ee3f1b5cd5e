"""PostgreSQL: the status in force set once per INSERT into the history, not once per row.

0006's trigger updated a commitment for each new status entry. Since 0007 every UPDATE of commitments
also fires a statement trigger (the pillar rows and the kept totals) with its transition tables, so a bulk
INSERT ... SELECT of 78,000 entries made 78,000 single-row UPDATEs and as many trigger runs: 86 s of a
one-million-statement ledger's build of 174 s. Here the trigger runs once per INSERT statement and
updates every commitment it names in one UPDATE, choosing what the row trigger chose: among the new
entries of a commitment that may set it (a person's, or any while no person ever set its status), the
latest. SQLite keeps its row trigger, whose UPDATE fires only row triggers.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"

MAY_SET = ("n.field = 'status' AND (n.origin = 'reviewed' OR NOT EXISTS (SELECT 1 FROM status_changes h "
           "WHERE h.commitment_id = n.commitment_id AND h.field = 'status' AND h.origin = 'reviewed'))")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP TRIGGER status_changes_in_force ON status_changes")
    op.execute(
        "CREATE OR REPLACE FUNCTION accord_status_in_force() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE commitments c SET status = x.value FROM (SELECT DISTINCT ON (n.commitment_id) n.commitment_id, "
        f"n.value FROM new_rows n WHERE {MAY_SET} ORDER BY n.commitment_id, n.id DESC) AS x "
        "WHERE c.id = x.commitment_id AND c.status IS DISTINCT FROM x.value; "
        "RETURN NULL; END $$")
    op.execute("CREATE TRIGGER status_changes_in_force AFTER INSERT ON status_changes REFERENCING NEW TABLE AS "
               "new_rows FOR EACH STATEMENT EXECUTE FUNCTION accord_status_in_force()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("DROP TRIGGER status_changes_in_force ON status_changes")
    # 0006's row trigger, as 0006 made it
    op.execute(
        "CREATE OR REPLACE FUNCTION accord_status_in_force() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.field = 'status' AND (NEW.origin = 'reviewed' OR NOT EXISTS (SELECT 1 FROM status_changes h "
        "WHERE h.commitment_id = NEW.commitment_id AND h.field = 'status' AND h.origin = 'reviewed')) THEN "
        "  UPDATE commitments SET status = NEW.value WHERE id = NEW.commitment_id; "
        "END IF; RETURN NULL; END $$")
    op.execute("CREATE TRIGGER status_changes_in_force AFTER INSERT ON status_changes "
               "FOR EACH ROW EXECUTE FUNCTION accord_status_in_force()")
