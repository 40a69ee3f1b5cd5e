"""History that can't be rewritten from SQL, and `accord check` finding what was changed around it."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from accord.api import Ledger
from accord.process import record_status
from accord.ledger import tables as t
from accord.ledger import tracking
from accord.ledger.integrity import GENESIS, entry_hash

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = str(ROOT / "samples" / "cambodia-thailand-2026-05-20-border-trade.txt")
H = t.status_changes


def ledger_with_history(url: str) -> tuple[Ledger, list[int]]:
    """The sample ingested, three status entries recorded on two commitments, one observation, one decision;
    the ids of the entries, oldest first."""
    ledger = Ledger(url)
    ledger.ingest(SAMPLE)
    first, second = (c["id"] for c in ledger.commitments()[:2])
    ledger.status(first, "in_progress", "Checkpoints reopened on 1 June (ministry notice)", by="a",
                  observed=date(2026, 6, 1))
    ledger.status(second, "stalled", "Committee not yet formed", by="b", observed=date(2026, 6, 2))
    ledger.status(first, "fulfilled", "All four checkpoints open", by="a", observed=date(2026, 6, 3))
    ledger.add_indicator("Cambodia-Thailand bilateral trade", "USD")
    ledger.observe("Cambodia-Thailand bilateral trade", "2025", "10200000000", "customs statistics")
    with ledger.engine.begin() as conn:
        conn.execute(insert(t.decisions).values(kind="apart", a_key="a:0:1", b_key="b:0:1", by="a",
                                                created_at=datetime.now(UTC)))
        ids = list(conn.execute(select(H.c.id).order_by(H.c.id)).scalars())
    assert len(ids) == 3
    return ledger, ids


@contextmanager
def around_the_triggers(engine: Engine) -> Iterator[Connection]:
    """A transaction that goes around the triggers as SQL can: PostgreSQL's replica mode (which silences
    every trigger, foreign keys included), or on SQLite 0002's triggers dropped."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER status_changes_no_update"))
            conn.execute(text("DROP TRIGGER status_changes_no_delete"))
        else:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        yield conn


def refused(engine: Engine, statement: object, match: str = "append-only") -> None:
    with pytest.raises(DBAPIError, match=match):
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # a lock held elsewhere fails the test rather than hanging it
                conn.execute(text("SET LOCAL lock_timeout = '20s'"))
            conn.execute(statement if not isinstance(statement, str) else text(statement))  # type: ignore[arg-type]


def found(problems: list, *kinds: str) -> set[tuple[str, str, int | None]]:  # type: ignore[type-arg]
    return {(p.kind, p.table, p.id) for p in problems if not kinds or p.kind in kinds}


def history_rows(engine: Engine) -> list[dict[str, object]]:
    """The status history, read on a connection closed at once: one left open in a transaction (as an
    unclosed `engine.connect()` is, until it is collected) holds a lock that TRUNCATE waits on forever."""
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(H).order_by(H.c.id))]


def test_history_refuses_replace_update_delete_and_truncate(ledger_url: str) -> None:
    ledger, ids = ledger_with_history(ledger_url)
    engine, sqlite = ledger.engine, ledger_url.startswith("sqlite")
    with ledger:
        before = history_rows(engine)
        for table in (H, t.decisions, t.observations):
            refused(engine, update(table).values(id=table.c.id))
            refused(engine, delete(table))
        if sqlite:
            refused(engine, f"INSERT OR REPLACE INTO status_changes (id, commitment_id, field, value, evidence, "
                            f"observed, origin, recorded_at) VALUES ({ids[0]}, 1, 'status', 'abandoned', 'forged', "
                            "'2026-01-01', 'reviewed', '2026-01-01 00:00:00')", "status history is append-only")
            refused(engine, f"REPLACE INTO status_changes SELECT * FROM status_changes WHERE id = {ids[1]}")
            refused(engine, "INSERT OR REPLACE INTO decisions SELECT * FROM decisions")
            # A REPLACE on the observation's unique key (with a new id) would delete the old row just the same.
            refused(engine, "INSERT OR REPLACE INTO observations (indicator_id, period, value, source, recorded_at) "
                            "SELECT indicator_id, period, 1, source, recorded_at FROM observations",
                    "observations are append-only")
        else:
            refused(engine, "TRUNCATE status_changes", "status history is append-only")
            refused(engine, "TRUNCATE decisions", "decisions is append-only history")
            refused(engine, "TRUNCATE observations", "observations is append-only history")
            refused(engine, "TRUNCATE commitments CASCADE", "append-only")
        after = history_rows(engine)
        assert after == before
        # Appending still works, and an observation already there is still "nothing new", not an error.
        ledger.observe("Cambodia-Thailand bilateral trade", "2025", "10200000000", "customs statistics")
        with engine.connect() as conn:
            assert len(conn.execute(select(t.observations)).all()) == 1
        assert ledger.check() == []


def test_an_edit_around_the_triggers_goes_through_and_check_finds_it(ledger_url: str, cli: Callable) -> None:  # type: ignore[type-arg]
    ledger, ids = ledger_with_history(ledger_url)
    with ledger:
        clean = cli("check", "--db", ledger_url)
        assert (clean.returncode, clean.stderr) == (0, "")
        assert clean.stdout.strip().splitlines() == [
            "no problems: hashes, offsets, references, history chain, search index and list totals check"]
        with around_the_triggers(ledger.engine) as conn:
            conn.execute(update(H).where(H.c.id == ids[0]).values(value="abandoned", evidence="forged"))
        assert [h["evidence"] for h in ledger.history(ledger.commitments()[0]["id"])][0] == "forged"  # it went through
    broken = cli("check", "--db", ledger_url)
    assert broken.returncode == 1, broken.stderr
    assert broken.stdout.splitlines() == [
        f"history: status_changes {ids[0]}: its contents do not match its hash: the entry was changed after it "
        "was recorded",
        "1 problem (1 history)"]
    as_json = cli("check", "--db", ledger_url, "--format", "json")
    assert as_json.returncode == 1, as_json.stderr
    found = json.loads(as_json.stdout)
    assert found["counts"] == {"history": 1}
    assert [(p["kind"], p["table"], p["id"]) for p in found["problems"]] == [("history", "status_changes", ids[0])]


def test_a_removed_entry_is_found_at_the_entry_after_it(ledger_url: str) -> None:
    ledger, ids = ledger_with_history(ledger_url)
    with ledger:
        with around_the_triggers(ledger.engine) as conn:
            conn.execute(delete(H).where(H.c.id == ids[1]))
        problems = ledger.check()
    assert [str(p) for p in problems] == [
        f"status_changes {ids[2]}: it does not chain to entry {ids[0]} (prev_hash differs): an entry between them "
        "was removed, or the history was rewritten"]


def test_check_finds_each_corruption_where_it_is(ledger_url: str, cli: Callable) -> None:  # type: ignore[type-arg]
    ledger, _ids = ledger_with_history(ledger_url)
    sqlite = ledger_url.startswith("sqlite")
    with ledger, ledger.engine.begin() as conn:
        S, D, M = t.statements, t.documents, t.mentions
        shifted, gone, stale = conn.execute(select(S.c.id).order_by(S.c.id).limit(3)).scalars().all()
        doc = conn.execute(select(D.c.id)).scalar_one()
        conn.execute(update(S).where(S.c.id == shifted).values(start=S.c.start + 1))
        conn.execute(update(D).where(D.c.id == doc).values(text=D.c.text + " Added later."))  # no statement moves
        if sqlite:
            conn.execute(text("DELETE FROM statements_fts WHERE rowid = :id"), {"id": gone})
            # The text changes (off its offsets), and its index entry is put back to the old words behind the
            # UPDATE trigger's back (revision 0006 keeps them in step): stale.
            before = conn.execute(select(S.c.text).where(S.c.id == stale)).scalar_one()
            conn.execute(update(S).where(S.c.id == stale).values(text=S.c.text + " (sic)"))
            conn.execute(text("INSERT INTO statements_fts(statements_fts, rowid, text) VALUES ('delete', :id, :t)"),
                         {"id": stale, "t": before + " (sic)"})
            conn.execute(text("INSERT INTO statements_fts(rowid, text) VALUES (:id, :t)"), {"id": stale, "t": before})
        else:
            conn.execute(text("DROP INDEX ix_statements_fts"))
    # An orphan needs the foreign keys silenced: a connection with them off (SQLite), replica mode (PostgreSQL).
    engine = create_engine(ledger_url)
    with engine.begin() as conn:
        if not sqlite:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        orphan = conn.execute(insert(t.mentions).values(statement_id=10**6, start=0, end=3, text="The", kind="place")
                              .returning(t.mentions.c.id)).scalar_one()
    engine.dispose()
    with Ledger(ledger_url) as again:
        problems = again.check()
    expected = {("offsets", "statements", shifted), ("document", "documents", doc),
                ("reference", "mentions", orphan)}
    if sqlite:
        expected |= {("search", "statements", gone), ("search", "statements", stale), ("offsets", "statements", stale)}
    else:
        expected |= {("search", "statements", None)}
    assert found(problems) == expected and len(problems) == len(expected)
    words = {(p.kind, p.id): p.message for p in problems}
    assert words[("document", doc)] == ("its text is not the text it was stored with (sha256 differs): the text "
                                        "was changed")
    said = re.fullmatch(r"its text is not document \d+'s text at \d+:\d+: from character 0 it says '(.{24})…', "
                        r"the document '(.{24})…'", words[("offsets", shifted)])
    assert said and said[1][1:] == said[2][:-1], words[("offsets", shifted)]  # one character off, shown side by side
    assert words[("reference", orphan)] == "its statement_id 1000000 names no row of statements"
    if sqlite:
        assert words[("search", gone)] == "missing from the search index (searches never find it)"
        assert words[("search", stale)] == "the search index holds other words than its text (stale)"
    else:
        assert words[("search", None)].startswith("the search index ix_statements_fts is missing")
    result = cli("check", "--db", ledger_url)
    assert result.returncode == 1 and len(result.stdout.splitlines()) == len(expected) + 1
    assert result.stdout.splitlines()[-1].startswith(f"{len(expected)} problems (1 document, ")


def test_existing_history_is_chained_by_the_migration(ledger_url: str) -> None:
    """A ledger at revision 0003 with a history: upgrading chains it in id order, as appends would."""
    from alembic import command
    from alembic.config import Config

    recorded = datetime(2026, 1, 4, 10, 0, 0, 123456, tzinfo=UTC)
    engine = create_engine(ledger_url)
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(resources.files("accord.ledger") / "migrations"))
        config.attributes["connection"] = conn
        command.upgrade(config, "0003")
        conn.execute(insert(t.commitments).values(id=1, text="x", pillars=[], status="announced",
                                                  created_at=recorded))
        for k in (1, 2, 3):  # the columns of 0003: no prev_hash, no hash yet
            conn.execute(insert(H).values(commitment_id=1, field="status", value="in_progress", evidence=f"é {k}",
                                          observed=date(2026, 1, k), origin="reviewed", recorded_at=recorded,
                                          supersedes=k - 1 or None))
    engine.dispose()
    with Ledger(ledger_url) as ledger:
        with ledger.engine.connect() as conn:
            rows = conn.execute(select(H).order_by(H.c.id)).mappings().all()
        prev = GENESIS
        for row in rows:
            assert (row["prev_hash"], row["hash"]) == (prev, entry_hash(prev, row))
            prev = row["hash"]
        assert len(rows) == 3 and ledger.check() == []
        # The next append chains to the backfilled tip (the bare commitment has no statement, so no Ledger.status).
        record_status(ledger.engine, 1, "stalled", "Works halted", by="a")
        with ledger.engine.connect() as conn:
            assert tracking.history(conn, 1)[-1]["prev_hash"] == prev
        assert ledger.check() == []


def test_appends_at_once_keep_one_chain(ledger_url: str) -> None:
    ledger, _ids = ledger_with_history(ledger_url)
    commitment = ledger.commitments()[2]["id"]
    errors: list[BaseException] = []

    def append(who: str) -> None:
        try:
            with Ledger(ledger_url) as mine:
                for k in range(5):
                    mine.status(commitment, "in_progress", f"report {k} by {who}", by=who)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(who,)) for who in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with ledger:
        assert errors == [] and len(ledger.history(commitment)) == 10
        assert ledger.check() == []


def test_check_refuses_bad_input(tmp_path: Path, cli: Callable) -> None:  # type: ignore[type-arg]
    missing = tmp_path / "typo.db"
    result = cli("check", "--db", f"sqlite:///{missing}")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"accord: error: no ledger at {missing}: check --db (`accord ingest` creates one)\n"
    assert not missing.exists()  # not created empty, to check clean
    bad = cli("check", "--db", f"sqlite:///{missing}", "--format", "csv")
    assert bad.returncode == 2 and "must be one of table, json" in bad.stderr
    unknown = cli("check", "--db", "nosuchdb://x")
    assert unknown.returncode == 2 and unknown.stderr.startswith("accord: error: cannot open ledger")
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_check_finds_a_list_total_kept_wrong(ledger_url: str, cli: Callable) -> None:  # type: ignore[type-arg]
    """The commitments list's totals (revision 0007) drift only around their triggers: a commitment written
    with them silenced, or the kept row edited. `accord check` names each total with both numbers."""
    from test_search import add_document

    from accord.ledger.store import transaction

    with Ledger(ledger_url) as ledger:
        with transaction(ledger.engine) as conn:
            add_document(conn, ["Open the border.", "Raise trade."], relation="KHM-THA")
        assert ledger.commitments_page(relation="KHM-THA")[1] == 2 and ledger.check() == []
        with ledger.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(text("DROP TRIGGER commitment_counts_insert"))
            else:  # replica mode silences every trigger, the pillar rows' too: this commitment has no pillar
                conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(insert(t.commitments).values(text="Unseen.", pillars=[], status="announced",
                                                      created_at=datetime.now(UTC), relation="KHM-THA"))
            conn.execute(update(t.commitment_counts).where(t.commitment_counts.c.field == "pillar")
                         .values(n=t.commitment_counts.c.n + 5))
        assert ledger.commitments_page(relation="KHM-THA")[1] == 2  # the list shows the total kept
        problems = ledger.check()
    assert [str(p) for p in problems] == [
        "commitment_counts: the total kept for all commitments is 2, but 3 commitments are there: a change went "
        "around the triggers; the commitments list shows the kept total",
        "commitment_counts: the total kept for pillar economy_trade is 7, but 2 commitments are there: a change "
        "went around the triggers; the commitments list shows the kept total",
        "commitment_counts: the total kept for relation KHM-THA is 2, but 3 commitments are there: a change went "
        "around the triggers; the commitments list shows the kept total",
        "commitment_counts: the total kept for status announced is 2, but 3 commitments are there: a change went "
        "around the triggers; the commitments list shows the kept total"]
    result = cli("check", "--db", ledger_url)
    assert result.returncode == 1 and result.stdout.splitlines()[-1] == "4 problems (4 count)"
