"""`accord check`: what the ledger says about itself, verified from its rows.

Triggers keep the history append-only, but some SQL goes around triggers (PostgreSQL's
`session_replication_role = replica`, SQLite with `foreign_keys` off, a hand-run `UPDATE` after a
trigger was dropped). So `check` verifies, from the rows alone, what every reader relies on:

- each document's `sha256` is the SHA-256 of its stored text (its identity, see `accord.ingest`);
- each statement's and mention's text is its document's text between its offsets, and each
  target's offsets lie in that text;
- every foreign key names a row that exists (SQLite's `PRAGMA foreign_key_check`; on PostgreSQL one
  query per key declared in `tables.py`, since replica mode skips the constraint triggers);
- the status history's hash chain (see `entry_hash`) is whole;
- the search index holds every statement, and only as it is now;
- the commitments list's kept totals (`commitment_counts`, revision 0007) are what counting the rows gives.

The chain is ledger-wide, in id order, rather than per commitment: a deleted entry is then caught
whichever commitment it belonged to, even a commitment's whole history; appends are serialized
anyway (one writer on SQLite, a table lock on PostgreSQL). Deleting the newest entries, or all of
them, leaves a chain that checks; so does rewriting an entry and recomputing every hash after it,
since the chain has no secret. It catches edits made by SQL, not a forger who knows this file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Table, exists, select, text

from accord.ledger import tables as t
from accord.ledger.keyset import fresh_counts, kept_counts

GENESIS = "0" * 64  # the prev_hash of the first entry
# The fields an entry's hash covers: all but its id (given by the database only once the row is
# written, and order is what prev_hash already binds) and the hashes themselves.
HASHED = ("commitment_id", "field", "value", "evidence", "source", "statement_id", "observed", "by", "origin",
          "supersedes", "recorded_at")
# Columns that name a row without a constraint saying so (revision 0003 left them to the code).
UNDECLARED = ((t.documents, "occasion_id", t.occasions),)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in the ledger: what it is (`kind`), where (`table`, `id`), in words."""

    kind: str  # "document" | "offsets" | "reference" | "history" | "search" | "count"
    table: str
    id: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.table} {self.id}" if self.id is not None else self.table
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def entry_hash(prev_hash: str, row: Mapping[Any, Any]) -> str:
    """sha256(prev_hash + canonical JSON of the entry's HASHED fields), as hex.

    Never change this: every ledger's chain was computed with it (revision 0004 backfilled
    older entries with it). Dates are ISO; times are UTC with microseconds, read back naive from
    SQLite (which drops the zone of the UTC time written) and in the session's zone from PostgreSQL.
    """
    fields = {name: _canonical(row[name]) for name in HASHED}
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def chain_tip(conn: Connection) -> str:
    """The hash the next entry chains to: the latest entry's, or GENESIS."""
    H = t.status_changes
    row = conn.execute(select(H.c.hash).order_by(H.c.id.desc()).limit(1)).first()
    return GENESIS if row is None or row[0] is None else str(row[0])


def check(conn: Connection) -> list[Problem]:
    """Every problem found, in the order: documents and offsets, references, history, search, counts."""
    return [*_documents(conn), *_references(conn), *_history(conn), *_search(conn), *_counts(conn)]


# -- documents, statements, mentions, targets ----------------------------------------------------

def _documents(conn: Connection) -> Iterator[Problem]:
    D = t.documents
    for doc_id in conn.execute(select(D.c.id).order_by(D.c.id)).scalars():
        row = conn.execute(select(D.c.sha256, D.c.text).where(D.c.id == doc_id)).one()  # one text at a time
        # The same hash as accord.ingest.document (read_document, text_document): UTF-8 of the stored text.
        if hashlib.sha256(row.text.encode("utf-8")).hexdigest() != row.sha256:
            yield Problem("document", "documents", doc_id,
                          "its text is not the text it was stored with (sha256 differs): the text was changed")
        yield from _offsets(conn, doc_id, row.text)


def _offsets(conn: Connection, doc_id: int, doc_text: str) -> Iterator[Problem]:
    S, M, T = t.statements, t.mentions, t.targets
    of_doc = select(S.c.id).where(S.c.document_id == doc_id)
    for r in conn.execute(select(S.c.id, S.c.start, S.c.end, S.c.text).where(S.c.document_id == doc_id)
                          .order_by(S.c.id)):
        yield from _span("statements", r.id, r.start, r.end, r.text, doc_id, doc_text)
    for r in conn.execute(select(M.c.id, M.c.start, M.c.end, M.c.text).where(M.c.statement_id.in_(of_doc))
                          .order_by(M.c.id)):
        yield from _span("mentions", r.id, r.start, r.end, r.text, doc_id, doc_text)
    for tg in conn.execute(select(T.c.id, T.c.start, T.c.end, T.c.deadline_start, T.c.deadline_end)
                           .where(T.c.statement_id.in_(of_doc)).order_by(T.c.id)):
        yield from _span("targets", tg.id, tg.start, tg.end, None, doc_id, doc_text)
        if tg.deadline_start is not None or tg.deadline_end is not None:
            yield from _span("targets", tg.id, tg.deadline_start, tg.deadline_end, None, doc_id, doc_text,
                             "deadline ")


def _span(table: str, row_id: int, start: int | None, end: int | None, said: str | None, doc_id: int,
          doc_text: str, what: str = "") -> Iterator[Problem]:
    """A row's offsets must lie in its document's text and, where it keeps its text, slice to it."""
    if start is None or end is None or not 0 <= start <= end <= len(doc_text):
        yield Problem("offsets", table, row_id, f"its {what}offsets {start}:{end} lie outside document {doc_id}'s "
                                                f"text ({len(doc_text)} characters)")
    elif said is not None and doc_text[start:end] != said:
        at, ours, theirs = _first_difference(said, doc_text[start:end])
        yield Problem("offsets", table, row_id, f"its text is not document {doc_id}'s text at {start}:{end}: from "
                                                f"character {at} it says {ours}, the document {theirs}")


def _first_difference(a: str, b: str, width: int = 24) -> tuple[int, str, str]:
    """Where `a` and `b` part, and a few characters of each from there, quoted."""
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))

    def quote(s: str) -> str:
        part = s[at : at + width]
        return repr(part + ("…" if len(s) > at + width else "")) if part else "nothing more"

    return at, quote(a), quote(b)


# -- references ----------------------------------------------------------------------------------

def _references(conn: Connection) -> Iterator[Problem]:
    if conn.dialect.name == "sqlite":
        yield from _sqlite_foreign_keys(conn)
    else:
        for table in t.metadata.sorted_tables:
            if "id" not in table.c:  # commitment_pillars: kept by triggers, removed with its commitment (CASCADE)
                continue
            for fk in sorted(table.foreign_keys, key=lambda k: k.parent.name):
                yield from _orphans(conn, table, fk.parent.name, fk.column.table)
    for table, column, parent in UNDECLARED:
        yield from _orphans(conn, table, column, parent)


def _sqlite_foreign_keys(conn: Connection) -> Iterator[Problem]:
    keys: dict[str, Sequence[Any]] = {}
    for table, rowid, parent, fkid in conn.execute(text("PRAGMA foreign_key_check")).all():
        if table not in keys:
            keys[table] = conn.execute(text(f'PRAGMA foreign_key_list("{table}")')).all()
        column = next((k[3] for k in keys[table] if k[0] == fkid), "?")  # (id, seq, table, from, to, ...)
        value = conn.execute(text(f'SELECT "{column}" FROM "{table}" WHERE rowid = :r'), {"r": rowid}).scalar()
        yield _orphan(table, rowid, column, value, parent)


def _orphans(conn: Connection, table: Table, column: str, parent: Table) -> Iterator[Problem]:
    named = parent.alias("named")  # an alias, so a key to its own table (supersedes) is not correlated away
    child, key = table.c[column], named.c[next(iter(parent.primary_key.columns)).name]
    query = (select(table.c.id, child).where(child.is_not(None), ~exists().where(key == child))
             .order_by(table.c.id))
    for row_id, value in conn.execute(query):
        yield _orphan(table.name, row_id, column, value, parent.name)


def _orphan(table: str, row_id: int, column: str, value: Any, parent: str) -> Problem:
    return Problem("reference", table, row_id, f"its {column} {value} names no row of {parent}")


# -- the status history's hash chain -------------------------------------------------------------

def _history(conn: Connection) -> Iterator[Problem]:
    """Each entry must chain to the one before it and hash to what it says; a break is named once,
    where it is: a changed entry at itself, a removed one at the entry after the gap."""
    H = t.status_changes
    prev, prev_id = GENESIS, None
    for row in conn.execute(select(H).order_by(H.c.id)).mappings():
        if row["prev_hash"] != prev:
            after = f"entry {prev_id}" if prev_id is not None else "the start of the history"
            yield Problem("history", "status_changes", row["id"],
                          f"it does not chain to {after} (prev_hash differs): an entry between them was "
                          "removed, or the history was rewritten")
        if row["hash"] != entry_hash(row["prev_hash"] or "", row):
            yield Problem("history", "status_changes", row["id"],
                          "its contents do not match its hash: the entry was changed after it was recorded")
        prev, prev_id = row["hash"], row["id"]


# -- the search index ----------------------------------------------------------------------------

def _search(conn: Connection) -> Iterator[Problem]:
    if conn.dialect.name == "sqlite":
        yield from _sqlite_search(conn)
    else:
        yield from _postgres_search(conn)


def _sqlite_search(conn: Connection) -> Iterator[Problem]:
    """statements_fts (FTS5, its text kept in statements) against a fresh index of the statements now.

    With external content, reading statements_fts reads statements; only fts5vocab reads the index
    itself. So both indexes are listed term by term (fts5vocab 'instance': term, row, column,
    position), and the rows where they differ are the missing, stale or stray ones. The fresh index
    uses the same tokenizer as revision 0001's (the default), in the connection's temp schema.
    """
    names = ("accord_check_index", "accord_check_fresh_index", "accord_check_fresh")
    try:
        conn.execute(text("CREATE VIRTUAL TABLE temp.accord_check_index USING fts5vocab(main, statements_fts, instance)"))
        conn.execute(text("CREATE VIRTUAL TABLE temp.accord_check_fresh USING fts5(text, content='')"))
        conn.execute(text("INSERT INTO temp.accord_check_fresh(rowid, text) SELECT id, text FROM main.statements"))
        conn.execute(text("CREATE VIRTUAL TABLE temp.accord_check_fresh_index "
                          "USING fts5vocab(temp, accord_check_fresh, instance)"))
        indexed = set(conn.execute(text("SELECT DISTINCT doc FROM temp.accord_check_index")).scalars())
        fresh = set(conn.execute(text("SELECT DISTINCT doc FROM temp.accord_check_fresh_index")).scalars())
        differ = set(conn.execute(text(
            "SELECT doc FROM (SELECT term, doc, col, offset FROM temp.accord_check_fresh_index EXCEPT "
            "SELECT term, doc, col, offset FROM temp.accord_check_index) UNION "
            "SELECT doc FROM (SELECT term, doc, col, offset FROM temp.accord_check_index EXCEPT "
            "SELECT term, doc, col, offset FROM temp.accord_check_fresh_index)")).scalars())
    finally:
        for name in names:
            conn.execute(text(f"DROP TABLE IF EXISTS temp.{name}"))
    statement_ids = set(conn.execute(select(t.statements.c.id)).scalars())
    for row_id in sorted(differ):
        if row_id not in statement_ids:
            message = "the search index holds a statement that does not exist"
        elif row_id not in indexed:
            message = "missing from the search index (searches never find it)"
        elif row_id in fresh:
            message = "the search index holds other words than its text (stale)"
        else:
            message = "the search index holds words for it, but its text has none"
        yield Problem("search", "statements", row_id, message)


def _postgres_search(conn: Connection) -> Iterator[Problem]:
    """PostgreSQL searches through a GIN index on a stored generated column (statements.search_vector,
    to_tsvector of the text, revision 0006), which the server keeps in step with every row, triggers or
    not: only the index's absence, or an index a failed build left invalid, can be wrong there. The words'
    counts (`search_words`, revision 0008), kept by triggers, are compared with a fresh count."""
    valid = conn.execute(text(
        "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE c.oid = to_regclass('ix_statements_fts')")).scalar()
    if valid is None:
        yield Problem("search", "statements", None, "the search index ix_statements_fts is missing: searches read "
                                                    "every statement; recreate it as revision 0006 does")
    elif not valid:
        yield Problem("search", "statements", None, "the search index ix_statements_fts is invalid; REINDEX it")
    kept = {str(w): int(n) for w, n in conn.execute(text("SELECT word, n FROM search_words WHERE n <> 0"))}
    fresh = {str(w): int(n) for w, n in conn.execute(text(
        "SELECT w, count(*) FROM statements s, unnest(tsvector_to_array(s.search_vector)) AS w GROUP BY w"))}
    for word in sorted(set(kept) | set(fresh)):
        said, there = kept.get(word, 0), fresh.get(word, 0)
        if said != there:
            yield Problem("search", "search_words", None,
                          f"the count kept for the word {word!r} is {said}, but {there} statements hold it: a change "
                          "went around the triggers; a search for it alone shows the kept total")


# -- the commitments list's totals -----------------------------------------------------------------

COUNTED = {"all": "all commitments", "status": "status", "relation": "relation", "pillar": "pillar"}


def _counts(conn: Connection) -> Iterator[Problem]:
    """Each kept total against a fresh count of the rows it counts: a total kept wrong is shown on every
    page of its list, so each one is named with both numbers."""
    kept, fresh = kept_counts(conn), fresh_counts(conn)
    for field, value in sorted(set(kept) | set(fresh)):
        said, there = kept.get((field, value), 0), fresh.get((field, value), 0)
        if said != there:
            which = COUNTED.get(field, field) + (f" {value}" if field != "all" else "")
            yield Problem("count", "commitment_counts", None,
                          f"the total kept for {which} is {said}, but {there} commitments are there: a change "
                          "went around the triggers; the commitments list shows the kept total")


__all__ = ["GENESIS", "Problem", "chain_tip", "check", "entry_hash"]
