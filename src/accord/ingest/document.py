"""Reading one source, a local path or an http(s) URL, as a Document: format, text, metadata, hash."""

from __future__ import annotations

import codecs
import hashlib
import re
from datetime import date
from pathlib import Path

from accord.errors import InputNotFound, InputNotText, InputTooLarge
from accord.ingest.fetch import fetch, is_url
from accord.ingest.html import read_html
from accord.ingest.metadata import Metadata, detect_metadata
from accord.ingest.pdf import read_pdf
from accord.ingest.text import check_text_file, has_text, stored_text
from accord.model import Document

_SUFFIXES = {".html": "html", ".htm": "html", ".xhtml": "html", ".pdf": "pdf", ".txt": "text", ".text": "text",
             ".md": "text"}
_MEDIA_TYPES = {"text/html": "html", "application/xhtml+xml": "html", "application/xhtml": "html",
                "application/pdf": "pdf", "text/plain": "text"}
_SNIFF = 1024
# An HTML document opens with a doctype or <html>, perhaps after a BOM, an XML declaration or comments.
_HTML_START = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]",
                         re.IGNORECASE | re.DOTALL)


_NAME_MONTH = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_/.](0[1-9]|1[0-2])(?!\d)")
_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_/.](0[1-9]|1[0-2])[-_/.](0[1-9]|[12]\d|3[01])(?!\d)")


def read_document(source: str | Path, *, timeout: float = 30.0, max_bytes: int = 50_000_000) -> Document:
    """Read a text, HTML or PDF file, or fetch a URL, as a Document.

    Local files go by their suffix (.html/.htm/.xhtml, .pdf, anything else is
    text); URLs by their Content-Type; either falls back to the first bytes
    when those say nothing. The format's own metadata (a page's title, a PDF's
    /Title) wins over what the text says (headline, dateline, byline); a
    fetched document's host names its outlet as detect_metadata says.
    A text's BOM and line endings go as `stored_text` says, so its hash and
    offsets are of the text the ledger stores; a text with nothing but
    whitespace is refused. Every failure is an InputError with a one-line message.
    """
    name = str(source)
    if isinstance(source, str) and is_url(source):
        fetched = fetch(source, timeout=timeout, max_bytes=max_bytes)
        fmt = _MEDIA_TYPES.get(fetched.media_type or "") or _sniff(fetched.content[:_SNIFF])
        data, charset, url = fetched.content, fetched.charset, fetched.url
    else:
        path = Path(source)
        fmt = _SUFFIXES.get(path.suffix.lower()) or _sniff(_head(path))
        data = _read_text_file(path, max_bytes) if fmt == "text" else _read_bytes(path, max_bytes)
        charset, url = "utf-8", None
    return _document(data, fmt, charset, url, name)


def read_upload(data: bytes, filename: str, *, max_bytes: int = 50_000_000) -> Document:
    """A file sent to the server (a form's upload, the API's), read from memory as `read_document` reads
    a file: its format from the name's suffix or its first bytes. Every message names `filename`, the
    name the person gave it, never a path on the server (there is none: nothing is written to disk)."""
    if len(data) > max_bytes:
        raise InputTooLarge(f"{filename}: {len(data):,} bytes, over the limit of {max_bytes:,}")
    fmt = _SUFFIXES.get(Path(filename).suffix.lower()) or _sniff(data[:_SNIFF])
    if fmt == "text" and b"\x00" in data:  # anywhere, not only in the first bytes: no database stores it
        raise InputNotText(f"{filename}: binary file, not text (it contains NUL bytes)")
    return _document(data, fmt, "utf-8", None, filename)


def _document(data: bytes, fmt: str, charset: str | None, url: str | None, name: str) -> Document:
    """The Document of a source's bytes in a known format; `name` (a path, URL or upload's name) is its
    source and what every message names."""
    if fmt == "html":
        text, found = read_html(data, name, url=url)
    elif fmt == "pdf":
        text, found = read_pdf(data, name)
    else:
        text, found = stored_text(_decode(data, charset, name)), Metadata()
    check_has_text(text, name)
    meta = found.or_else(detect_metadata(text, url=url, source_month=_month_in_name(name)))
    published = meta.published or _date_in_name(name)
    return Document(
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        text=text,
        source=name,
        format=fmt,
        title=meta.title,
        outlet=meta.outlet,
        published=published,
        place=meta.place,
        language=meta.language,
        raw=None if fmt == "text" else data,
    )


def _month_in_name(name: str) -> tuple[int, int] | None:
    """The year and month a file name or URL path states ("yonhap-2023-01-summit.txt", ".../2023/01/...")."""
    m = _NAME_MONTH.search(name.rsplit("/", 4)[-1] if not is_url(name) else name)
    return (int(m.group(1)), int(m.group(2))) if m else None


def _date_in_name(name: str) -> date | None:
    """A date written in the file name or URL path ("vov-2025-12-01-talks.txt", ".../2023/05/01/...")
    when the document itself gives none: analysts name their files this way."""
    m = _NAME_DATE.search(name.rsplit("/", 4)[-1] if not is_url(name) else name)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _sniff(head: bytes) -> str:
    """The format that a file's first bytes show: "pdf", "html", else "text"."""
    if head.lstrip().startswith(b"%PDF-"):
        return "pdf"
    if _HTML_START.match(head):
        return "html"
    return "text"


def _head(path: Path) -> bytes:
    """The first bytes of a file, or none when it can't be read (reading it later says why)."""
    try:
        with path.open("rb") as f:
            return f.read(_SNIFF)
    except OSError:
        return b""


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """A whole HTML or PDF file, within the size limit."""
    if not path.exists():
        raise InputNotFound(f"{path}: no such file")
    if path.is_dir():
        raise InputNotFound(f"{path}: is a folder, not a file")
    try:
        _check_size(path, path.stat().st_size, max_bytes)
        return path.read_bytes()
    except PermissionError:
        raise InputNotFound(f"{path}: permission denied") from None


def _read_text_file(path: Path, max_bytes: int) -> bytes:
    """A text file's bytes, once check_text_file has found it UTF-8 text within the limit."""
    if path.is_file():  # the size first: checking a huge file's UTF-8 would read it all
        _check_size(path, path.stat().st_size, max_bytes)
    check_text_file(path)
    return path.read_bytes()


def _check_size(path: Path, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputTooLarge(f"{path}: {size:,} bytes, over the limit of {max_bytes:,}; raise max_bytes to read it")


def _decode(data: bytes, charset: str | None, source: str) -> str:
    """Text as sent or stored: the declared charset or UTF-8, line ends untouched (newline='')."""
    if b"\x00" in data[:8192]:
        raise InputNotText(f"{source}: binary content, not text (it contains NUL bytes)")
    encoding = charset or "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"  # an unknown charset name: UTF-8 is what the web mostly sends
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputNotText(
            f"{source}: not {encoding} text (invalid byte at offset {exc.start}); save it as UTF-8"
        ) from None


def check_has_text(text: str, source: str) -> None:
    """Refuse a document with nothing to read: a ledger entry without a statement helps no one."""
    if not has_text(text):
        what = "empty" if not text else "only whitespace"
        raise InputNotText(f"{source}: {what}, no text to ingest")


def text_document(text: str, source: str = "pasted text") -> Document:
    """A document from text already in memory (pasted into the web page, posted to the API), stored as
    `stored_text` says: the same text pasted (a browser sends CRLF) and read from a file is one document."""
    if "\x00" in text:
        raise InputNotText(f"{source}: binary data, not text")
    text = stored_text(text)
    check_has_text(text, source)
    meta = detect_metadata(text)
    return Document(sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), text=text, source=source,
                    format="text", title=meta.title, outlet=meta.outlet, published=meta.published,
                    place=meta.place, language=meta.language)
