"""Writers take turns: two ingest runs at once give the serial result, a person's writes succeed while an
ingest runs, a writer kept waiting is told so in words, and a first migration killed half-way leaves a
ledger that opens. On SQLite and PostgreSQL (the `ledger_url` fixture)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import job_finished
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, select, text

from accord.api import Ledger
from accord.config import Settings
from accord.ledger import store
from accord.ledger import tables as t
from accord.web import create_app

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TOKEN = {"Authorization": "Bearer s3cret"}
Grouping = frozenset[frozenset[tuple[str, int, int]]]


def write_texts(folder: Path) -> list[Path]:
    """Each sample, then a copy under another headline: a second document whose every statement is the
    same sentence as one of the first's, so two writers placing them at once are the race that split
    identical sentences across two commitments."""
    folder.mkdir()
    out: list[Path] = []
    for sample in sorted(SAMPLES.glob("*.txt")):
        headline, rest = sample.read_text(encoding="utf-8").split("\n", 1)
        for n, body in enumerate((f"{headline}\n{rest}", f"Update: {headline}\n{rest}")):
            out.append(folder / f"{len(out) + 1}-{sample.stem}-{n}.txt")
            out[-1].write_text(body, encoding="utf-8")
    return out


def accord(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`accord ARGS...` started, not awaited, in a process of its own."""
    return subprocess.Popen([sys.executable, "-m", "accord", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})})


def finish(process: subprocess.Popen[str], timeout: float = 300) -> None:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"exit {process.returncode}: {err.strip() or out.strip()}"


def ledger_state(url: str) -> tuple[set[str], int, int, Grouping]:
    """Documents (by text hash), statements, commitments, and which statements share a commitment."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            docs = set(conn.scalars(select(t.documents.c.sha256)))
            statements = len(conn.execute(select(t.statements.c.id)).all())
            commitments = len(conn.execute(select(t.commitments.c.id)).all())
            members: dict[int, set[tuple[str, int, int]]] = {}
            for cid, sha, start, end in conn.execute(
                    select(t.statements.c.commitment_id, t.documents.c.sha256, t.statements.c.start,
                           t.statements.c.end).join(t.documents, t.documents.c.id == t.statements.c.document_id)
                    .where(t.statements.c.commitment_id.is_not(None))):
                members.setdefault(cid, set()).add((sha, start, end))
    finally:
        engine.dispose()
    return docs, statements, commitments, frozenset(frozenset(m) for m in members.values())


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_texts(tmp_path_factory.mktemp("concurrency") / "texts")


@pytest.fixture(scope="module")
def serial(texts: list[Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], int, int, Grouping]:
    """The ledger of every text ingested one after the other, by one writer."""
    url = f"sqlite:///{tmp_path_factory.mktemp('serial') / 'serial.db'}"
    with Ledger(url) as ledger:
        assert [r.status for r in ledger.ingest(*map(str, texts))] == ["added"] * len(texts)
    return ledger_state(url)


def test_serial_result_pairs_each_sentence_with_its_copy(serial: tuple[set[str], int, int, Grouping]) -> None:
    docs, statements, commitments, grouping = serial
    assert len(docs) == 6 and commitments == 12
    assert all(len(group) == 2 and len({sha for sha, _, _ in group}) == 2 for group in grouping)


@pytest.mark.parametrize("split", ["overlapping", "copies apart", "same folder"])
def test_two_ingest_runs_at_once_give_the_serial_result(ledger_url: str, texts: list[Path], split: str,
                                                        serial: tuple[set[str], int, int, Grouping]) -> None:
    # Overlapping: A takes texts 1..5 and B 2..6, so each is placing a text while the other places its
    # copy, or storing the same one. Copies apart: A takes the samples, B their copies, so the one race
    # is placing identical sentences at once (which split them across two commitments before the
    # write lock). Both on a ledger already opened. Same folder: both race for every text (a unique-key
    # crash) and, the ledger new, to migrate it.
    first, second = {"overlapping": (texts[:-1], texts[1:]), "copies apart": (texts[0::2], texts[1::2]),
                     "same folder": (texts, texts)}[split]
    if split != "same folder":
        store.open_engine(ledger_url).dispose()
    runs = [accord("ingest", *map(str, files), "--db", ledger_url, "-q") for files in (first, second)]
    for run in runs:  # both are started (and open the new, empty ledger) before either is awaited
        finish(run)
    assert ledger_state(ledger_url) == serial


@pytest.fixture()
def client(ledger_url: str, texts: list[Path]) -> Iterator[TestClient]:
    with Ledger(ledger_url) as ledger:
        ledger.ingest(str(texts[0]))
    settings = Settings(database_url=ledger_url, api_tokens=("s3cret",), secret_key="k")
    with TestClient(create_app(settings)) as c:
        yield c


def test_status_writes_succeed_while_an_ingest_runs(client: TestClient, ledger_url: str, texts: list[Path]) -> None:
    commitment = client.get("/api/v1/commitments").json()["items"][0]["id"]
    run = accord("ingest", *map(str, texts[1:]), "--db", ledger_url, "-q")
    answers: list[int] = []
    documents_seen: set[int] = set()
    while run.poll() is None:
        value = ("in_progress", "stalled")[len(answers) % 2]
        answers.append(client.post(f"/api/v1/commitments/{commitment}/status", headers=TOKEN,
                                   json={"status": value, "evidence": f"report {len(answers)}"}).status_code)
        documents_seen.add(client.get("/api/v1/documents").json()["total"])
    finish(run)
    assert len(documents_seen) > 1, "the writes never overlapped the ingest: nothing was tested"
    assert answers == [201] * len(answers)
    history = client.get(f"/api/v1/commitments/{commitment}").json()["history"]
    assert [h["evidence"] for h in history] == [f"report {n}" for n in range(len(answers))]
    assert client.get("/api/v1/documents").json()["total"] == len(texts)


def hold_write_lock(url: str) -> tuple[Engine, object]:
    """Another writer holding the ledger's write lock, outside Accord: a raw BEGIN IMMEDIATE on SQLite,
    the advisory lock on PostgreSQL. Returns what to release."""
    if url.startswith("sqlite"):
        raw = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        raw.execute("BEGIN IMMEDIATE")
        return create_engine(url), raw
    engine = create_engine(url)
    conn = engine.connect()
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": store.WRITE_LOCK_KEY})
    return engine, conn


def test_a_writer_kept_waiting_is_told_in_words_and_readers_never_wait(
        ledger_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "WRITE_WAIT_S", 1.0)
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 200)
    engine = store.open_engine(ledger_url)
    other, held = hold_write_lock(ledger_url)
    try:
        began = time.monotonic()
        with engine.connect() as conn:  # a read while another writer holds the lock
            assert conn.execute(select(t.documents.c.id)).all() == []
        assert time.monotonic() - began < 1.0
        with pytest.raises(store.LedgerError, match=r"^the ledger is locked by another writer \(waited 1 s\)"):
            with store.transaction(engine):
                pass
    finally:
        held.close()  # type: ignore[attr-defined]  # a sqlite3 or SQLAlchemy connection: both close
        other.dispose()
    with store.transaction(engine) as conn:  # released: the next writer goes ahead
        conn.execute(t.decisions.insert().values(kind="apart", a_key="a", b_key="b", created_at=store.now()))
    engine.dispose()


def test_a_first_migration_killed_half_way_leaves_a_ledger_that_opens(tmp_path: Path) -> None:
    # ACCORD_TEST_MIGRATION_PAUSE (migrations/env.py) holds the migration after its first revision,
    # inside its transaction, so the kill lands mid-migration every time rather than by luck.
    db, marker = tmp_path / "ledger.db", tmp_path / "paused"
    url = f"sqlite:///{db}"
    opening = subprocess.Popen([sys.executable, "-c", f"from accord.ledger import open_engine; open_engine({url!r})"],
                               env={**os.environ, "ACCORD_TEST_MIGRATION_PAUSE": str(marker)})
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert opening.poll() is None and time.monotonic() < deadline, "the migration never paused"
        time.sleep(0.05)
    opening.send_signal(signal.SIGKILL)
    assert opening.wait() == -signal.SIGKILL
    assert db.exists()  # the kill left a file behind: the case that used to brick the ledger
    with Ledger(url) as ledger:
        with ledger.engine.connect() as conn:
            assert store.revision(conn) == store.head() is not None
        result = ledger.ingest(str(sorted(SAMPLES.glob("*.txt"))[0]))
        assert [r.status for r in result] == ["added"] and len(ledger.commitments()) == 4




@pytest.mark.parametrize("then_split", [False, True], ids=["merge", "merge-then-split"])
def test_a_merge_between_documents_of_a_run_is_seen_by_the_run(ledger_url: str, texts: list[Path],
                                                               tmp_path: Path, then_split: bool) -> None:
    # One run's merging state, and a person's merge (the web's, say) of commitments the run has
    # already read, committed between two of its documents. The next document, a copy of the merged
    # one, must be placed as a fresh state would place it, never in the commitment the merge removed
    # (which was a foreign-key crash). Split again, the relation holds as many commitments as the run
    # has read, but not the same ones: the run must still see the change.
    from accord.ingest import read_document
    from accord.process import merge_commitments, split_statement
    from accord.process.ingest import ingest_document
    from accord.process.known import KnownState

    def run(url: str, state: KnownState | None) -> tuple[set[str], int, int, Grouping]:
        engine = store.open_engine(url)
        for n in (0, 2, None, 1):  # the first sample, another one, the merge, the first one's copy
            if n is None:
                with engine.connect() as conn:
                    keep, other = sorted(conn.scalars(select(t.commitments.c.id)))[:2]
                merge_commitments(engine, keep, other, by="analyst")
                if then_split:
                    with engine.connect() as conn:
                        moved = max(conn.scalars(select(t.statements.c.id).where(t.statements.c.commitment_id == keep)))
                    split_statement(engine, keep, moved, by="analyst")
            else:
                assert ingest_document(engine, read_document(texts[n]), state).status == "added"
        engine.dispose()
        return ledger_state(url)

    fresh_each_time = run(f"sqlite:///{tmp_path / 'reference.db'}", None)
    assert fresh_each_time[1:3] == (22, 8)
    assert run(ledger_url, KnownState()) == fresh_each_time


def test_two_ingests_and_the_web_server_writing_at_once_give_the_serial_result(
        client: TestClient, ledger_url: str, texts: list[Path], serial: tuple[set[str], int, int, Grouping]) -> None:
    """Two `accord ingest` processes over overlapping texts, while the server records status changes and
    runs an ingest job of its own: the ledger is the serial one, and every web write succeeds."""
    commitment = client.get("/api/v1/commitments").json()["items"][0]["id"]
    runs = [accord("ingest", *map(str, files), "--db", ledger_url, "-q") for files in (texts[1:-1], texts[2:])]
    job = client.post("/api/v1/documents", headers=TOKEN, json={"text": texts[3].read_text(encoding="utf-8"),
                                                                "source": texts[3].name}).json()
    answers: list[int] = []
    while any(run.poll() is None for run in runs) or len(answers) < 3:
        value = ("in_progress", "stalled")[len(answers) % 2]
        answers.append(client.post(f"/api/v1/commitments/{commitment}/status", headers=TOKEN,
                                   json={"status": value, "evidence": f"report {len(answers)}"}).status_code)
    for run in runs:
        finish(run)
    done = job_finished(client, job["url"])
    assert done["status"] == "done" and done["result"]["status"] in ("added", "unchanged"), done
    assert answers == [201] * len(answers)
    history = client.get(f"/api/v1/commitments/{commitment}").json()["history"]
    assert [h["evidence"] for h in history] == [f"report {n}" for n in range(len(answers))]
    assert ledger_state(ledger_url) == serial
