"""Plain-text input: check a file is UTF-8 text, stream it in blocks with offsets, and the text as stored.

Offsets from `iter_blocks` are Python `str` indices into the whole file decoded
as UTF-8, so a block that starts at `offset` holds
`file_text[offset:offset + len(block)]` (this is what `accord extract` reports).
Files are read in fixed-size chunks, never whole, so a 50 MB file costs a
few megabytes of memory. What the ledger stores, and what its offsets index,
is `stored_text` of the file's text.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from accord.errors import InputNotFound, InputNotText

READ_CHUNK = 1 << 20  # bytes per read
MAX_BLOCK = 100_000  # characters; longer lines are cut at a sentence end
_SNIFF = 8192
_LINES = re.compile(r"[^\n]*\n|[^\n]+")

# Where a block over MAX_BLOCK may be cut: after a full stop and spaces, before a capital.
_CUT = re.compile(r"[.!?][\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")


def check_text_file(path: Path) -> int:
    """Raise a one-line InputError unless `path` is a readable UTF-8 text file; return its size."""
    if not path.exists():
        raise InputNotFound(f"{path}: no such file")
    if path.is_dir():
        raise InputNotFound(f"{path}: is a folder, not a file")
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(_SNIFF)
            if b"\x00" in head:
                raise InputNotText(f"{path}: binary file, not text (it contains NUL bytes)")
            decoder = codecs.getincrementaldecoder("utf-8")()
            done = 0
            chunk = head
            while chunk:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    raise InputNotText(
                        f"{path}: not UTF-8 text (invalid byte at offset {done + exc.start}); "
                        "convert it with iconv or save it as UTF-8"
                    ) from None
                done += len(chunk)
                chunk = f.read(READ_CHUNK)
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise InputNotText(f"{path}: not UTF-8 text (truncated character at the end)") from None
    except PermissionError:
        raise InputNotFound(f"{path}: permission denied") from None
    return size


BOM = "\ufeff"
_LINE_ENDS = re.compile(r"\r\n?")


def stored_text(text: str) -> str:
    """The text as Accord stores it: without a leading byte order mark, every line ending a "\\n".

    A document's identity is the SHA-256 of this text, so a file saved with or
    without a BOM, or with Windows (CRLF), old Mac (CR) or Unix (LF) line
    endings, is one document; a web form, which sends CRLF, pastes the same
    document as the file. Offsets index this text exactly, never the bytes of
    the file: a BOM and the "\\r" of a CRLF are not characters of the document.
    """
    if text.startswith(BOM):
        text = text[1:]
    return _LINE_ENDS.sub("\n", text) if "\r" in text else text


def has_text(text: str) -> bool:
    """Whether a text holds anything to read: more than whitespace and byte order marks."""
    return bool(text.replace(BOM, "").strip())


def iter_blocks(path: Path, max_block: int = MAX_BLOCK) -> Iterator[tuple[int, str]]:
    """Yield `(offset, block)` pairs covering the file: one block per line, long lines cut.

    Call `check_text_file` first; this reads the file as UTF-8 without newline translation.
    """
    offset = 0
    buf = ""
    with path.open("r", encoding="utf-8", newline="") as f:
        while True:
            chunk = f.read(READ_CHUNK)
            buf += chunk
            while True:
                nl = buf.find("\n")
                if nl >= 0 and nl < max_block:
                    line, buf = buf[: nl + 1], buf[nl + 1 :]
                elif len(buf) >= max_block:
                    cut = _cut_point(buf, max_block)
                    line, buf = buf[:cut], buf[cut:]
                else:
                    break
                yield offset, line
                offset += len(line)
            if not chunk:
                break
    if buf:
        yield offset, buf


def iter_text_blocks(text: str, max_block: int = MAX_BLOCK) -> Iterator[tuple[int, str]]:
    """The same blocks as `iter_blocks`, for a text already in memory."""
    offset = 0
    for line in _LINES.findall(text):
        while len(line) > max_block:
            cut = _cut_point(line, max_block)
            yield offset, line[:cut]
            offset += cut
            line = line[cut:]
        if line:
            yield offset, line
            offset += len(line)


def _cut_point(text: str, limit: int) -> int:
    """The last sentence end before `limit`, else the last space, else `limit` itself."""
    last = None
    for m in _CUT.finditer(text, 0, limit):
        last = m.end()
    if last:
        return last
    space = text.rfind(" ", 0, limit)
    return space + 1 if space > 0 else limit
