"""Faults of the machine, said in words: a full disk, a read-only database, a server that is not there.

The faults are real: SQLite's own "database or disk is full" (its page limit lowered on each connection,
as a small disk would end it), `/dev/full` for a full disk under a file, a PostgreSQL database set
read-only, and a port where no server listens. Each must end in one line and exit 1 on the command line,
a 503 in words on the web, and leave what was stored as it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

from accord.api import Ledger
from accord.config import Settings
from accord.errors import fault
from accord.web import create_app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
LONG = "".join(f"Kenya and Chile agreed to build {n} schools in the northern provinces by 2030.\n" for n in range(400))
TOKEN = {"Authorization": "Bearer s3cret"}

# `accord ARGS` in a fresh process whose SQLite connections may grow the file to PAGES pages at most.
SMALL_DISK = """
import sys
from sqlalchemy import event
from sqlalchemy.engine import Engine

PAGES = sys.argv.pop(1)


@event.listens_for(Engine, "connect")
def _small(dbapi_connection, _record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.execute("PRAGMA max_page_count = " + PAGES)


from accord.cli import main

sys.argv[0] = "accord"
main()
"""


@pytest.fixture()
def full(tmp_path: Path) -> tuple[str, int]:
    """A SQLite ledger holding the samples, and the number of pages it fills: no room for more."""
    db = tmp_path / "full.db"
    with Ledger(f"sqlite:///{db}") as ledger:
        ledger.ingest(str(SAMPLES))
    with ledger.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())
    return f"sqlite:///{db}", pages


def small_disk(tmp_path: Path, pages: int, *args: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "small_disk.py"
    script.write_text(SMALL_DISK, encoding="utf-8")
    return subprocess.run([sys.executable, str(script), str(pages), *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONWARNINGS": "ignore"})


def counts(url: str) -> tuple[int, int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # type: ignore[return-value]
                         for table in ("documents", "statements", "status_changes"))
    finally:
        engine.dispose()


FULL_WORDS = ("accord: error: the disk holding the ledger is full (or the database reached its size limit): "
              "nothing of this write was stored; free space and run again\n")


def test_a_full_disk_under_sqlite_is_one_line_and_stores_nothing(full: tuple[str, int], tmp_path: Path,
                                                                 cli: Callable) -> None:  # type: ignore[type-arg]
    url, pages = full
    before = counts(url)
    note = tmp_path / "long.txt"
    note.write_text(LONG, encoding="utf-8")
    ingest = small_disk(tmp_path, pages, "ingest", str(note), "--db", url)
    assert (ingest.returncode, ingest.stderr) == (1, FULL_WORDS), ingest.stderr
    status = small_disk(tmp_path, pages, "status", "1", "stalled", "--evidence", "x" * 100_000, "--db", url)
    assert (status.returncode, status.stderr) == (1, FULL_WORDS), status.stderr
    assert counts(url) == before  # nothing half-written
    checked = cli("check", "--db", url)
    assert checked.returncode == 0, checked.stdout
    again = small_disk(tmp_path, pages + 400, "ingest", str(note), "--db", url)  # room again: it goes in
    assert again.returncode == 0, again.stderr
    assert counts(url)[0] == before[0] + 1


def test_output_to_a_full_disk_is_one_line(full: tuple[str, int]) -> None:
    url, _ = full
    with open("/dev/full", "w") as devfull:
        done = subprocess.run([sys.executable, "-m", "accord", "commitments", "--format", "json", "--db", url],
                              stdout=devfull, stderr=subprocess.PIPE, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (1, "accord: error: no space left on the disk: free space and run "
                                                 "again\n")


def test_fault_reads_the_real_errors(tmp_path: Path) -> None:
    with pytest.raises(OSError) as written, open("/dev/full", "w") as devfull:
        devfull.write("x")
        devfull.flush()
    assert fault(written.value) == "no space left on the disk: free space and run again"
    assert fault(OSError(28, "No space left on device", "/var/x.jsonl")) == (
        "no space left on the disk (writing /var/x.jsonl): free space and run again")
    engine = create_engine(f"sqlite:///{tmp_path / 'tiny.db'}")
    with pytest.raises(Exception) as filled, engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA max_page_count = 3")
        conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
        conn.exec_driver_sql("INSERT INTO t VALUES (?)", ("x" * 100_000,))
    engine.dispose()
    assert fault(filled.value) is not None and fault(filled.value).startswith("the disk holding the ledger is full")
    assert fault(ValueError("database or disk is full")) is None  # Accord's own words are not the driver's
    assert fault(RuntimeError("boom")) is None


@pytest.fixture()
def small_app_disk(full: tuple[str, int]) -> Iterator[tuple[str, int]]:
    """The web app's SQLite connections limited to the pages the ledger fills."""
    url, pages = full

    def small(dbapi_connection: object, _record: object) -> None:
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")  # type: ignore[attr-defined]

    event.listen(Engine, "connect", small)
    try:
        yield full
    finally:
        event.remove(Engine, "connect", small)


def test_a_full_disk_on_the_web_is_503_in_words(small_app_disk: tuple[str, int]) -> None:
    url, _ = small_app_disk
    before = counts(url)
    with TestClient(create_app(Settings(database_url=url, api_tokens=("s3cret",), secret_key="k"))) as client:
        cid = client.get("/api/v1/commitments").json()["items"][0]["id"]
        status = client.post(f"/api/v1/commitments/{cid}/status", headers=TOKEN,
                             json={"status": "stalled", "evidence": "x" * 200_000})
        assert status.status_code == 503 and status.headers["retry-after"] == "30"
        assert status.json()["error"]["message"].startswith("the disk holding the ledger is full")
        ingest = client.post("/api/v1/documents?wait=1", headers=TOKEN, json={"text": LONG})
        assert ingest.status_code == 503, ingest.text
        assert ingest.json()["error"]["message"].startswith("the disk holding the ledger is full")
        assert client.get("/api/v1/documents").status_code == 200  # reads go on
    assert counts(url) == before


@pytest.fixture()
def read_only_postgres(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL ledger holding the samples, then set read-only for every new session."""
    import uuid

    name = f"accord_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        with Ledger(url) as ledger:
            ledger.ingest(str(SAMPLES))
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


READ_ONLY = "the database is read-only (a standby, or default_transaction_read_only): nothing was written"


def test_a_read_only_postgres_is_said_in_words(read_only_postgres: str, cli: Callable) -> None:  # type: ignore[type-arg]
    url = read_only_postgres
    listed = cli("commitments", "--format", "json", "--db", url)
    assert listed.returncode == 0, listed.stderr  # reading works
    status = cli("status", "1", "stalled", "--evidence", "Works halted", "--db", url)
    assert (status.returncode, status.stderr) == (1, f"accord: error: {READ_ONLY}\n")
    with TestClient(create_app(Settings(database_url=url, api_tokens=("s3cret",), secret_key="k"))) as client:
        written = client.post("/api/v1/commitments/1/status", headers=TOKEN,
                              json={"status": "stalled", "evidence": "Works halted"})
        assert (written.status_code, written.json()["error"]["message"]) == (503, READ_ONLY)


def test_no_server_at_the_address_is_one_line(cli: Callable) -> None:  # type: ignore[type-arg]
    with __import__("socket").socket() as s:  # a port nobody listens on: bound, never listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        done = cli("commitments", "--db", f"postgresql+psycopg://postgres:hunter2@127.0.0.1:{port}/accord")
    assert done.returncode == 1 and len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("accord: error: cannot open ledger 'postgresql+psycopg://postgres:***@127.0.0.1")
    assert "Connection refused" in done.stderr and "hunter2" not in done.stderr
