"""PDF input: each page's text through pypdf, its wrapped lines joined back into paragraphs.

pypdf gives a page as its printed lines. A line is joined to the next unless
it ends a sentence (".", "?", "!", ":" or ";", perhaps before a quote or
bracket) or is much shorter than the page's widest line (a heading, the end
of a paragraph), so each paragraph becomes one line, as in a text file; a
paragraph cut by a full stop at the end of a printed line is split there,
which keeps every sentence whole. A word hyphenated across lines is joined
without its hyphen when the next line starts in lower case ("coop-" /
"eration"), with it otherwise ("Vientiane-" / "Vũng Áng"). Pages are joined
with "\\n", so a paragraph running onto the next page is split at the break.
"""

from __future__ import annotations

import io
import re
from datetime import date

from accord.errors import InputNotText
from accord.ingest.metadata import Metadata

SHORT_LINE = 0.7  # a line under this share of the widest line on its page ends a paragraph

_ENDS_SENTENCE = re.compile(r"[.!?:;][\"”’)\]]*$")
_PDF_DATE = re.compile(r"(?:D:)?(\d{4})(\d{2})(\d{2})")
# Titles that word processors write by themselves and that name no document.
_NO_TITLE = re.compile(r"^(?:microsoft word - .*|untitled.*|.*\.(?:docx?|pdf|odt|rtf))$", re.IGNORECASE)


def read_pdf(data: bytes, source: str) -> tuple[str, Metadata]:
    """Text of the pages and metadata (title, published) of a PDF."""
    # Imported here: only PDFs need pypdf.
    from pypdf import PasswordType, PdfReader

    # pypdf meets malformed files with many kinds of built-in errors, not only its own.
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise InputNotText(f"{source}: the PDF is encrypted with a password; save an unprotected copy")
        pages = [page.extract_text() for page in reader.pages]
        info = reader.metadata
        title = info.get("/Title") if info else None
        created = info.get("/CreationDate") if info else None
    except InputNotText:
        raise
    except Exception as exc:  # noqa: BLE001 - see above
        raise InputNotText(f"{source}: not a readable PDF ({_first_line(exc)})") from None
    text = "\n".join(filter(None, (_reflow(page) for page in pages)))
    if not text.strip():
        raise InputNotText(f"{source}: the PDF has no text layer (a scan?); run OCR on it first")
    return text, Metadata(title=_title(title), published=_pdf_date(created))


def _reflow(page: str) -> str:
    """The page's printed lines joined back into one line per paragraph."""
    lines = [" ".join(line.split()) for line in page.splitlines()]
    widest = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
                current = ""
            continue
        if not current:
            current = line
        elif current.endswith("-") and current[-2:-1].isalpha():
            current = current[:-1] + line if line[0].islower() else current + line
        else:
            current = f"{current} {line}"
        if _ENDS_SENTENCE.search(line) or len(line) < SHORT_LINE * widest:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return "\n".join(paragraphs)


def _title(value: object) -> str | None:
    """The document's /Title, unless empty or one a word processor made up."""
    title = " ".join(str(value).split()) if value is not None else ""
    return title if title and not _NO_TITLE.match(title) else None


def _pdf_date(value: object) -> date | None:
    """The day of a PDF date ("D:20251118093000+07'00'")."""
    found = _PDF_DATE.match(str(value)) if value is not None else None
    if found is None:
        return None
    try:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


def _first_line(exc: Exception) -> str:
    """An exception's message on one line, or its class name when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
