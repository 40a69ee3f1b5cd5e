"""Issue 13 at the size of a test: corpora as JSONL and Parquet, the Dask engine against the local one,
and a run killed half-way then started again."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, text

from accord.api import Ledger
from accord.ingest.corpus import Record, count_inputs, iter_inputs, record_document
from conftest import CliResult

Cli = Callable[..., CliResult]
ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))

# Reports written for these tests, in several house styles, of two relations; some restate others'
# undertakings so that merging has work to do.
REPORTS = [
    ("kenya-01", "2026-02-10", "Nation Desk", "NAIROBI, Feb 10 - Kenya and Tanzania agreed to complete the "
     "Namanga one-stop border post upgrade by 2027 and to raise bilateral trade to US$2 billion.\n"
     "The presidents also pledged to build a joint fish processing plant on Lake Victoria.\n"),
    ("kenya-02", "2026-02-11", "Coast Herald", "Kenya and Tanzania will raise bilateral trade to US$2 billion, "
     "officials said on Wednesday after talks in Nairobi.\nBoth governments committed to finishing the "
     "Namanga one-stop border post upgrade by 2027.\n"),
    ("chile-01", "2026-05-04", "Andes Wire", "SANTIAGO, May 4 (AW) - Chile and Peru signed an agreement to "
     "interconnect their power grids by 2030.\nThe two countries will set up a working group on lithium "
     "processing within six months.\n"),
    ("chile-02", "2026-05-05", "Lima Ledger", "Peru and Chile pledged to interconnect their power grids by "
     "2030, the foreign ministry said.\nThey also agreed to hold a business forum in Arequipa next year.\n"),
]


def write_jsonl(path: Path, extra: list[dict[str, Any]] | None = None) -> Path:
    lines = [json.dumps({"id": ident, "text": body, "published": day, "outlet": outlet,
                         "title": body.split(" - ")[-1].split(".")[0][:80]})
             for ident, day, outlet, body in REPORTS]
    lines += [json.dumps(x) for x in extra or []]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ledger_state(url: str) -> dict[str, Any]:
    """What a ledger holds, told without ids: each document by its hash with its parties, and each
    commitment as the set of (document hash, start, end) of its statements."""
    engine = create_engine(url)
    with engine.connect() as conn:
        documents = {row.sha256: (row.relation, row.outlet, str(row.published)) for row in conn.execute(text(
            "SELECT sha256, relation, outlet, published FROM documents"))}
        groups: dict[int, set[tuple[str, int, int]]] = {}
        for row in conn.execute(text(
                "SELECT s.commitment_id, d.sha256, s.start, s.\"end\" FROM statements s "
                "JOIN documents d ON d.id = s.document_id WHERE s.commitment_id IS NOT NULL")):
            groups.setdefault(row.commitment_id, set()).add((row.sha256, row.start, row.end))
        statements = conn.execute(text("SELECT count(*) FROM statements")).scalar_one()
        duplicates = conn.execute(text(
            "SELECT count(*) FROM (SELECT sha256 FROM documents GROUP BY sha256 HAVING count(*) > 1) x")).scalar_one()
    engine.dispose()
    return {"documents": documents, "commitments": sorted(sorted(g) for g in groups.values()),
            "statements": statements, "duplicates": duplicates}


# --- corpora as JSONL and Parquet ----------------------------------------------------------------------

def test_jsonl_records_become_documents_with_their_metadata(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "reports.jsonl")
    with Ledger(f"sqlite:///{tmp_path / 'l.db'}") as ledger:
        results = ledger.ingest(str(corpus))
        assert [r.status for r in results] == ["added"] * 4
        assert [r.source for r in results] == [f"{corpus}#{ident}" for ident, *_ in REPORTS]
        docs = {d["source"]: d for d in ledger.documents()}
    first = docs[f"{corpus}#kenya-01"]
    assert (first["outlet"], str(first["published"])) == ("Nation Desk", "2026-02-10")
    assert first["relation"] == "KEN-TZA"
    assert docs[f"{corpus}#chile-02"]["relation"] == "CHL-PER"


def test_a_parquet_corpus_reads_as_the_same_jsonl_corpus(tmp_path: Path) -> None:
    table = pa.table({"id": [r[0] for r in REPORTS], "text": [r[3] for r in REPORTS],
                      "published": [r[1] for r in REPORTS], "outlet": [r[2] for r in REPORTS]})
    pq.write_table(table, tmp_path / "reports.parquet", row_group_size=3)  # two row groups
    jsonl = write_jsonl(tmp_path / "reports.jsonl")
    assert count_inputs([str(tmp_path / "reports.parquet")]) == 4
    from_parquet = [record_document(r) for r in iter_inputs([str(tmp_path / "reports.parquet")])
                    if isinstance(r, Record)]
    from_jsonl = [record_document(r) for r in iter_inputs([str(jsonl)]) if isinstance(r, Record)]
    assert [(d.sha256, d.outlet, d.published) for d in from_parquet] == \
        [(d.sha256, d.outlet, d.published) for d in from_jsonl]
    assert from_parquet[3].source.endswith("reports.parquet#chile-02")


HOSTILE = [
    ("not json", "{\"id\": 1, \"text\": ", "not a JSON object"),
    ("an array", "[1, 2]", "must be a JSON object"),
    ("no id", {"text": "Kenya and Uganda agreed to build a road."}, "has no `id`"),
    ("a boolean id", {"id": True, "text": "Kenya and Uganda agreed to build a road."}, "has no `id`"),
    ("text a number", {"id": "n", "text": 42}, "`text` must be a string"),
    ("empty text", {"id": "e", "text": "  \n "}, "only whitespace"),
    ("NUL in text", {"id": "z", "text": "Kenya\x00 agreed"}, "binary data"),
    ("a date that is not", {"id": "d", "text": "Kenya and Uganda met.", "published": "yesterday"}, "YYYY-MM-DD"),
    ("a script address", {"id": "u", "text": "Kenya and Uganda met.", "url": "javascript:alert(1)"},
     "http(s) address"),
    ("metadata a list", {"id": "m", "text": "Kenya and Uganda met.", "metadata": ["x"]}, "must be an object"),
    ("an outlet object", {"id": "o", "text": "Kenya and Uganda met.", "outlet": {"$ne": 1}}, "must be a string"),
]


def test_bad_records_fail_one_by_one_in_one_line_and_the_rest_is_stored(tmp_path: Path, cli: Cli) -> None:
    corpus = tmp_path / "mixed.jsonl"
    lines = [json.dumps({"id": REPORTS[0][0], "text": REPORTS[0][3]})]
    lines += [raw if isinstance(raw, str) else json.dumps(raw) for _, raw, _ in HOSTILE]
    lines += ["", json.dumps({"id": REPORTS[2][0], "text": REPORTS[2][3]})]  # a blank line is no record
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "l.db"
    done = cli("ingest", str(corpus), "--db", str(db))
    assert done.returncode == 2, done.stderr
    errors = done.stderr.strip().splitlines()
    assert len(errors) == len(HOSTILE), done.stderr
    for line, (_, _, said), number in zip(errors, HOSTILE, range(2, 2 + len(HOSTILE))):
        assert line.startswith(f"accord: error: {corpus}:{number}") and said in line, line
    assert "Traceback" not in done.stderr
    assert done.stdout.splitlines()[-1] == f"2 stored, 0 already in the ledger, {len(HOSTILE)} failed"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone() == (2,)


def test_a_file_that_is_not_parquet_is_refused_in_one_line(tmp_path: Path, cli: Cli) -> None:
    fake = tmp_path / "corpus.parquet"
    fake.write_bytes(b"PAR1 this is not a parquet file at all")
    done = cli("ingest", str(fake), "--db", str(tmp_path / "l.db"))
    assert done.returncode == 2 and done.stderr.startswith(f"accord: error: {fake}: not a Parquet file"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


# --- the Dask engine ---------------------------------------------------------------------------------------

def test_dask_with_two_workers_builds_the_same_ledger_as_the_local_engine(tmp_path: Path, cli: Cli) -> None:
    corpus = write_jsonl(tmp_path / "reports.jsonl")
    folder = tmp_path / "files"
    folder.mkdir()
    for sample in SAMPLES:
        (folder / sample.name).write_text(sample.read_text(encoding="utf-8"), encoding="utf-8")
    local, dask = tmp_path / "local.db", tmp_path / "dask.db"
    went = cli("ingest", str(folder), str(corpus), "--db", str(local))
    assert went.returncode == 0, went.stderr
    went = cli("ingest", str(folder), str(corpus), "--db", str(dask), "--engine", "dask", "--workers", "2")
    assert went.returncode == 0, went.stderr
    assert went.stdout.splitlines()[-1] == f"{len(SAMPLES) + 4} stored, 0 already in the ledger, 0 failed"
    a, b = ledger_state(f"sqlite:///{local}"), ledger_state(f"sqlite:///{dask}")
    assert a == b
    assert len(a["documents"]) == len(SAMPLES) + 4 and a["duplicates"] == 0
    assert any(len({key[0] for key in group}) > 1 for group in a["commitments"]), "nothing merged across documents"
    # Started again on Dask, the job skips every document by its hash and writes nothing.
    again = cli("ingest", str(folder), str(corpus), "--db", str(dask), "--engine", "dask", "--workers", "2")
    assert again.stdout.splitlines()[-1] == f"0 stored, {len(SAMPLES) + 4} already in the ledger, 0 failed"
    assert ledger_state(f"sqlite:///{dask}") == b


def test_extract_on_dask_prints_what_the_local_engine_prints(tmp_path: Path, cli: Cli) -> None:
    corpus = write_jsonl(tmp_path / "reports.jsonl")
    local = cli("extract", str(corpus), *map(str, SAMPLES), "-f", "jsonl")
    dask = cli("extract", str(corpus), *map(str, SAMPLES), "-f", "jsonl", "--engine", "dask", "--workers", "2")
    assert (local.returncode, dask.returncode) == (0, 0), dask.stderr
    assert local.stdout == dask.stdout
    rows = [json.loads(line) for line in local.stdout.splitlines()]
    # The lines the workers encode say what the statement objects say when this process renders them.
    objects = cli("extract", str(corpus), *map(str, SAMPLES), "-f", "json")
    assert objects.returncode == 0, objects.stderr
    assert json.loads(objects.stdout) == rows
    assert {r["document"] for r in rows} >= {f"{corpus}#kenya-01", str(SAMPLES[0])}
    first = next(r for r in rows if r["document"] == f"{corpus}#chile-01")
    assert REPORTS[2][3][first["start"]:first["end"]] == first["text"]  # offsets index the record's text


def _profiled(dask_worker: Any) -> tuple[int, int, bool]:
    """What a worker's statistical profiler holds: call trees kept, samples taken, whether it runs."""
    return (len(dask_worker.profile_history), dask_worker.profile_recent["count"],
            "profile" in dask_worker.periodic_callbacks)


def test_a_local_cluster_keeps_no_profile_so_its_workers_do_not_grow(tmp_path: Path) -> None:
    # Dask's profiler keeps a call tree for every second of work: over a long corpus it is what made a
    # worker grow (docs/scale.md). The cluster Accord starts runs its tasks without it.
    from accord.process.scale import DaskRunner, extract_job

    corpus = write_jsonl(tmp_path / "reports.jsonl")
    run = DaskRunner(None, 1, embed=False)
    try:
        extracted = list(extract_job([str(corpus), *map(str, SAMPLES)], run))
        assert len(extracted) == 4 + len(SAMPLES) and all(e.error is None for e in extracted)
        assert sum(len(e.extracted.statements) for e in extracted) > 20  # the worker did real work
        assert list(run.client.run(_profiled).values()) == [(0, 0, False)]
    finally:
        run.close()


def test_engine_options_are_checked(tmp_path: Path, cli: Cli) -> None:
    corpus = write_jsonl(tmp_path / "reports.jsonl")
    wrong = cli("ingest", str(corpus), "--db", str(tmp_path / "l.db"), "--engine", "spark")
    assert wrong.returncode == 2 and "--engine" in wrong.stderr
    alone = cli("ingest", str(corpus), "--db", str(tmp_path / "l.db"), "--workers", "2")
    assert alone.returncode == 2 and alone.stderr.strip() == \
        "accord: error: --scheduler and --workers go with --engine dask"
    nowhere = cli("ingest", str(corpus), "--db", str(tmp_path / "l.db"), "--engine", "dask",
                  "--scheduler", "tcp://127.0.0.1:1")
    assert nowhere.returncode == 3, nowhere.stderr
    assert nowhere.stderr.startswith("accord: error: cannot reach the Dask scheduler at tcp://127.0.0.1:1")
    assert "Traceback" not in nowhere.stderr
    assert not (tmp_path / "l.db").exists() or sqlite3.connect(tmp_path / "l.db").execute(
        "SELECT count(*) FROM documents").fetchone() == (0,)


# --- killed and started again ------------------------------------------------------------------------------

def test_a_run_killed_half_way_and_started_again_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    bodies = [body for *_, body in REPORTS] + [s.read_text(encoding="utf-8") for s in SAMPLES]
    for i in range(16):
        body = bodies[i % len(bodies)]
        (folder / f"{i:02d}.txt").write_text(body + f"\nThe {i + 1}th meeting of the council took place.\n",
                                             encoding="utf-8")
    whole, resumed = tmp_path / "whole.db", tmp_path / "resumed.db"
    accord = str(Path(sys.executable).parent / "accord")
    subprocess.run([accord, "ingest", str(folder), "--db", str(whole), "-q"], check=True)

    run = subprocess.Popen([accord, "ingest", str(folder), "--db", str(resumed)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"})
    stored = 0
    deadline = time.monotonic() + 300  # a bound, not a timing: the first document comes after the model loads
    while stored < 2 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        stored = _documents(resumed)
    run.send_signal(signal.SIGKILL)
    run.communicate()
    stored = _documents(resumed)
    assert 0 < stored < 16, f"the run was not stopped half-way ({stored} documents stored)"

    again = subprocess.run([accord, "ingest", str(folder), "--db", str(resumed)], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1] == f"{16 - stored} stored, {stored} already in the ledger, 0 failed"
    assert ledger_state(f"sqlite:///{resumed}") == ledger_state(f"sqlite:///{whole}")
    assert ledger_state(f"sqlite:///{resumed}")["duplicates"] == 0


def _documents(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0  # not created yet


def test_a_corpus_ingested_into_postgresql_gives_the_sqlite_ledger(postgres_url: str, tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    corpus = write_jsonl(tmp_path / "reports.jsonl")
    name = f"accord_scale_{os.getpid()}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        with Ledger(url) as ledger:
            ledger.ingest(str(corpus))
        with Ledger(f"sqlite:///{tmp_path / 'l.db'}") as ledger:
            ledger.ingest(str(corpus))
        pg, lite = ledger_state(url), ledger_state(f"sqlite:///{tmp_path / 'l.db'}")
        assert pg["commitments"] == lite["commitments"] and pg["statements"] == lite["statements"]
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- what a run holds for merging is bounded ---------------------------------------------------------------

def test_a_run_holding_one_relation_at_a_time_builds_the_same_ledger(tmp_path: Path, monkeypatch: Any) -> None:
    # Relations interleaved, so that each is dropped when the other is met, then read again whole.
    order = ["kenya-01", "chile-01", "kenya-02", "chile-02"]
    records = {ident: (ident, day, outlet, body) for ident, day, outlet, body in REPORTS}
    corpus = tmp_path / "interleaved.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "text": records[i][3], "published": records[i][1],
                                          "outlet": records[i][2]}) + "\n" for i in order), encoding="utf-8")
    with Ledger(f"sqlite:///{tmp_path / 'all.db'}") as ledger:
        ledger.ingest(str(corpus))
    monkeypatch.setenv("ACCORD_MERGE_BUDGET", "1")
    with Ledger(f"sqlite:///{tmp_path / 'one.db'}") as ledger:
        ledger.ingest(str(corpus))
    held_all, held_one = ledger_state(f"sqlite:///{tmp_path / 'all.db'}"), ledger_state(f"sqlite:///{tmp_path / 'one.db'}")
    assert held_one == held_all
    # the second report of each relation restates the first: it was merged after its relation was reloaded
    assert any(len({sha for sha, _, _ in group}) == 2 for group in held_one["commitments"])


def test_the_merging_state_drops_the_relation_met_least_recently_past_its_budget(tmp_path: Path) -> None:
    from accord.ingest import text_document
    from accord.ledger import store
    from accord.process.ingest import ingest_document
    from accord.process.known import KnownState

    engine = store.open_engine(f"sqlite:///{tmp_path / 'l.db'}")
    texts = {ident: body for ident, _, _, body in REPORTS}
    state = KnownState(budget=1)
    held = []
    for ident in ["kenya-01", "chile-01", "kenya-02", "chile-02"]:
        ingest_document(engine, text_document(texts[ident], ident), state)
        held.append({relation: index.statements for relation, index in state.relations.items()})
    engine.dispose()
    kenya, chile = next(iter(held[0])), next(iter(held[1]))
    # one relation at a time, the one just placed; a document's own statements join at the next refresh
    assert kenya != chile and [list(h) for h in held] == [[kenya], [chile], [kenya], [chile]]
    # met again, each was read again whole from the ledger: its first report's statements are back
    assert held[2][kenya] > 0 and held[3][chile] > 0


def test_a_bad_merge_budget_is_refused_in_one_line(tmp_path: Path, cli: Cli, monkeypatch: Any) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text(REPORTS[0][3], encoding="utf-8")
    monkeypatch.setenv("ACCORD_MERGE_BUDGET", "lots")
    result = cli("ingest", str(doc), "--db", f"sqlite:///{tmp_path / 'l.db'}")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and "ACCORD_MERGE_BUDGET" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["0", "-5", "1e9", "²", "12 statements"])
def test_a_merge_budget_that_is_not_a_positive_whole_number_is_refused(value: str, monkeypatch: Any) -> None:
    from accord.errors import AccordError
    from accord.process.known import merge_budget

    monkeypatch.setenv("ACCORD_MERGE_BUDGET", value)
    with pytest.raises(AccordError, match="ACCORD_MERGE_BUDGET"):
        merge_budget()
