"""A ledger of a given size for the benchmarks: the bundled samples ingested for real, then copied in SQL.

`build_ledger(url, statements)` ingests `samples/` through `accord.Ledger` (the real pipeline, the real
schema at head), then copies those documents with their statements, mentions, targets, merge reasons and
commitments with INSERT ... SELECT into the same tables — every trigger fires (FTS5, pillars, the status
in force, the kept totals, on PostgreSQL the words' counts) and every index is kept — until the ledger
holds at least `statements` statements. Copy k of a row has the id of the original plus k times the
originals' largest id, so ids stay dense and in order;
each copy is a document of its own (its hash's last 8 digits the copy's number), published up to ten years before the original, with
its own commitments; one commitment in seven gets a reviewed status change (in_progress, stalled, partial,
fulfilled or abandoned in turn), so the status filters have something to find.

On PostgreSQL the secondary indexes (not the primary keys or unique constraints) are dropped before the
copy and created again after it from their own definitions, as a bulk load is done; the triggers stay.
Sequences are moved past the copied ids, so the ledger takes new documents (an ingest benchmark may
reuse it). Then ANALYZE (VACUUM ANALYZE on PostgreSQL), as a settled ledger has.

Run alone: `python bench/big_ledger.py URL STATEMENTS` (prints what it built and how long it took).
"""

from __future__ import annotations

import sys
from datetime import date
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, text

ROOT = Path(__file__).resolve().parent.parent
ROWS_PER_STEP = 400_000  # statements copied per transaction
STATUSES = ("in_progress", "stalled", "partial", "fulfilled", "abandoned")


def build_ledger(url: str, statements: int, say: Callable[[str], None] = lambda _m: None) -> int:
    """Fill the empty ledger at `url` to at least `statements` statements; how many it holds."""
    from accord.api import Ledger

    with Ledger(url) as ledger:
        ledger.ingest(str(ROOT / "samples"))
    engine = create_engine(url)
    try:
        return _replicate(engine, statements, say)
    finally:
        engine.dispose()


def _replicate(engine: Engine, wanted: int, say: Callable[[str], None]) -> int:
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        docs, stmts, comms = (int(conn.execute(text(f"SELECT max(id) FROM {name}")).scalar_one())
                              for name in ("documents", "statements", "commitments"))
    copies = max(0, -(-wanted // stmts) - 1)
    step = max(1, ROWS_PER_STEP // stmts)
    dropped = _drop_indexes(engine) if postgres and copies else []
    started = time.perf_counter()
    for first in range(1, copies + 1, step):
        last = min(copies, first + step - 1)
        with engine.begin() as conn:
            if postgres:
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            else:  # a gigabyte of page cache: FTS5 merges and six indexes, not the disk, set the pace
                conn.exec_driver_sql("PRAGMA cache_size = -1000000")
            _copy(conn, postgres, first, last, docs, stmts, comms)
        say(f"  copies {last:,}/{copies:,} ({(last + 1) * stmts:,} statements, {time.perf_counter() - started:.0f} s)")
    with engine.begin() as conn:
        if copies:
            conn.execute(text(
                "INSERT INTO status_changes (commitment_id, field, value, evidence, observed, origin, recorded_at) "
                "SELECT id, 'status', CASE (id / 7) % 5 " + " ".join(f"WHEN {i} THEN '{s}'" for i, s in enumerate(STATUSES))
                + " END, 'benchmark', :observed, 'reviewed', created_at FROM commitments "
                "WHERE id % 7 = 0 AND id > :c ORDER BY id"), {"c": comms, "observed": date(2026, 1, 1)})
        if postgres:
            for table in ("documents", "statements", "commitments", "mentions", "targets", "merge_reasons",
                          "status_changes"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
    if dropped:
        say(f"  indexes again ({len(dropped)})")
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '2GB'")
            for definition in dropped:
                conn.exec_driver_sql(definition)
    say("  analyze")
    if postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM statements")).scalar_one())


def _copy(conn: Connection, postgres: bool, first: int, last: int, docs: int, stmts: int, comms: int) -> None:
    """Copies `first`..`last` of the original rows (ids up to docs, stmts, comms), in id order."""
    if postgres:
        series = "generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS k(n)"
        older = "d.published - (k.n % 3650)"
        prefix = ""
        tag = "substr(d.sha256, 1, 56) || lpad(to_hex(k.n), 8, '0')"
    else:
        tag = "substr(d.sha256, 1, 56) || printf('%08x', k.n)"
        series = "k"
        older = "date(d.published, '-' || (k.n % 3650) || ' days')"
        prefix = "WITH RECURSIVE k(n) AS (SELECT :first UNION ALL SELECT n + 1 FROM k WHERE n < :last) "
    shift = {"first": first, "last": last, "d": docs, "s": stmts, "c": comms}
    conn.execute(text(
        prefix + "INSERT INTO documents (id, sha256, source, format, title, outlet, published, place, language, "
        "words, text, raw, ingested_at, parties, relation, parties_confidence, parties_evidence, parties_by, "
        f"occasion_id) SELECT d.id + k.n * :d, {tag}, d.source, d.format, d.title, d.outlet, "
        f"{older}, d.place, d.language, d.words, d.text, NULL, d.ingested_at, d.parties, d.relation, "
        f"d.parties_confidence, d.parties_evidence, d.parties_by, NULL FROM {series}, documents d "
        "WHERE d.id <= :d ORDER BY k.n, d.id"), shift)
    conn.execute(text(
        prefix + "INSERT INTO commitments (id, text, pillars, status, created_at, relation) "
        f"SELECT c.id + k.n * :c, c.text, c.pillars, c.status, c.created_at, c.relation FROM {series}, commitments c "
        "WHERE c.id <= :c ORDER BY k.n, c.id"), shift)
    conn.execute(text(
        prefix + 'INSERT INTO statements (id, document_id, seq, start, "end", text, type, confidence, cue, pillars, '
        "actors, commitment_id, embedding) SELECT s.id + k.n * :s, s.document_id + k.n * :d, s.seq, s.start, "
        's."end", s.text, s.type, s.confidence, s.cue, s.pillars, s.actors, s.commitment_id + k.n * :c, NULL '
        f"FROM {series}, statements s WHERE s.id <= :s ORDER BY k.n, s.id"), shift)
    conn.execute(text(
        prefix + 'INSERT INTO mentions (statement_id, start, "end", text, kind, entity_id) '
        'SELECT m.statement_id + k.n * :s, m.start, m."end", m.text, m.kind, m.entity_id '
        f"FROM {series}, mentions m WHERE m.statement_id <= :s ORDER BY k.n, m.id"), shift)
    conn.execute(text(
        prefix + 'INSERT INTO targets (statement_id, metric, value, unit, deadline, start, "end", deadline_start, '
        'deadline_end) SELECT t.statement_id + k.n * :s, t.metric, t.value, t.unit, t.deadline, t.start, t."end", '
        f"t.deadline_start, t.deadline_end FROM {series}, targets t WHERE t.statement_id <= :s ORDER BY k.n, t.id"),
        shift)
    conn.execute(text(
        prefix + "INSERT INTO merge_reasons (commitment_id, statement_id, matched_statement_id, rule, score, detail) "
        "SELECT r.commitment_id + k.n * :c, r.statement_id + k.n * :s, r.matched_statement_id + k.n * :s, r.rule, "
        f"r.score, r.detail FROM {series}, merge_reasons r WHERE r.statement_id <= :s ORDER BY k.n, r.id"), shift)


def _drop_indexes(engine: Engine) -> list[str]:
    """Drop the secondary indexes of the copied tables (not those of primary keys or unique constraints);
    their CREATE statements, to run after the copy."""
    tables = ("documents", "statements", "commitments", "mentions", "targets", "merge_reasons",
              "commitment_pillars", "status_changes")
    with engine.begin() as conn:
        rows = conn.execute(text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY(:tables) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conname = i.indexname)"), {"tables": list(tables)}).all()
        for name, _definition in rows:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


def main() -> None:
    url, wanted = sys.argv[1], int(sys.argv[2])
    started = time.perf_counter()
    total = build_ledger(url, wanted, say=print)
    print(f"{total:,} statements in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
