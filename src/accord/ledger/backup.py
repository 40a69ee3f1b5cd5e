"""`accord export` / `accord import`: the whole ledger as one versioned JSON Lines file (docs/backup.md).

The file is a header line, one line per row of each table in dependency order (ids as stored, rows in
id order), and a trailer with the row counts and the SHA-256 of every byte before it. Gzip when the
name ends in `.gz`. Users are exported by name and role only (never a password hash or a token), and
only when the ledger has a users table.

Export reads one snapshot and writes a temporary file beside the target, renamed over it only when
whole. Import goes only into an empty ledger, in one transaction under the write lock: the rows, the
checksum and row counts, PostgreSQL's id sequences, then `accord check` on the result; anything wrong
and the transaction rolls back, leaving the ledger as it was. Ids and history hashes are kept as
exported, so the status history's hash chain verifies on the new ledger. The search index is built
by the statements' own insert trigger (SQLite) or expression index (PostgreSQL).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Column, Connection, Engine, MetaData, Table, func, insert, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.types import JSON, Date, DateTime, Float, Integer, LargeBinary, String, Text

from accord.errors import InputError, InputNotFound
from accord.ledger import integrity
from accord.ledger import tables as t
from accord.ledger.store import LedgerError, revision, transaction

FORMAT = "accord-export"
VERSION = 1
# Tables exported whole, in dependency order (a row's references come before it).
TABLES: tuple[Table, ...] = (
    t.occasions, t.documents, t.entities, t.aliases, t.commitments, t.statements, t.mentions, t.targets,
    t.merge_reasons, t.decisions, t.status_changes, t.evidence_candidates, t.indicators, t.observations,
    t.target_indicators,
)
USERS = "users"
USER_COLUMNS = ("id", "name", "role", "created_at")  # never a password hash, a token or a session
# users by USER_COLUMNS only; secrets never; commitment_pillars and commitment_counts are derived (triggers
# on commitments fill them from their pillars, statuses and relations, on import as on any insert)
NOT_EXPORTED = frozenset({USERS, "api_tokens", "sessions", "commitment_pillars", "commitment_counts"})
# The longest line read (a document's text and its raw bytes, base64, are one line). A longer one is refused.
MAX_LINE = 1 << 30
BATCH = 500


class BackupError(InputError):
    """An export file that can't be imported, or an export that can't be written (exit 2)."""


# -- export --------------------------------------------------------------------------------------

def export(engine: Engine, path: Path, *, force: bool = False) -> dict[str, int]:
    """Write the whole ledger to `path`; the rows written per table."""
    if path.is_dir():
        raise BackupError(f"{path} is a folder: name the export file")
    if path.exists() and not force:
        raise BackupError(f"{path} exists: name another file, or pass --force to replace it")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")  # one snapshot of every table
            with conn.begin(), _open_write(temporary, path.suffix == ".gz") as out:
                counts = _write(conn, out)
                out.flush()
                os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        raise BackupError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        temporary.unlink(missing_ok=True)
    return counts


def _open_write(path: Path, gzipped: bool) -> IO[bytes]:
    if gzipped:
        return gzip.GzipFile(path, "xb", mtime=0)  # type: ignore[return-value]
    return open(path, "xb")


def _write(conn: Connection, out: IO[bytes]) -> dict[str, int]:
    digest = hashlib.sha256()

    def emit(obj: dict[str, Any]) -> None:
        line = _dumps(obj) + b"\n"
        digest.update(line)
        out.write(line)

    emit({"format": FORMAT, "version": VERSION, "schema_revision": revision(conn),
          "exported": _instant(datetime.now(UTC))})
    counts: dict[str, int] = {}
    for table in _tables(conn):
        counts[table.name] = 0
        for row in conn.execute(select(table).order_by(table.c.id)).mappings():
            emit({"table": table.name, "row": {c.name: _encode(c.type, row[c.name]) for c in table.columns}})
            counts[table.name] += 1
    trailer = {"end": FORMAT, "rows": counts, "sha256": digest.hexdigest()}
    out.write(_dumps(trailer) + b"\n")
    return counts


def _tables(conn: Connection) -> list[Table]:
    """The exported tables of this ledger: TABLES, then users (USER_COLUMNS only) where it has them."""
    found = list(TABLES)
    if inspect(conn).has_table(USERS):
        users = Table(USERS, MetaData(), autoload_with=conn)
        found.append(Table(USERS, MetaData(), *(Column(c.name, c.type, primary_key=c.primary_key)
                                                for c in users.columns if c.name in USER_COLUMNS)))
    return found


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _instant(value: datetime) -> str:
    """UTC with microseconds; SQLite gives back naive UTC, PostgreSQL the session's zone."""
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _encode(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, DateTime):
        return _instant(value)
    if isinstance(kind, Date):
        return value.isoformat()
    if isinstance(kind, LargeBinary):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(kind, Float):
        return float(value)
    return value


# -- import --------------------------------------------------------------------------------------

def import_(engine: Engine, path: Path) -> dict[str, int]:
    """Load the export at `path` into the empty ledger on `engine`, whole or not at all; rows per table."""
    if not path.exists():
        raise InputNotFound(f"no export file at {path}")
    if path.is_dir():
        raise BackupError(f"{path} is a folder, not an export file")
    try:
        with _open_read(path) as source:
            lines = _lines(source)
            header = _object(next(lines, (1, b""))[1], 1)
            _check_header(header, path)
            with transaction(engine) as conn:
                _check_target(conn, header)
                counts = _load(conn, lines, header)
                _reset_sequences(conn)
                problems = integrity.check(conn)
                if problems:
                    raise BackupError(f"{path}: the imported ledger would not check ({len(problems)} problems, "
                                      f"first: {problems[0]}); nothing was imported")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise BackupError(f"{path}: cannot read it ({getattr(exc, 'strerror', None) or exc}); "
                          "nothing was imported") from None
    except SQLAlchemyError as exc:
        said = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise BackupError(f"{path}: the ledger refused a row ({said[0] if said else type(exc).__name__}); "
                          "nothing was imported") from None
    return counts


def _open_read(path: Path) -> IO[bytes]:
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _lines(source: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """(line number, line with its newline); a line over MAX_LINE is refused before it is all read."""
    number = 0
    while True:
        line = source.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE:
            raise BackupError(f"line {number} is longer than {MAX_LINE} bytes: not an Accord export; "
                              "nothing was imported")
        yield number, line


def _object(line: bytes, number: int) -> dict[str, Any]:
    if not line:
        raise BackupError("the file is empty: not an Accord export")
    try:
        value = json.loads(line)
    except (UnicodeDecodeError, ValueError):
        what = "not an Accord export" if number == 1 else "the file was damaged or edited"
        raise BackupError(f"line {number} is not JSON: {what}; nothing was imported") from None
    if not isinstance(value, dict):
        raise BackupError(f"line {number} is not a JSON object: not an Accord export; nothing was imported")
    return value


def _check_header(header: dict[str, Any], path: Path) -> None:
    if header.get("format") != FORMAT:
        raise BackupError(f"{path} is not an Accord export (its first line does not say format {FORMAT!r})")
    if header.get("version") != VERSION:
        raise BackupError(f"{path} is an Accord export of version {header.get('version')!r}; this Accord reads "
                          f"version {VERSION}")


def _check_target(conn: Connection, header: dict[str, Any]) -> None:
    ours = revision(conn)
    if header.get("schema_revision") != ours:
        raise BackupError(f"the export is of schema revision {header.get('schema_revision')!r} and this ledger "
                          f"is at {ours!r}: import it with the Accord that exported it, or export it again")
    held = {table.name: n for table in _tables(conn) if (n := _count(conn, table))}
    if held:
        said = ", ".join(f"{n} {name}" for name, n in held.items())
        raise LedgerError(f"the ledger is not empty ({said}): import only into a new, empty ledger")


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _load(conn: Connection, lines: Iterator[tuple[int, bytes]], header: dict[str, Any]) -> dict[str, int]:
    tables = {table.name: table for table in _tables(conn)}
    digest = hashlib.sha256(_dumps(header) + b"\n")
    counts: dict[str, int] = {}
    batch: list[dict[str, Any]] = []
    batch_table: Table | None = None
    for number, line in lines:
        row = _object(line, number)
        if "end" in row:
            _flush(conn, batch_table, batch)
            _check_trailer(row, digest.hexdigest(), counts, number)
            if next(lines, None) is not None:
                raise BackupError(f"line {number + 1}: lines after the trailer: the file was edited; "
                                  "nothing was imported")
            return counts
        digest.update(line)
        table = _row_table(row, tables, number)
        if table is not batch_table or len(batch) >= BATCH:
            _flush(conn, batch_table, batch)
            batch, batch_table = [], table
        batch.append(_decode_row(table, row["row"], number))
        counts[table.name] = counts.get(table.name, 0) + 1
    raise BackupError("the file ends before its trailer: it was truncated; nothing was imported")


def _flush(conn: Connection, table: Table | None, batch: list[dict[str, Any]]) -> None:
    if table is not None and batch:
        conn.execute(insert(table), batch)


def _check_trailer(trailer: dict[str, Any], digest: str, counts: dict[str, int], number: int) -> None:
    if trailer.get("end") != FORMAT or not isinstance(trailer.get("rows"), dict):
        raise BackupError(f"line {number}: not an Accord export trailer; nothing was imported")
    if trailer.get("sha256") != digest:
        raise BackupError("the file's content does not match its checksum (sha256): it was edited or damaged; "
                          "nothing was imported")
    said = {name: n for name, n in trailer["rows"].items() if n}
    if said != counts:
        raise BackupError(f"the file holds other rows than its trailer counts ({counts} against {said}); "
                          "nothing was imported")


def _row_table(row: dict[str, Any], tables: dict[str, Table], number: int) -> Table:
    name = row.get("table")
    if set(row) != {"table", "row"} or not isinstance(row.get("row"), dict):
        raise BackupError(f"line {number} is not a row of an Accord export; nothing was imported")
    if not isinstance(name, str) or name not in tables:
        raise BackupError(f"line {number}: unknown table {str(name)[:60]!r} (not in this ledger, or never "
                          "imported); nothing was imported")
    return tables[name]


def _decode_row(table: Table, values: dict[str, Any], number: int) -> dict[str, Any]:
    columns = {c.name for c in table.columns}
    if set(values) != columns:
        unknown, missing = sorted(set(values) - columns), sorted(columns - set(values))
        said = f"unknown columns {unknown}" if unknown else f"missing columns {missing}"
        raise BackupError(f"line {number}: a row of {table.name} with {said[:200]}; nothing was imported")
    return {c.name: _decode(c.type, values[c.name], table.name, c.name, number) for c in table.columns}


def _decode(kind: Any, value: Any, table: str, column: str, number: int) -> Any:
    if value is None or isinstance(kind, JSON):
        return value
    try:
        if isinstance(kind, DateTime):
            moment = datetime.fromisoformat(_text(value))
            return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
        if isinstance(kind, Date):
            return date.fromisoformat(_text(value))
        if isinstance(kind, LargeBinary):
            return base64.b64decode(_text(value), validate=True)
        if isinstance(kind, Integer):
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        elif isinstance(kind, Float):
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
        elif isinstance(kind, String | Text):
            return _text(value)
        else:
            return value
    except ValueError:
        pass
    raise BackupError(f"line {number}: {table}.{column} holds {json.dumps(value)[:60]}, not a "
                      f"{type(kind).__name__.lower()}; nothing was imported")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL's id sequences past the ids inserted, so the next row the ledger adds gets a new one."""
    if conn.dialect.name != "postgresql":
        return
    for table in _tables(conn):
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
            f'FROM "{table.name}"'))


__all__ = ["FORMAT", "MAX_LINE", "NOT_EXPORTED", "TABLES", "VERSION", "BackupError", "export", "import_"]
