"""HTML input: the article body and its metadata through trafilatura, one paragraph a line.

The text is trafilatura's body text, paragraphs (and headings, list items,
table rows) separated by "\\n", so the extractor reads it line by line as it
reads a text file. The headline comes first: trafilatura usually keeps the
page's <h1> at the top of the body; when it leaves it out, the title is put
back as the first line. The same article saved as text (headline, then
paragraphs) and as HTML then gives the same lines.
"""

from __future__ import annotations

import re
from datetime import date

from accord.errors import InputNotText
from accord.ingest.metadata import Metadata

MIN_SENTENCE_WORDS = 8
# trafilatura falls back to any text it finds, such as a menu ("Home\nWorld"); a page is taken
# to have an article only when some line reads as a sentence: enough words and a final stop.
_ENDS_SENTENCE = re.compile(r"[.!?][\"”’)]*$")


def read_html(data: bytes, source: str, *, url: str | None = None) -> tuple[str, Metadata]:
    """Article text and metadata (title, outlet, published) of an HTML page."""
    # Imported here: trafilatura pulls in lxml, htmldate and more, and only HTML needs it.
    import trafilatura
    from trafilatura.settings import Document as Extracted
    from trafilatura.settings import set_date_params

    try:
        extracted = trafilatura.bare_extraction(
            data,
            url=url,
            with_metadata=True,
            include_comments=False,  # readers' comments are not the article
            # Dates from the page's markup only: the extensive search guesses from any
            # number in the page (a copyright year), and a guessed date is worse than none.
            date_extraction_params=set_date_params(extensive=False),
        )
    except Exception as exc:  # noqa: BLE001 - lxml and trafilatura raise many kinds on broken pages
        raise InputNotText(f"{source}: the HTML could not be parsed ({type(exc).__name__})") from None
    if not isinstance(extracted, Extracted):
        raise _no_article(source)
    lines = [line.strip() for line in (extracted.text or "").splitlines() if line.strip()]
    if not any(_ENDS_SENTENCE.search(line) and len(line.split()) >= MIN_SENTENCE_WORDS for line in lines):
        raise _no_article(source)
    title = _clean(extracted.title)
    if title and lines[0].casefold() != title.casefold():
        lines.insert(0, title)
    meta = Metadata(title=title, outlet=_clean(extracted.sitename), published=_iso_date(extracted.date))
    return "\n".join(lines), meta


def _no_article(source: str) -> InputNotText:
    return InputNotText(f"{source}: no article text found in the page; save the article as text instead")


def _clean(value: str | None) -> str | None:
    """One line of text with single spaces, or None when empty."""
    text = " ".join((value or "").split())
    return text or None


def _iso_date(value: str | None) -> date | None:
    """A YYYY-MM-DD date as trafilatura gives it."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
