"""Metadata read from a document's text itself: headline, dateline, closing byline, language.

Readers of HTML and PDF know a title or a date from the file's own metadata;
these fill what they lack. A dateline is the label before the first dash of a
line near the top: "VIENTIANE, Dec 1 (Reuters) - ...", "Hanoi (VNA) – ...",
"date 2025-12-02 HÀ NỘI - ...". Month names, outlets and labels that an
analyst may extend live in `accord/data/datelines.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

from accord.errors import PipelineError

HEAD_CHARS = 300  # a dateline opens a line that starts this close to the top
MAX_DATELINE = 80  # characters before the dash; longer is a sentence, not a dateline
MAX_TITLE_WORDS = 25
LANGUAGE_CHARS = 3000  # langdetect is as sure on this much as on the whole text, and faster
TAIL_CHARS = 300  # the closing byline is looked for in this many final characters

# The dash after a dateline: spaced hyphen, en or em dash, or "--"; an em dash may be unspaced
# ("HANOI—The ..."), but a bare hyphen or en dash never is ("Hanoi–Vientiane expressway").
_SEPARATOR = re.compile(r"\s+(?:--|[-–—])\s+|—")
_BRACKETED = re.compile(r"\(\s*([^()]{2,40}?)\s*\)$")
_WEB_NAME = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z]{2,})+")  # VOV.VN, VnExpress.net
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+")
_PLACE_CHARS = frozenset(".'’-")


@dataclass(frozen=True, slots=True)
class Metadata:
    """What is known of a document besides its text; None where nothing says."""

    title: str | None = None
    outlet: str | None = None
    published: date | None = None
    place: str | None = None
    language: str | None = None

    def or_else(self, fallback: Metadata) -> Metadata:
        """Each field of this one, or of `fallback` where this one has none."""
        return Metadata(
            title=self.title if self.title is not None else fallback.title,
            outlet=self.outlet if self.outlet is not None else fallback.outlet,
            published=self.published if self.published is not None else fallback.published,
            place=self.place if self.place is not None else fallback.place,
            language=self.language if self.language is not None else fallback.language,
        )


def detect_metadata(text: str) -> Metadata:
    """Title, outlet, date, place and language as the text itself gives them."""
    dateline = _dateline(text)
    outlet = dateline.outlet if dateline and dateline.outlet else _byline(text)
    return Metadata(
        title=_headline(text),
        outlet=outlet,
        published=dateline.published if dateline else None,
        place=dateline.place if dateline else None,
        language=_language(text),
    )


@dataclass(frozen=True, slots=True)
class _Patterns:
    months: dict[str, int]
    date: re.Pattern[str]
    label: re.Pattern[str]
    outlets: frozenset[str]  # case-folded
    not_places: frozenset[str]


@cache
def _patterns() -> _Patterns:
    """The patterns of datelines.yaml, compiled once."""
    data = _load_yaml("datelines.yaml")
    months = {str(name).lower(): int(number) for name, number in data["months"].items()}
    names = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
    day = r"\d{1,2}(?:st|nd|rd|th)?"
    year = r"(?:,?\s+(?P<{}>\d{{4}}))?"
    date_pattern = re.compile(
        r"(?<!\w)(?:"
        r"(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
        rf"|(?P<m1>{names})\.?\s+(?P<d1>{day}){year.format('y1')}"
        rf"|(?P<d2>{day})\s+(?P<m2>{names})\.?{year.format('y2')}"
        r")(?!\w)",
        re.IGNORECASE,
    )
    labels = "|".join(map(re.escape, (str(x) for x in data["date_labels"])))
    return _Patterns(
        months=months,
        date=date_pattern,
        label=re.compile(rf"(?:{labels})(?!\w)\s*:?\s*", re.IGNORECASE),
        outlets=frozenset(str(x).casefold() for x in data["outlets"]),
        not_places=frozenset(str(x).casefold() for x in data["not_places"]),
    )


@cache
def _load_yaml(name: str) -> Any:
    """`accord/data/<name>` parsed; ingest reads its own data so it imports no later stage."""
    try:
        return yaml.safe_load(resources.files("accord.data").joinpath(name).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PipelineError(f"data file {name} could not be read: {exc}") from None


def _dateline(text: str) -> Metadata | None:
    """The dateline of the first line near the top that opens with one."""
    start = 0
    while start < HEAD_CHARS and start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        found = _parse_dateline(text[start:end])
        if found is not None:
            return found
        start = end + 1
    return None


def _parse_dateline(line: str) -> Metadata | None:
    """Outlet, date and place of a line that opens with a dateline, else None.

    A place alone must be in capitals ("HÀ NỘI - ...", "WASHINGTON, D.C. — ..."),
    the way datelines are set; in title case it needs an outlet in brackets or
    a date after a comma ("Hanoi (VNA) – ...", "Phnom Penh, 2 December 2025 - ..."),
    so that "Prime Minister Hun Manet – who ..." is no dateline.
    """
    sep = _SEPARATOR.search(line, 0, MAX_DATELINE + 8)
    if sep is None:
        return None
    prefix = line[: sep.start()].strip()
    if not prefix or len(prefix) > MAX_DATELINE:
        return None
    patterns = _patterns()
    label = patterns.label.match(prefix)
    if label and label.end() < len(prefix) and patterns.date.match(prefix, label.end()):
        prefix = prefix[label.end() :]
    outlet = None
    bracketed = _BRACKETED.search(prefix)
    if bracketed:
        outlet = bracketed.group(1)
        prefix = prefix[: bracketed.start()].rstrip()
    published, dated, date_after_comma = None, False, False
    found = patterns.date.search(prefix)
    if found and (found.start() == 0 or found.end() == len(prefix)):
        published = _to_date(found, patterns.months)
        dated = True
        date_after_comma = found.start() > 0 and prefix[: found.start()].rstrip().endswith(",")
        prefix = prefix[: found.start()] + prefix[found.end() :]
    rest = prefix.strip(" ,")
    place = None
    if rest:
        if outlet is None and _is_outlet(rest, patterns):
            outlet = rest
        elif _is_place(rest, patterns, title_case=outlet is not None or date_after_comma):
            place = rest
        else:
            return None
    if place is None and outlet is None and not dated:
        return None
    return Metadata(outlet=outlet, published=published, place=place)


def _to_date(found: re.Match[str], months: dict[str, int]) -> date | None:
    """The date a match names; None when it has no year (one is never guessed) or is impossible."""
    if found.group("iy"):
        year, month, day = found.group("iy"), found.group("im"), found.group("id")
    else:
        year = found.group("y1") or found.group("y2")
        month_name = (found.group("m1") or found.group("m2")).lower()
        month = str(months[month_name])
        day = re.sub(r"\D", "", found.group("d1") or found.group("d2"))
    if year is None:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _is_outlet(name: str, patterns: _Patterns) -> bool:
    """A known outlet, a web address ("VOV.VN"), or several joined by "/" ("VNA/VNS")."""
    parts = name.split("/")
    return all(p.casefold() in patterns.outlets or _WEB_NAME.fullmatch(p) for p in parts)


def _is_place(name: str, patterns: _Patterns, *, title_case: bool) -> bool:
    """Up to six capitalised words of letters; all in capitals unless `title_case`."""
    if name.casefold() in patterns.not_places:
        return False
    words = name.replace(",", " ").split()
    if not 1 <= len(words) <= 6:
        return False
    if not all(w[0].isupper() and all(c.isalpha() or c in _PLACE_CHARS for c in w) for w in words):
        return False
    return title_case or all(w == w.upper() for w in words)


def _headline(text: str) -> str | None:
    """The first line when it reads as a headline over more text: short, no final stop, no dateline."""
    body = text.lstrip()
    end = body.find("\n")
    if end < 0 or not body[end:].strip():
        return None
    first = body[:end].strip()
    if first[-1] in ".,;:" or len(first.split()) > MAX_TITLE_WORDS or _parse_dateline(first):
        return None
    return first


def _byline(text: str) -> str | None:
    """The outlet a text ends with: "... the world. VNA/VNS", a last line "— Reuters"."""
    tail = text[-TAIL_CHARS:].rstrip()
    line = tail[tail.rfind("\n") + 1 :].strip()
    ends = list(_SENTENCE_END.finditer(line))
    fragment = line[ends[-1].end() :] if ends else line
    dashed = fragment.lstrip("-–— ")
    bracketed = _BRACKETED.fullmatch(fragment)
    if bracketed:
        dashed, fragment = bracketed.group(1), ""
    if not dashed:
        return None
    if _is_outlet(dashed, _patterns()):
        return dashed
    # After a dash or in brackets, any one to three capitalised words name the outlet.
    words = dashed.split()
    if dashed != fragment and 1 <= len(words) <= 3 and all(w[0].isupper() for w in words):
        return dashed
    return None


def _language(text: str) -> str | None:
    """ISO 639-1 code of the text's language by langdetect, or None when it can't tell."""
    sample = text[:LANGUAGE_CHARS]
    if not sample.strip():
        return None
    # Imported here: langdetect loads its language profiles on first use.
    from langdetect import DetectorFactory, detect  # type: ignore[import-untyped]  # ships no types
    from langdetect.lang_detect_exception import LangDetectException  # type: ignore[import-untyped]

    DetectorFactory.seed = 0  # langdetect samples at random; a fixed seed makes it repeatable
    try:
        code = str(detect(sample))
    except LangDetectException:  # no letters to go on
        return None
    return code.split("-")[0]  # "zh-cn" and "zh-tw" are both ISO 639-1 "zh"
