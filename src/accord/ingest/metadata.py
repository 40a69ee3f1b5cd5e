"""Metadata read from a document's text itself: headline, dateline, credit lines, lead date, language.

Readers of HTML and PDF know a title or a date from the file's own metadata;
these fill what they lack. Each field is taken from the first of its sources
that states it, most explicit first:

- published: the dateline ("VIENTIANE, Dec 1, 2025 (Reuters) - ..."), then a
  credit line near the top (a byline, a date line, a labelled date:
  "Reported by Kyodo | Osaka | Posted: 14 Jan 2019", "Tuesday, 5 March 2018"),
  then a date set off at the start or end of the headline, then a lead
  sentence that dates its own occasion (see `_lead_date`). A date is never
  completed with a guessed year, and a text that states none has none.
- outlet: the publisher of the web address the text came from when
  datelines.yaml knows its host, then the dateline's agency ("(Reuters)",
  "/TASS/."), a credit line near the top ("By Jane Doe, Reuters", "Source:
  VNA", a masthead line "THE WHITE HOUSE"), the closing credit ("... the
  world. VNA/VNS", "— Xinhua"), and last the unknown host itself.
- place: the dateline's, else a place named among a credit line's parts, in
  its canonical spelling from the gazetteer ("HÀ NỘI", "HANOI" -> "Hà Nội").

A dateline is the label before the first dash of a line near the top:
"VIENTIANE, Dec 1 (Reuters) - ...", "Hanoi (VNA) – ...", "date 2025-12-02
HÀ NỘI - ..."; also a place in capitals before a colon ("DUBAI: ...") or an
agency between slashes ("MOSCOW, March 3. /TASS/. ..."), or a line
that is only a place and a date ("Phnom Penh, 2 December 2025"); the last
three need a place the gazetteer knows, since run-in headings look the same.
Month and day names, labels and outlets that an analyst may extend live in
`accord/data/datelines.yaml`; places in `accord/data/entities/places.jsonl`.
"""

from __future__ import annotations

import json
import re
from contextvars import ContextVar
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import yaml

from accord.errors import PipelineError

HEAD_CHARS = 300  # a dateline opens a line that starts this close to the top
LEAD_CHARS = 600  # credit lines (byline, date line, source) start this close to the top
LEAD_LINES = 8  # ... and are among this many first lines
BODY_CHARS = 600  # the lead sentences, after the headline, that may date the text's occasion
LINE_CHARS = 1000  # no more of a line than this is read: a dateline or credit line is short
MAX_DATELINE = 80  # characters before the dash; longer is a sentence, not a dateline
MAX_CREDIT = 160  # characters of a credit line ("By ... | Tokyo | Updated: ...")
MAX_NAME_WORDS = 8  # words of a byline's names or a credited outlet's name
MAX_TITLE_WORDS = 25
EVENT_LOOKBACK = 160  # characters before a lead sentence's date searched for its event word
LANGUAGE_CHARS = 1000  # langdetect is as sure on this much (a lead of ~150 words) as on the whole text, and faster
TAIL_CHARS = 300  # the closing byline is looked for in this many final characters

# The dash after a dateline: spaced hyphen, en or em dash, or "--"; an em dash may be unspaced
# ("HANOI—The ..."), but a bare hyphen or en dash never is ("Hanoi–Vientiane expressway").
_SEPARATOR = re.compile(r"\s+(?:--|[-–—])\s+|—")
_SLASHED = re.compile(r"\s*/([^/\s][^/]{0,38}?)/\.?\s+")  # TASS sets its name so: "March 3. /TASS/. ..."
_COLON = re.compile(r":\s+")
_BRACKETED = re.compile(r"\(\s*([^()]{2,40}?)\s*\)$")
_WEB_NAME = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z]{2,})+")  # VOV.VN, VnExpress.net
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+")
_PLACE_CHARS = frozenset(".'’-")
_SEGMENTS = re.compile(r"\s*[|•·]\s*")  # the parts of a credit line: "By Jane Doe | Osaka | ..."
# What may follow a date on a date line: a time and its zone ("11:05pm ICT", "at 10:30 GMT+7").
_TIME_REST = re.compile(r"[\s,]*(?:at\s+)?(?:[0-9]{1,2}[:.][0-9]{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Za-z0-9+:]{1,8})?)?\s*\.?")
_LEAD_ON = re.compile(r"(?:^|[\n.!?][\"”’)]*\s+|\s(?:--|[-–—])\s+|—)\s*[Oo]n\s+$")  # a sentence opening "On <date>,"
_NAME_ON = re.compile(r"[A-Z][\w.’'-]*\s+on\s+$")  # "President Hue on <date> ..."
_AFTER_LEAD_DATE = re.compile(r",|\s+[^\W\d_]")  # "On 12 May 2022, the ..." or "On 12 May 2022 the ..."
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_NONSPACE = re.compile(r"\S")


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


def detect_metadata(text: str, *, url: str | None = None, source_month: tuple[int, int] | None = None) -> Metadata:
    """Title, outlet, date, place and language as the text itself gives them.

    `url` is the address the text was fetched from, if any: a host that
    datelines.yaml knows names the publisher, and wins over the agency the
    text credits, as a page's own site name does. `source_month` is the
    (year, month) that the file name or URL path states ("…/2023/01/…",
    "yonhap-2023-01-summit.txt"): a dateline that gives a day and a month but
    no year ("ABU DHABI, Jan. 15 (Yonhap) --") takes that year when the months
    agree — the source says it, nothing is guessed.
    """
    token = _SOURCE_MONTH.set(source_month)
    try:
        return _detect(text, url)
    finally:
        _SOURCE_MONTH.reset(token)


def _detect(text: str, url: str | None) -> Metadata:
    dateline = _dateline(text) or Metadata()
    credits = _credits(text)
    title, body_start = _headline(text)
    published = dateline.published or credits.published or _headline_date(title)
    if published is None:
        published = _lead_date(text, body_start)
    known_host, host = _host_outlet(url) if url else (None, None)
    outlet = known_host or dateline.outlet or credits.outlet or _byline(text) or host
    place = dateline.place or credits.place
    return Metadata(
        title=title,
        outlet=_outlet_name(outlet) if outlet else None,
        published=published,
        place=_canonical_place(place) if place else None,
        language=_language(text),
    )


def _canonical_place(name: str) -> str:
    """The gazetteer's name of a place in any case or accents ("HANOI" -> "Hà Nội"); unknown
    places as written, in title case if written in capitals ("NEW TOWN" -> "New Town")."""
    known = _place_names().get(_fold(name))
    if known is not None:
        return known
    if name.upper() == name:
        return _WORD.sub(lambda m: m.group()[0] + m.group()[1:].lower(), name)
    return name


@dataclass(frozen=True, slots=True)
class _Patterns:
    months: dict[str, int]
    date: re.Pattern[str]
    label: re.Pattern[str]
    byline: re.Pattern[str]
    credit: re.Pattern[str]
    event: re.Pattern[str]
    event_after: re.Pattern[str]  # an event word right after a date: "... on January 17 held talks"
    weekday_bracket: re.Pattern[str]
    past_markers: frozenset[str]
    name_connectors: frozenset[str]
    release_labels: frozenset[str]  # case-folded
    outlets: dict[str, str]  # case-folded -> as datelines.yaml spells it
    hosts: dict[str, str]
    not_places: frozenset[str]


def _alternatives(words: Any) -> str:
    """A regex alternation of `words`, longest first, so "september" is tried before "sep"."""
    return "|".join(sorted((re.escape(str(w)) for w in words), key=len, reverse=True))


@cache
def _patterns() -> _Patterns:
    """The patterns of datelines.yaml, compiled once."""
    data = _load_yaml("datelines.yaml")
    months = {str(name).lower(): int(number) for name, number in data["months"].items()}
    names, weekdays = _alternatives(months), _alternatives(data["weekdays"])
    day = r"[0-9]{1,2}(?:st|nd|rd|th)?"
    year = r"(?:19|20)[0-9]{2}(?![0-9])"
    # A range ("12-13 May", "May 12-13", "8 to 11 October", "30 November – 2 December") is
    # read as its last day; `r`/`rm` are the first day and month, kept only to check the range.
    to = r"\s*(?:-|–|—|to|and)\s*"
    date_pattern = re.compile(
        rf"(?<!\w)(?:(?:{weekdays})\.?,?\s+)?(?:"
        rf"(?P<iy>{year})-(?P<im>[0-9]{{2}})-(?P<id>[0-9]{{2}})"
        rf"|(?P<m1>{names})\.?\s+(?:(?P<r1>{day}){to}(?:(?P<rm1>{names})\.?\s+)?)?(?P<d1>{day})(?:,?\s+(?P<y1>{year}))?"
        rf"|(?:(?P<r2>{day})(?:\s+(?P<rm2>{names})\.?)?{to})?(?P<d2>{day})\s+(?:of\s+)?(?P<m2>{names})\.?"
        rf"(?:,?\s+(?P<y2>{year}))?"
        r")(?!\w)",
        re.IGNORECASE,
    )
    gap = rf"(?:[A-Z][\w.’'&-]*|(?:{_alternatives(data['event_gap_words'])})(?!\w))"
    event = re.compile(
        rf"(?:(?P<prev>[\w’']+)[\s,]+)?(?<![\w’'])(?i:{_alternatives(data['event_words'])})"
        rf"(?:,?\s+{gap}){{0,8}},?\s+(?:on|from|between)\s+$"
    )
    return _Patterns(
        months=months,
        date=date_pattern,
        label=re.compile(rf"(?:{_alternatives(data['date_labels'])})(?!\w)(?:\s+on)?\s*:?\s*", re.IGNORECASE),
        byline=re.compile(rf"(?:{_alternatives(data['byline_labels'])})\s+(?=(?-i:[A-Z]))", re.IGNORECASE),
        credit=re.compile(rf"(?:{_alternatives(data['credit_labels'])})\s*:\s*", re.IGNORECASE),
        event=event,
        event_after=re.compile(rf",?\s+(?i:{_alternatives(data['event_words'])})(?!\w)"),
        weekday_bracket=re.compile(rf"(?<!\w)(?i:{weekdays})\.?\s*\(\s*$"),
        past_markers=frozenset(str(x).casefold() for x in data["past_markers"]),
        name_connectors=frozenset(str(x) for x in data["name_connectors"]),
        release_labels=frozenset(str(x).casefold() for x in data["release_labels"]),
        outlets={str(x).casefold(): str(x) for x in data["outlets"]},
        hosts={str(k).casefold(): str(v) for k, v in data["outlet_hosts"].items()},
        not_places=frozenset(str(x).casefold() for x in data["not_places"]),
    )


@cache
def _load_yaml(name: str) -> Any:
    """`accord/data/<name>` parsed; ingest reads its own data so it imports no later stage."""
    try:
        return yaml.safe_load(resources.files("accord.data").joinpath(name).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PipelineError(f"data file {name} could not be read: {exc}") from None


@cache
def _place_names() -> dict[str, str]:
    """Every spelling of a gazetteer place, folded, -> its name. Read here, not through
    extract's lexicon, because ingest imports no later stage."""
    out: dict[str, str] = {}
    try:
        lines = resources.files("accord.data").joinpath("entities/places.jsonl").read_text(encoding="utf-8")
        for line in lines.splitlines():
            if line.strip():
                entry = json.loads(line)
                for spelling in [entry["name"], *entry.get("aliases", [])]:
                    out.setdefault(_fold(spelling), entry["name"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PipelineError(f"data file entities/places.jsonl could not be read: {exc}") from None
    return out


def _fold(name: str) -> str:
    """A name without case, accents or odd spacing: "HÀ  NỘI" and "Ha Noi" fold alike."""
    decomposed = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d").replace("’", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def _lines(text: str, limit: int, count: int) -> Iterator[tuple[int, int, str]]:
    """(start, end, text) of the first `count` non-blank lines that start before `limit`: the
    text stripped and composed (NFC, so "HÀ" is letters however it was typed), cut at LINE_CHARS."""
    start = 0
    while count and start < limit and start < len(text):
        end = text.find("\n", start, start + LINE_CHARS + 1)
        if end < 0:
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
        line = unicodedata.normalize("NFC", text[start : min(end, start + LINE_CHARS)]).strip()
        if line:
            yield start, end, line
            count -= 1
        start = end + 1


def _dateline(text: str) -> Metadata | None:
    """The dateline of the first line near the top that opens with one."""
    for _, _, line in _lines(text, HEAD_CHARS, HEAD_CHARS):
        found = _parse_dateline(line)
        if found is not None:
            return found
    return None


def _parse_dateline(line: str) -> Metadata | None:
    """Outlet, date and place of a line that opens with a dateline, else None."""
    window = line[: MAX_DATELINE + 8]
    dates = [m.span() for m in _patterns().date.finditer(window)]
    # The first dash outside a date: "GENEVA, 30 November – 2 December 2021 (AFP) - ..."
    sep = next((m for m in _SEPARATOR.finditer(window) if not any(a < m.start() < b for a, b in dates)), None)
    if sep and (found := _read_dateline(line[: sep.start()], None, strict=False)):
        return found
    slashed = _SLASHED.search(window)
    if slashed and (found := _read_dateline(line[: slashed.start()].rstrip(" ."), slashed.group(1), strict=True)):
        return found
    colon = _COLON.search(window)
    if colon and (found := _read_dateline(line[: colon.start()], None, strict=True, capitals=True)):
        return found if found.place else None  # "Reuters: ..." and "12 May 2022: ..." head a sentence
    if len(line) <= MAX_DATELINE and (found := _read_dateline(line.rstrip(" ."), None, strict=True)):
        return found if found.published and found.place else None
    return None


def _read_dateline(prefix: str, outlet: str | None, *, strict: bool, capitals: bool = False) -> Metadata | None:
    """Outlet, date and place of the label before a dateline's separator, else None.

    A place alone must be in capitals ("HÀ NỘI - ...", "WASHINGTON, D.C. — ..."),
    the way datelines are set; in title case it needs an outlet in brackets or
    a date after a comma ("Hanoi (VNA) – ...", "Phnom Penh, 2 December 2025 - ..."),
    so that "Prime Minister Hun Manet – who ..." is no dateline. `strict`
    separators (a colon, slashes, the line's end) also need the gazetteer to
    know the place; `capitals`, that it is in capitals even with a date.
    """
    prefix = prefix.strip()
    if not prefix or len(prefix) > MAX_DATELINE:
        return None
    patterns = _patterns()
    label = patterns.label.match(prefix)
    if label and label.end() < len(prefix) and patterns.date.match(prefix, label.end()):
        prefix = prefix[label.end() :]
    bracketed = _BRACKETED.search(prefix)
    if bracketed and outlet is None:
        outlet = bracketed.group(1)
        prefix = prefix[: bracketed.start()].rstrip()
    published, dated, date_after_comma = None, False, False
    found = patterns.date.search(prefix)
    if found and (found.start() == 0 or found.end() == len(prefix)):
        published = _to_date(found)
        dated = True
        date_after_comma = found.start() > 0 and prefix[: found.start()].rstrip().endswith(",")
        prefix = prefix[: found.start()] + prefix[found.end() :]
    rest = prefix.strip(" ,")
    place = None
    if rest:
        if outlet is None and _is_outlet(rest):
            outlet = rest
        elif _is_place(rest, title_case=(outlet is not None or date_after_comma) and not capitals) and (
            not strict or _fold(rest) in _place_names()
        ):
            place = rest
        else:
            return None
    if place is None and outlet is None and not dated:
        return None
    return Metadata(outlet=outlet, published=published, place=place)


def _to_date(found: re.Match[str]) -> date | None:
    """The date a match names (a range's last day); None when it has no year (one is never
    guessed), is impossible ("31 February"), or its range runs backwards ("13-12 May")."""
    if found.group("iy"):
        year, month, day = int(found.group("iy")), int(found.group("im")), int(found.group("id"))
        first = None
    else:
        months = _patterns().months
        n = "1" if found.group("m1") else "2"
        month = months[found.group("m" + n).lower().rstrip(".")]
        hint = _SOURCE_MONTH.get()
        if found.group("y" + n) is not None:
            year = int(found.group("y" + n))
        elif hint is not None and hint[1] == month:
            year = hint[0]  # the year the source's name or address states, for the month it states
        else:
            return None
        day = int(re.sub(r"\D", "", found.group("d" + n)))
        first = found.group("r" + n)
        if first is not None and found.group("rm" + n) is None and int(re.sub(r"\D", "", first)) >= day:
            return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _is_outlet(name: str) -> bool:
    """A known outlet, a web address ("VOV.VN"), or several joined by "/" ("VNA/VNS")."""
    outlets = _patterns().outlets
    parts = name.split("/")
    return all(p.casefold() in outlets or _WEB_NAME.fullmatch(p) for p in parts)


def _outlet_name(name: str) -> str:
    """An outlet as datelines.yaml spells it ("VOVWORLD" -> "VOVWorld"), each part of "VNA/VNS" alike."""
    outlets = _patterns().outlets
    return "/".join(outlets.get(p.strip().casefold(), p.strip()) for p in name.split("/"))


def _is_place(name: str, *, title_case: bool) -> bool:
    """Up to six capitalised words of letters; all in capitals unless `title_case`."""
    if name.casefold() in _patterns().not_places:
        return False
    words = name.replace(",", " ").split()
    if not 1 <= len(words) <= 6:
        return False
    if not all(w[0].isupper() and all(c.isalpha() or c in _PLACE_CHARS for c in w) for w in words):
        return False
    return title_case or all(w == w.upper() for w in words)


def _credits(text: str) -> Metadata:
    """Outlet, date and place of the credit lines near the top, the first of each."""
    found = Metadata()
    for _, _, line in _lines(text, LEAD_CHARS, LEAD_LINES):
        credit = _credit_line(line)
        if credit is not None:
            found = found.or_else(credit)
    return found


def _credit_line(line: str) -> Metadata | None:
    """What a line of credits gives (fields may all be None: "By Lee Ha-eun"), or None when
    the line is no credit line.

    A credit line is one or more parts joined by "|" or "•", each a byline
    ("By Jane Doe, Reuters"), a credit ("Source: VNA"), a date with its label
    and time ("Posted: 14 Jan 2019, 11:05 JST", "Tuesday, 5 March 2018"),
    a known outlet or web address (a masthead line: "THE WHITE HOUSE"), a
    release label ("FOR IMMEDIATE RELEASE"), or, beside one of those, a place
    the gazetteer knows ("... | Tokyo | ...").
    """
    if len(line) > MAX_CREDIT:
        return None
    parts = _SEGMENTS.split(line)
    if not all(parts):
        return None
    outlet: str | None = None
    published: date | None = None
    place: str | None = None
    places_only = True
    for part in parts:
        kind, value = _credit_part(part, alone=len(parts) == 1)
        if kind is None:
            return None
        places_only = places_only and kind == "place"
        if kind == "date":
            published = published or (value if isinstance(value, date) else None)
        elif kind == "place":
            place = place or (value if isinstance(value, str) else None)
        elif isinstance(value, str):
            outlet = outlet or value
    if places_only:  # "Hanoi | Vientiane" is a headline, not credits
        return None
    return Metadata(outlet=outlet, published=published, place=place)


def _credit_part(part: str, *, alone: bool) -> tuple[str | None, date | str | None]:
    """The kind of one part of a credit line ("date", "byline", "outlet", "label", "place") and what it
    gives, or (None, None) when the part is none of them."""
    patterns = _patterns()
    label = patterns.label.match(part)
    found = patterns.date.match(part, label.end() if label else 0)
    if found and _TIME_REST.fullmatch(part, found.end()):
        return "date", _to_date(found)
    byline = patterns.byline.match(part)
    if byline:
        names = part[byline.end() :]
        if _is_outlet(names):
            return "byline", names
        head, _, tail = names.rpartition(",")
        if head and _is_outlet(tail.strip()):
            return "byline", tail.strip()
        if _is_name(names.replace(",", " ")):
            return "byline", None
        return None, None
    credit = patterns.credit.match(part)
    if credit:
        credited = [n.strip() for n in re.split(r"[,;]", part[credit.end() :].rstrip(" ."))]
        if all(n and (_is_outlet(n) or _is_name(n)) for n in credited):
            return "outlet", "/".join(credited)
        return None, None
    if _is_outlet(part):
        return "outlet", part
    if " ".join(part.casefold().split()) in patterns.release_labels:
        return "label", None
    if not alone and _fold(part) in _place_names():
        return "place", _place_names()[_fold(part)]
    return None, None


def _is_name(name: str) -> bool:
    """Up to MAX_NAME_WORDS words, each capitalised or a connector ("Ministry of Foreign Affairs"),
    with no final full stop."""
    words = name.split()
    return (
        1 <= len(words) <= MAX_NAME_WORDS
        and words[0][0].isupper()
        and not name.endswith(".")
        and all(w[0].isupper() or w in _patterns().name_connectors for w in words)
    )


def _headline(text: str) -> tuple[str | None, int]:
    """The first line, after any credit lines, when it reads as a headline over more text
    (short, no final stop, no dateline), and where the text under it begins (0 without one)."""
    for start, end, line in _lines(text, LEAD_CHARS, LEAD_LINES):
        if _credit_line(line) is not None:
            continue
        if end - start > LINE_CHARS or not _NONSPACE.search(text, end):
            return None, 0
        if line[-1] in ".,;:" or len(line.split()) > MAX_TITLE_WORDS or _parse_dateline(line):
            return None, 0
        return line, end
    return None, 0


def _headline_date(title: str | None) -> date | None:
    """A date set off at the start or end of the headline: "Joint Statement, 12 May 2022",
    "12 May 2022 — Press release", "Leaders' statement (5 March 2018)"."""
    if not title:
        return None
    core = title.strip(" ()[]")
    for found in _patterns().date.finditer(core):
        before, after = core[: found.start()].rstrip(), core[found.end() :].lstrip()
        at_end = bool(before) and before[-1] in ",-–—|:(" and not after
        at_start = not before and bool(after) and after[0] in ",-–—|:)"
        if at_end or at_start:
            return _to_date(found)
    return None


_SOURCE_MONTH: ContextVar[tuple[int, int] | None] = ContextVar("accord_source_month", default=None)


def _lead_date(text: str, body_start: int) -> date | None:
    """The date of the text's own occasion as its lead sentences state it, in one of three
    structures; None when they state none.

    - a sentence that opens with its date: "On 12 May 2022, the leaders met ...";
    - a weekday with its date in brackets: "... said on Tuesday (May 12, 2022)";
    - a name, "on" and a date, then an event word: "President A on January 17 held
      talks with ...", "the two ministers on Friday (May 12, 2022) signed ...";
    - an event word (datelines.yaml) followed, within a few names of places
      or events, by "on", "from" or "between" and a date: "the leaders met on
      12 May 2022", "the summit, held in Hanoi, Viet Nam, from 14-15 October 2019".
      An event word after a past marker ("who first met on ...") does not
      count, and any other lower-case word between the two ends the run, so
      "met to review the agreement signed on 12 May 2010" dates nothing.
    """
    patterns = _patterns()
    region = text[body_start : body_start + BODY_CHARS]
    for found in patterns.date.finditer(region):
        published = _to_date(found)
        if published is None:
            continue
        before, after = region[: found.start()], region[found.end() :]
        if _LEAD_ON.search(before) and _AFTER_LEAD_DATE.match(after):
            return published
        if patterns.weekday_bracket.search(before) and after.lstrip().startswith(")"):
            return published
        if _NAME_ON.search(before) and patterns.event_after.match(after):
            return published
        event = patterns.event.search(before[-EVENT_LOOKBACK:])
        if event and (event.group("prev") or "").casefold() not in patterns.past_markers:
            return published
    return None


def _byline(text: str) -> str | None:
    """The outlet a text ends with: "... the world. VNA/VNS", a last line "— Reuters", "Source: VNA"."""
    tail = text[-TAIL_CHARS:].rstrip()
    line = tail[tail.rfind("\n") + 1 :].strip()
    credit = _patterns().credit.match(line)
    if credit:
        kind, value = _credit_part(line, alone=True)
        return value if kind == "outlet" and isinstance(value, str) else None
    ends = list(_SENTENCE_END.finditer(line))
    fragment = line[ends[-1].end() :] if ends else line
    dashed = fragment.lstrip("-–— ")
    bracketed = _BRACKETED.fullmatch(fragment)
    if bracketed:
        dashed, fragment = bracketed.group(1), ""
    if not dashed:
        return None
    if _is_outlet(dashed):
        return dashed
    # After a dash or in brackets, any one to three capitalised words name the outlet.
    words = dashed.split()
    if dashed != fragment and 1 <= len(words) <= 3 and all(w[0].isupper() for w in words):
        return dashed
    return None


def _host_outlet(url: str) -> tuple[str | None, str | None]:
    """(the publisher datelines.yaml gives a URL's host, else None; the host without "www.")."""
    try:
        host = (urlsplit(url).hostname or "").casefold().removeprefix("www.")
    except ValueError:  # a malformed address ("http://[::1")
        return None, None
    if "." not in host or not any(c.isalpha() for c in host):
        return None, None  # "localhost", an IP address: no publisher's name
    hosts = _patterns().hosts
    labels = host.split(".")
    for i in range(len(labels) - 1):
        known = hosts.get(".".join(labels[i:]))
        if known:
            return known, host
    return None, host


ENGLISH_SAMPLE = 200  # words


@cache
def _english() -> tuple[float, frozenset[str]]:
    data = _load_yaml("datelines.yaml")["english"]
    return float(data["share"]), frozenset(str(w) for w in data["words"])


def _language(text: str) -> str | None:
    """ISO 639-1 code of the text's language: "en" when its first words are English function words often
    enough (datelines.yaml's `english`), else langdetect's, or None when it can't tell."""
    sample = text[:LANGUAGE_CHARS]
    if not sample.strip():
        return None
    share, function_words = _english()
    words = re.findall(r"[^\W\d_]+", sample.casefold())[:ENGLISH_SAMPLE]
    if len(words) >= 20 and sum(w in function_words for w in words) >= share * len(words):
        return "en"
    # Imported here: langdetect loads its language profiles on first use.
    from langdetect import DetectorFactory, detect  # type: ignore[import-untyped]  # ships no types
    from langdetect.lang_detect_exception import LangDetectException  # type: ignore[import-untyped]

    DetectorFactory.seed = 0  # langdetect samples at random; a fixed seed makes it repeatable
    try:
        code = str(detect(sample))
    except LangDetectException:  # no letters to go on
        return None
    return code.split("-")[0]  # "zh-cn" and "zh-tw" are both ISO 639-1 "zh"
