"""Search totals of one word in constant time on PostgreSQL: how many statements hold each word.

A search's total is counted up to 10,000 hits. For a common word that is a scan of the statements until
10,000 of them match: 110,000 rows for a word in one statement in eleven, some 40 ms whatever the ledger's
size. `search_words` holds, for each word of `statements.search_vector` (an English stem, as
plainto_tsquery makes of a word typed), how many statements hold it, kept by statement triggers with
transition tables on every insert, delete and edit of a statement's text, so a one-word search's total is
one row's read. SQLite's FTS5 counts its hits from its own doclists in a few milliseconds: nothing here.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"

WORDS = "unnest(tsvector_to_array({}.search_vector))"
CHANGED = "n.id = o.id AND n.search_vector IS DISTINCT FROM o.search_vector"
PAST = {"INSERT": "inserted", "DELETE": "deleted", "UPDATE": "updated"}
TRANSITIONS = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
               "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}


def _add(parts: list[str]) -> str:
    """An upsert of the net change per word of `parts`, SELECTs of (word, change); words in one order."""
    return (f"INSERT INTO search_words (word, n) SELECT word, sum(n) FROM ({' UNION ALL '.join(parts)}) "
            "AS d (word, n) GROUP BY word HAVING sum(n) <> 0 ORDER BY word "
            "ON CONFLICT (word) DO UPDATE SET n = search_words.n + excluded.n;")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("CREATE TABLE search_words (word text NOT NULL, n bigint NOT NULL, "
               "CONSTRAINT pk_search_words PRIMARY KEY (word))")
    added = f"SELECT w, 1 FROM new_rows, {WORDS.format('new_rows')} AS w"
    removed = f"SELECT w, -1 FROM old_rows, {WORDS.format('old_rows')} AS w"
    edited = (f"SELECT w, 1 FROM new_rows n JOIN old_rows o ON {CHANGED}, {WORDS.format('n')} AS w",
              f"SELECT w, -1 FROM new_rows n JOIN old_rows o ON {CHANGED}, {WORDS.format('o')} AS w")
    op.execute(
        "CREATE FUNCTION accord_search_words() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_add([added])} "
        f"ELSIF TG_OP = 'DELETE' THEN {_add([removed])} "
        f"ELSE {_add(list(edited))} "  # a statement moved to another commitment changes no word: nothing written
        "END IF; RETURN NULL; END $$")
    for event, transition in TRANSITIONS.items():
        op.execute(f"CREATE TRIGGER statements_words_{PAST[event]} AFTER {event} ON statements "
                   f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION accord_search_words()")
    op.execute(f"INSERT INTO search_words (word, n) SELECT w, count(*) FROM statements s, {WORDS.format('s')} AS w "
               "GROUP BY w")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for past in PAST.values():
        op.execute(f"DROP TRIGGER IF EXISTS statements_words_{past} ON statements")
    op.execute("DROP FUNCTION IF EXISTS accord_search_words()")
    op.execute("DROP TABLE search_words")
