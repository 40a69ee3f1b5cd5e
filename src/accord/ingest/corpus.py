"""Corpora: documents held as records of a JSONL or Parquet file, beside files, folders and URLs.

A record is one document: its `id` (a string or a number, unique in the file), its `text`, and what is
known of it — `title`, `published` (YYYY-MM-DD), `outlet`, `url`, `place`, `language` — at the top level
or under `metadata`. What a record gives wins over what its text says; the rest is read from the text
as for any document. Its source is its `url`, else `FILE#ID`.

    {"id": "vn-2025-0412", "text": "HANOI, Dec 2 ...", "published": "2025-12-02", "outlet": "VNA"}

`iter_inputs` streams the inputs of a run in order (a path or URL as a string, a record as a `Record`),
never holding a file of records in memory; `count_inputs` says how many there are without reading texts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from accord.errors import InputError, InputNotFound, InputNotText
from accord.model import Document

JSONL_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet",)
CORPUS_SUFFIXES = JSONL_SUFFIXES + PARQUET_SUFFIXES
FIELDS = ("title", "published", "outlet", "url", "place", "language")
MAX_TEXT = 50_000_000  # characters: the limit a file has
_BATCH = 256  # Parquet rows read at a time


@dataclass(frozen=True, slots=True)
class Record:
    """One document of a corpus file, as read: `origin` says where ("corpus.jsonl:12"), for messages."""

    origin: str
    data: Any  # the parsed JSON value or Parquet row; checked by `record_document`
    corpus: str  # the file's path, as the user gave it


Input = str | Record


def is_corpus(source: str) -> bool:
    """Whether `source` names a JSONL or Parquet file of documents (by its suffix)."""
    return source.lower().endswith(CORPUS_SUFFIXES)


def iter_inputs(sources: list[str]) -> Iterator[Input]:
    """The inputs in order: a corpus file's records one by one, anything else as it is."""
    for source in sources:
        if not is_corpus(source):
            yield source
        elif source.lower().endswith(JSONL_SUFFIXES):
            yield from _jsonl(source)
        else:
            yield from _parquet(source)


def count_inputs(sources: list[str]) -> int:
    """How many inputs `iter_inputs` yields: a JSONL file's non-blank lines, a Parquet file's rows."""
    total = 0
    for source in sources:
        if not is_corpus(source):
            total += 1
        elif source.lower().endswith(JSONL_SUFFIXES):
            with _open(source) as f:
                total += sum(1 for line in f if line.strip())
        else:
            total += _parquet_file(source).metadata.num_rows
    return total


def _file(source: str) -> Path:
    path = Path(source)
    if not path.is_file():
        raise InputNotFound(f"{source}: no such file" if not path.exists() else f"{source}: is not a file")
    return path


def _open(source: str) -> Any:
    return _file(source).open("rb")


def _jsonl(source: str) -> Iterator[Record]:
    with _open(source) as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            origin = f"{source}:{number}"
            try:
                data = json.loads(line)
            except (UnicodeDecodeError, ValueError) as exc:
                data = _Broken(f"{origin}: not a JSON object ({str(exc).splitlines()[0]})")
            yield Record(origin, data, source)


def _parquet_file(source: str) -> Any:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]  # ships no type information

    _file(source)
    try:
        return pq.ParquetFile(source)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds for a file that is not Parquet
        raise InputNotText(f"{source}: not a Parquet file ({str(exc).splitlines()[0][:200]})") from None


def _parquet(source: str) -> Iterator[Record]:
    pf = _parquet_file(source)
    names = set(pf.schema_arrow.names)
    if "text" not in names:
        raise InputError(f"{source}: a Parquet corpus needs a `text` column (and `id`); it has "
                         f"{', '.join(sorted(names)) or 'none'}")
    columns = [c for c in ("id", "text", "metadata", *FIELDS) if c in names]
    row = 0
    for batch in pf.iter_batches(batch_size=_BATCH, columns=columns):
        for data in batch.to_pylist():
            yield Record(f"{source}:row {row}", data, source)
            row += 1


@dataclass(frozen=True, slots=True)
class _Broken:
    """A line that could not be parsed: its message, raised when the record is read."""

    message: str


def record_text(record: Record) -> str:
    """A record's text as given, checked: an InputError naming the record (file and line or row) when it
    is no document: not an object, no id, no text, a text that is not a string, binary or too long."""
    return _checked(record)[1]


def _checked(record: Record) -> tuple[dict[str, Any], str, str]:
    """(the record's fields, its text, how messages name it)."""
    data, origin = record.data, record.origin
    if isinstance(data, _Broken):
        raise InputNotText(data.message)
    if not isinstance(data, dict):
        raise InputNotText(f"{origin}: a record must be a JSON object with `id` and `text`")
    ident = data.get("id")
    if ident is None or isinstance(ident, bool) or not isinstance(ident, (str, int)) or str(ident).strip() == "":
        raise InputError(f"{origin}: the record has no `id` (a string or a number)")
    where = f"{origin} (id {_short(str(ident))})"
    raw = data.get("text")
    if not isinstance(raw, str):
        raise InputNotText(f"{where}: `text` must be a string")
    if "\x00" in raw:
        raise InputNotText(f"{where}: `text` holds binary data (NUL characters)")
    if len(raw) > MAX_TEXT:
        raise InputError(f"{where}: `text` has {len(raw):,} characters, over the limit of {MAX_TEXT:,}")
    return data, raw, where


def record_document(record: Record) -> Document:
    """The Document a record describes (its text as the ledger stores texts); an InputError naming the
    record when it can't be one (`record_text`'s reasons, an empty text, a date that is not a date)."""
    from accord.ingest.document import check_has_text
    from accord.ingest.metadata import detect_metadata
    from accord.ingest.text import stored_text

    data, raw, where = _checked(record)
    text = stored_text(raw)
    check_has_text(text, where)
    given = _metadata(data, where)
    meta = detect_metadata(text, url=given.get("url"))
    return Document(
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), text=text,
        source=given.get("url") or f"{record.corpus}#{data['id']}", format="text",
        title=given.get("title") or meta.title, outlet=given.get("outlet") or meta.outlet,
        published=given.get("published") or meta.published, place=given.get("place") or meta.place,
        language=given.get("language") or meta.language,
    )


def _metadata(data: dict[str, Any], where: str) -> dict[str, Any]:
    """The known fields a record gives, at its top level or under `metadata`, checked."""
    nested = data.get("metadata")
    if nested is not None and not isinstance(nested, dict):
        raise InputError(f"{where}: `metadata` must be an object")
    out: dict[str, Any] = {}
    for name in FIELDS:
        value = data.get(name, (nested or {}).get(name))
        if value is None or value == "":
            continue
        if name == "published":
            out[name] = _date(value, where)
        elif not isinstance(value, str):
            raise InputError(f"{where}: `{name}` must be a string")
        else:
            out[name] = " ".join(value.split())[:500]
    url = out.get("url")
    if url is not None and not url.startswith(("http://", "https://")):
        raise InputError(f"{where}: `url` must be an http(s) address")
    return out


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise InputError(f"{where}: `published` must be a date written YYYY-MM-DD")


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
