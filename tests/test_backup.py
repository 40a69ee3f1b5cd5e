"""accord export / accord import: a round trip SQLite -> PostgreSQL -> SQLite gives the same ledger, and
every bad file is refused in one line with the target left as it was."""

from __future__ import annotations

import gzip
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from accord.api import Ledger
from accord.errors import InputError
from accord.ledger import backup
from accord.ledger import tables as t
from accord.ledger import tracking
from accord.ledger.store import transaction

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    """The bundled samples ingested into SQLite, with a status change, a merge, a split, an indicator
    with an observation and a linked target: a row in every table."""
    url = f"sqlite:///{tmp_path_factory.mktemp('backup') / 'source.db'}"
    with Ledger(url) as ledger:
        ledger.ingest(str(SAMPLES))
        ids = [c["id"] for c in ledger.commitments()]
        ledger.status(ids[0], "in_progress", "Works began on the border crossing.", source="https://example.org/a",
                      observed=date(2026, 6, 1), by="A. Analyst")
        ledger.status(ids[0], "fulfilled", "The crossing opened.", observed=date(2026, 7, 1), by="A. Analyst")
        ledger.merge(ids[1], ids[2], by="A. Analyst")
        with ledger.engine.connect() as conn:
            moved = conn.execute(select(t.statements.c.id).where(t.statements.c.commitment_id == ids[1])
                                 .order_by(t.statements.c.id.desc())).scalars().first() or 0
        ledger.split(ids[1], moved, by="B. Analyst")
        ledger.add_indicator("border trade", "USD", "yearly", "Trade across the border")
        ledger.observe("border trade", "2025", "1200000", "https://example.org/stats")
        with ledger.engine.connect() as conn:
            target_id = conn.execute(select(t.targets.c.id).order_by(t.targets.c.id)).scalars().first() or 0
        ledger.link_target(target_id, "border trade")
        with transaction(ledger.engine) as conn:  # what an ingest suggests when a later text reports progress
            tracking.add_candidates(conn, [{"commitment_id": ids[3], "statement_id": moved, "suggested": "in_progress",
                                            "stage": None, "score": 0.71, "reason": "reports works under way"}])
        ledger.accept(next(c["id"] for c in ledger.review()), by="A. Analyst")
        ledger.add_user("A. Analyst", "editor", "not exported")  # exported by name and role; its token never
        ledger.issue_token("A. Analyst", "nightly")
        yield ledger


@contextmanager
def postgres_database(base: str) -> Iterator[str]:
    name = f"accord_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def rows(ledger: Ledger) -> dict[str, list[dict[str, Any]]]:
    """Every exported table's rows, as the export writes them (dialect-neutral values)."""
    with ledger.engine.connect() as conn:
        return {table.name: [{c.name: backup._encode(c.type, r[c.name]) for c in table.columns}
                             for r in conn.execute(select(table).order_by(table.c.id)).mappings()]
                for table in backup._tables(conn)}


def body(path: Path) -> list[bytes]:
    """The row lines of an export (neither the header, which says when, nor the trailer, whose checksum covers it)."""
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data.splitlines()[1:-1]


def reseal(lines: list[bytes]) -> bytes:
    """An edited export given a trailer that agrees with it: only the check under test can refuse it."""
    counts: dict[str, int] = {}
    for line in lines[1:]:
        name = json.loads(line).get("table")
        counts[name] = counts.get(name, 0) + 1
    content = b"".join(line + b"\n" for line in lines)
    trailer = {"end": backup.FORMAT, "rows": counts, "sha256": hashlib.sha256(content).hexdigest()}
    return content + json.dumps(trailer).encode() + b"\n"


def test_every_table_is_exported_or_named_as_not() -> None:
    exported = {table.name for table in backup.TABLES}
    assert {table.name for table in t.metadata.sorted_tables} <= exported | backup.NOT_EXPORTED
    # dependency order: a table's references come before it
    order = [table.name for table in backup.TABLES]
    for table in backup.TABLES:
        for fk in table.foreign_keys:
            if fk.column.table is not table:
                assert order.index(fk.column.table.name) < order.index(table.name), (table.name, fk.column.table.name)


def test_round_trip_sqlite_postgres_sqlite(source: Ledger, postgres_url: str, tmp_path: Path) -> None:
    first, second, third = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz", tmp_path / "c.jsonl"
    counts = source.export_to(first)
    assert [n for n, c in counts.items() if not c] == []  # the ledger has a row in every table
    original = rows(source)
    with postgres_database(postgres_url) as pg_url, Ledger(pg_url) as pg:
        assert pg.import_from(first) == {name: n for name, n in counts.items() if n}
        assert pg.check() == []
        assert rows(pg) == original
        # each dialect ranks by its own full-text engine: the same statements are found
        assert sorted(r["id"] for r in pg.search("border")) == sorted(r["id"] for r in source.search("border")) != []
        pg.export_to(second)
        with Ledger(f"sqlite:///{tmp_path / 'back.db'}") as back:
            back.import_from(second)
            assert back.check() == []
            assert rows(back) == original
            assert back.search("border") == source.search("border")
            back.export_to(third)
        # the imported ledger goes on: new ids past the imported ones, the history chain continued
        commitment = source.commitments()[0]["id"]
        pg.status(commitment, "stalled", "Work stopped.", observed=date(2026, 8, 1))
        assert pg.check() == []
        assert len(pg.history(commitment)) == len(source.history(commitment)) + 1
    assert body(first) == body(second) == body(third)


def test_round_trip_through_gzip_on_sqlite(source: Ledger, tmp_path: Path, cli: Callable) -> None:  # type: ignore[type-arg]
    path = tmp_path / "ledger.jsonl.gz"
    done = cli("export", str(path), "--db", source.url)
    assert done.returncode == 0, done.stderr
    assert gzip.decompress(path.read_bytes()).startswith(b'{"exported":')
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    done = cli("import", str(path), "--db", target)
    assert done.returncode == 0, done.stderr
    assert "no problems" in done.stdout
    with Ledger(target) as copy:
        assert rows(copy) == rows(source)
        assert copy.search("railway") == source.search("railway") != []
    assert cli("check", "--db", target).returncode == 0


def test_export_refuses_to_write_over_a_file(source: Ledger, tmp_path: Path, cli: Callable) -> None:  # type: ignore[type-arg]
    path = tmp_path / "old.jsonl"
    path.write_text("keep me\n")
    done = cli("export", str(path), "--db", source.url)
    assert done.returncode == 2 and "--force" in done.stderr and len(done.stderr.splitlines()) == 1
    assert path.read_text() == "keep me\n"
    done = cli("export", str(path), "--db", source.url, "--force")
    assert done.returncode == 0, done.stderr
    assert body(path)
    assert [p.name for p in tmp_path.iterdir()] == ["old.jsonl"]  # no temporary file left behind
    missing = cli("export", str(tmp_path / "no" / "such" / "dir.jsonl"), "--db", source.url)
    assert missing.returncode == 2 and len(missing.stderr.splitlines()) == 1 and "Traceback" not in missing.stderr


@pytest.fixture(scope="module")
def export_lines(source: Ledger, tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    path = tmp_path_factory.mktemp("export") / "good.jsonl"
    source.export_to(path)
    return path.read_bytes().splitlines()


def _edit_value(lines: list[bytes]) -> list[bytes]:
    edited = list(lines)
    i = next(i for i, line in enumerate(edited) if b'"table":"status_changes"' in line)
    row = json.loads(edited[i])
    row["row"]["value"] = "fulfilled" if row["row"]["value"] != "fulfilled" else "stalled"
    edited[i] = json.dumps(row).encode()
    return edited


def _with_row(lines: list[bytes], change: Callable[[dict[str, Any]], None]) -> list[bytes]:
    edited = list(lines[:-1])
    row = json.loads(edited[-1])
    change(row)
    edited[-1] = json.dumps(row).encode()
    return edited


BAD: dict[str, tuple[Callable[[list[bytes]], bytes], str]] = {
    "not an export": (lambda lines: b"The two sides agreed to build a railway.\n", "not JSON"),
    "another JSON file": (lambda lines: b'{"format": "something-else"}\n', "not an Accord export"),
    "empty": (lambda lines: b"", "empty"),
    "wrong version": (lambda lines: lines[0].replace(b'"version":1', b'"version":2') + b"\n"
                      + b"".join(line + b"\n" for line in lines[1:]), "version 2"),
    "truncated": (lambda lines: b"".join(line + b"\n" for line in lines[: len(lines) // 2]), "truncated"),
    "cut mid-line": (lambda lines: b"\n".join(lines)[:-40], "not JSON"),
    "edited": (lambda lines: b"".join(line + b"\n" for line in _edit_value(lines)), "checksum"),
    "edited, trailer recounted": (lambda lines: reseal(_edit_value(lines[:-1])), "would not check"),
    "unknown table": (lambda lines: reseal(_with_row(lines, lambda r: r.update(table="api_tokens"))),
                      "unknown table 'api_tokens'"),
    "unknown column": (lambda lines: reseal(_with_row(lines, lambda r: r["row"].update(password_hash="x"))),
                       "unknown columns ['password_hash']"),
    "missing column": (lambda lines: reseal(_with_row(lines, lambda r: r["row"].pop("id"))), "missing columns"),
    "wrong type": (lambda lines: reseal(_with_row(lines, lambda r: r["row"].update(id="1; DROP TABLE x"))),
                   "not a integer"),
    "a row twice": (lambda lines: reseal(lines[:-1] + [lines[-2]]), "refused a row"),
    "lines after the trailer": (lambda lines: b"".join(line + b"\n" for line in lines) + lines[1] + b"\n",
                                "after the trailer"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_file_is_refused_and_leaves_the_ledger_empty(case: str, export_lines: list[bytes],
                                                           tmp_path: Path) -> None:
    make, said = BAD[case]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(make(export_lines))
    with Ledger(f"sqlite:///{tmp_path / 'target.db'}") as target:
        with pytest.raises(InputError) as caught:
            target.import_from(path)
        message = str(caught.value)
        assert said in message and "\n" not in message, message
        assert all(not held for held in rows(target).values())  # nothing was imported


def test_a_huge_line_is_refused_before_it_is_read(export_lines: list[bytes], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup, "MAX_LINE", 4096)
    path = tmp_path / "huge.jsonl"
    path.write_bytes(export_lines[0] + b"\n" + b'{"table":"documents","row":{"text":"' + b"x" * 100_000 + b'"}}\n')
    with Ledger(f"sqlite:///{tmp_path / 'target.db'}") as target, pytest.raises(InputError, match="longer than 4096"):
        target.import_from(path)


def test_import_refuses_a_ledger_that_is_not_empty_and_bad_paths(source: Ledger, export_lines: list[bytes],
                                                                 tmp_path: Path, cli: Callable) -> None:  # type: ignore[type-arg]
    path = tmp_path / "good.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in export_lines))
    before = rows(source)
    done = cli("import", str(path), "--db", source.url)
    assert done.returncode != 0 and "not empty" in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
    assert rows(source) == before
    for bad, words in ((tmp_path / "missing.jsonl", "no export file"), (tmp_path, "folder")):
        done = cli("import", str(bad), "--db", f"sqlite:///{tmp_path / 'new.db'}")
        assert done.returncode == 2 and words in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr


def test_users_are_exported_without_secrets(tmp_path: Path) -> None:
    with Ledger(f"sqlite:///{tmp_path / 'users.db'}") as ledger:
        ledger.add_user("ana", "editor", "secret password")
        _, token = ledger.issue_token("ana")
        path = tmp_path / "users.jsonl"
        ledger.export_to(path)
    data = path.read_text()
    assert '"name":"ana"' in data and '"role":"editor"' in data
    assert "scrypt" not in data and "password" not in data and token[:12] not in data and "api_tokens" not in data
