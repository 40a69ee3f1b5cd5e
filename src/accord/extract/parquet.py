"""Write the statements of a corpus as Parquet datasets: documents, statements, mentions and targets."""

from __future__ import annotations

import codecs
import hashlib
import os
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.errors import InputError
from accord.model import Statement

BATCH_DOCUMENTS = 100
BATCH_STATEMENTS = 50_000
DATASETS = ("documents", "statements", "mentions", "targets")
_READ = 1 << 20


@dataclass(frozen=True, slots=True)
class ParquetSummary:
    """What a run wrote: how many documents and statements, and where."""

    documents: int
    statements: int
    out: Path


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    """One document's statements as `accord extract` reports them: `document_id` is the SHA-256 of its
    text as the offsets index it, `name` its path (or corpus file and record id)."""

    document_id: str
    name: str
    characters: int
    statements: Iterable[Statement]  # read once: a large file's, streamed


def file_statements(path: Path, jobs: int = 1) -> ExtractedDocument:
    """A text file's statements (an InputError, one line, when it is missing or not UTF-8 text)."""
    from accord.extract import extract_file
    from accord.ingest import check_text_file

    check_text_file(path)  # a missing or binary file says so in one line, as extract_file would
    document_id, characters = document_identity(path)
    return ExtractedDocument(document_id, str(path), characters, extract_file(path, jobs=jobs))


def write_parquet(files: Iterable[Path], out: Path, jobs: int = 1, force: bool = False) -> ParquetSummary:
    """Extract every file and write the four datasets under `out` (see `write_documents`)."""
    return write_documents((file_statements(path, jobs) for path in files), out, force)


def write_documents(documents: Iterable[ExtractedDocument], out: Path, force: bool = False) -> ParquetSummary:
    """Write the four datasets under `out`, each a folder of `part-NNNNN.parquet` files.

    DuckDB, Spark, pandas and pyarrow read each folder as one table. Rows come from `Statement.to_dict()`,
    so values and offsets are those of `accord extract --format jsonl`. A part is written every
    BATCH_DOCUMENTS documents or BATCH_STATEMENTS statements, so memory stays bounded on a large folder
    or file. Everything is written into a temporary sibling folder renamed into place at the end: a run
    that fails leaves no half-written folder.

    Raises an InputError (one line) if `out` is a file, or a folder that isn't empty and `force` is
    false, before anything is read. With `force` the old folder is replaced only once the new one is
    complete.
    """
    import pyarrow as pa  # type: ignore[import-untyped]  # ships no type information

    target = Path(os.path.abspath(out))
    _check_out(out, target, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = _sibling(target, "tmp")
    try:
        writer = _Writer(work, _schemas(pa))
        count = statements = 0
        for document in documents:
            statements += writer.add(document)
            count += 1
        writer.close()
        _move_into_place(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return ParquetSummary(count, statements, out)


def _check_out(out: Path, target: Path, force: bool) -> None:
    if target.exists() and not target.is_dir():
        raise InputError(f"{out}: exists and is not a folder; give --out a folder path")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise InputError(f"{out}: folder exists and is not empty; choose another --out or give --force "
                         "to replace it")


def _move_into_place(work: Path, target: Path) -> None:
    """Rename the finished folder to `target`; an old `target` is moved aside first and removed last."""
    old: Path | None = None
    if target.is_dir() and any(target.iterdir()):
        old = _sibling(target, "old")
        os.replace(target, old)  # onto the new empty folder: rename(2) replaces an empty directory
    os.replace(work, target)  # likewise onto an empty `target`
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _sibling(target: Path, kind: str) -> Path:
    """A new empty hidden folder beside `target`, made with the user's umask (mkdtemp's would be 0700)."""
    while True:
        path = target.parent / f".{target.name}.{secrets.token_hex(4)}.{kind}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path


def document_identity(path: Path) -> tuple[str, int]:
    """The SHA-256 of a file's text (its UTF-8 bytes, as the offsets index them) and its length in characters.

    Read in chunks, so a large file costs little memory. The bytes are hashed as they are (a BOM or
    CRLF line endings kept), unlike the ledger, which hashes the text it stores: the id then names
    exactly the text the offsets slice, and equals the ledger's id whenever the two texts are one.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    characters = 0
    with path.open("rb") as f:
        while chunk := f.read(_READ):
            digest.update(chunk)
            characters += len(decoder.decode(chunk))
    characters += len(decoder.decode(b"", final=True))
    return digest.hexdigest(), characters


def _schemas(pa: Any) -> dict[str, Any]:
    offset = pa.int64()
    return {
        "documents": pa.schema([
            ("document_id", pa.string()), ("path", pa.string()), ("characters", offset), ("statements", offset),
        ]),
        "statements": pa.schema([
            ("document_id", pa.string()), ("seq", offset), ("start", offset), ("end", offset),
            ("text", pa.string()), ("type", pa.string()), ("confidence", pa.float64()), ("cue", pa.string()),
            ("pillars", pa.list_(pa.string())),
            ("actors", pa.list_(pa.struct([("name", pa.string()), ("start", offset), ("end", offset)]))),
        ]),
        "mentions": pa.schema([
            ("document_id", pa.string()), ("statement_seq", offset), ("start", offset), ("end", offset),
            ("text", pa.string()), ("kind", pa.string()),
        ]),
        "targets": pa.schema([
            ("document_id", pa.string()), ("statement_seq", offset), ("metric", pa.string()),
            ("value", pa.float64()), ("max", pa.float64()), ("unit", pa.string()), ("deadline", pa.string()),
            ("start", offset), ("end", offset), ("deadline_start", offset), ("deadline_end", offset),
        ]),
    }


class _Writer:
    """Rows of the four datasets, gathered in memory and written out a part at a time."""

    def __init__(self, root: Path, schemas: dict[str, Any]) -> None:
        self.root = root
        self.schemas = schemas
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in DATASETS}
        self.parts = {name: 0 for name in DATASETS}
        self.documents = 0  # documents in the rows not yet written
        for name in DATASETS:
            (root / name).mkdir()

    def add(self, document: ExtractedDocument) -> int:
        """One document's rows; how many statements it had."""
        document_id = document.document_id
        seq = -1
        for seq, statement in enumerate(document.statements):
            row = statement.to_dict()
            mentions, targets = row.pop("mentions"), row.pop("targets")
            self.rows["statements"].append({"document_id": document_id, "seq": seq, **row})
            for m in mentions:
                self.rows["mentions"].append({"document_id": document_id, "statement_seq": seq, **m})
            for t in targets:
                # `max`, the top of a range ("$6 to $10 million"), is in the JSONL only when there is one
                self.rows["targets"].append({"document_id": document_id, "statement_seq": seq, "max": None, **t})
            if len(self.rows["statements"]) >= BATCH_STATEMENTS:
                self.flush()
        self.rows["documents"].append({"document_id": document_id, "path": document.name,
                                       "characters": document.characters, "statements": seq + 1})
        self.documents += 1
        if self.documents >= BATCH_DOCUMENTS:
            self.flush()
        return seq + 1

    def flush(self) -> None:
        """Write each dataset's gathered rows as its next part."""
        import pyarrow as pa
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        for name, rows in self.rows.items():
            if rows:
                table = pa.Table.from_pylist(rows, schema=self.schemas[name])
                pq.write_table(table, self.root / name / f"part-{self.parts[name]:05d}.parquet")
                self.parts[name] += 1
                rows.clear()
        self.documents = 0

    def close(self) -> None:
        """Write what is left; a dataset with no rows at all gets one empty part, so it reads as its schema."""
        import pyarrow.parquet as pq

        self.flush()
        for name, count in self.parts.items():
            if count == 0:
                pq.write_table(self.schemas[name].empty_table(), self.root / name / "part-00000.parquet")
