"""A document's parties: the governments or blocs that meet, speak or sign, read from its title and lead.

Signals, strongest first:

* **The parties naming themselves** in the first sentences: "We, the leaders of X,
  Y and Z", "We—President A of X, Prime Minister B of Y—met".
* **The title's structures**: a compound ("X-Y Summit", "U.S.-Japan"), a list after
  "between/from/of/by" ("Joint Statement between X and Y"), a subject at its start
  ("X, Y sign ..."), a visit ("... visit to X", "X visit"), a leader and a title
  ("Readout of President A's Meeting with Prime Minister B of Y", "Cambodian PM").
* **The lead**: the same structures in the first sentences, leaders with their titles.
* **Salience**: the countries most mentioned as actors in the first sentences, when
  nothing else decides; "the two sides", "trilateral" say how many to take.

A country that is only the subject matter (a project located there, a country
discussed or condemned, the venue of a conference) stands in none of these
structures and is no party. Countries, blocs, groupings and titles come from
`accord/data/countries.jsonl` and `blocs.jsonl`, leaders from the person
gazetteer's `country` and `bloc` fields. Only the title and the first
`HEAD_CHARS` characters of the text are read.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from accord.errors import PipelineError
from accord.extract.lexicon import load_jsonl, name_variants, strip_diacritics

HEAD_CHARS = 5000  # the lead and the first sentences stand well within this
TITLE_CHARS = 600
LEAD_SENTENCES = 3
SALIENT_SENTENCES = 10
MAX_TITLE_WORDS = 70  # a first line longer than this is a paragraph, not a headline
CONTEXT_CHARS = 80  # how far before a name its structure ("Joint Statement between the") is looked for


@dataclass(frozen=True, slots=True)
class Party:
    """A government (ISO 3166-1 alpha-3 code) or a bloc (its acronym) that is party to a document."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class PartyReading:
    """The parties of a document, sorted by code; how sure the reading is (0..1); what decided it."""

    parties: list[Party]
    confidence: float
    evidence: str


# ---------------------------------------------------------------- the gazetteer


@dataclass(frozen=True, slots=True)
class _Entry:
    """What a matched name stands for."""

    kind: str  # country | demonym | capital | bloc | grouping | region | other | person
    codes: tuple[str, ...]  # the party; a grouping's or region's members
    label: str  # the canonical name
    code: str = ""  # a bloc's, grouping's or region's own code
    single: bool = False  # one word of a person's name: counts after a title or beside the full name
    when_named: bool = False  # stands for the members the document names (else a bloc for itself)


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    index: dict[str, tuple[tuple[str, _Entry], ...]]  # first word -> (spelling, entry), longest first
    names: dict[str, str]  # party code -> name
    members: dict[str, frozenset[str]]  # bloc, grouping or region code -> member codes
    titles: re.Pattern[str]  # a leader's title, as written before a name ("President Biden")
    any_case: re.Pattern[str]  # the same in any case, as written after a country ("the Lao prime minister")
    honorifics: frozenset[str]


_FIRST_WORD = re.compile(r"\w+|\$")
_WORD_START = re.compile(r"(?<!\w)[\w$]")


def _rows(name: str) -> list[dict[str, object]]:
    """The JSON objects of `accord/data/<name>`, one a line; `//` lines are comments."""
    try:
        text = resources.files("accord.data").joinpath(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise PipelineError(f"data file {name} could not be read: {exc}") from None
    rows: list[dict[str, object]] = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("//"):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise PipelineError(f"data file {name} line {n}: {exc.msg}") from None
    return rows


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _spellings(alias: str) -> set[str]:
    """An alias as written and without diacritics, with a plain apostrophe, in capitals, in title case."""
    alias = normalize(alias)
    if alias.lower().startswith("the "):
        alias = alias[4:]
    out = {strip_diacritics(normalize(v)) for v in name_variants(alias)}
    for v in list(out):
        if len(v) >= 4 and not v.isupper():
            out.add(v.upper())
        if " " in v:
            out.add(" ".join(w[:1].upper() + w[1:] for w in v.split(" ")))
    return out


@cache
def _gazetteer() -> _Gazetteer:
    pairs: list[tuple[str, _Entry]] = []
    names: dict[str, str] = {}
    members: dict[str, frozenset[str]] = {}
    titles: list[str] = []
    honorifics: set[str] = set()
    for row in _rows("countries.jsonl"):
        aliases = _strings(row.get("aliases"))
        if row.get("kind") == "title":
            if row.get("honorific"):
                honorifics.update(normalize(a) for a in aliases)
            else:
                titles.extend(normalize(t) for t in [str(row["name"]), *aliases])
            continue
        code, name = str(row["code"]), str(row["name"])
        names[code] = name
        pairs += [(alias, _Entry("country", (code,), name)) for alias in [name, *aliases]]
        pairs += [(d, _Entry("demonym", (code,), name)) for d in _strings(row.get("demonyms"))]
        pairs += [(c, _Entry("capital", (code,), name)) for c in _strings(row.get("capitals"))]
    for row in _rows("blocs.jsonl"):
        kind, name, code = str(row["kind"]), str(row["name"]), str(row.get("code", ""))
        listed = tuple(_strings(row.get("members")))
        if kind == "bloc":
            names[code] = name
            entry = _Entry("bloc", (code,), name, code=code, when_named=bool(row.get("members_when_named")))
        elif kind in ("grouping", "region"):
            entry = _Entry(kind, listed, name, code=code, when_named=kind == "region")
        else:
            entry = _Entry("other", (), name)
        if listed:
            members[code] = frozenset(listed)
        pairs += [(alias, entry) for alias in ([] if kind == "other" else [name]) + _strings(row.get("aliases"))]
    pairs += _person_pairs()
    index: dict[str, list[tuple[str, _Entry]]] = defaultdict(list)
    seen: set[str] = set()
    for alias, entry in pairs:
        for spelling in _spellings(alias):
            first = _FIRST_WORD.match(spelling)
            if first and spelling not in seen:  # the first entry of a spelling wins: countries before persons
                seen.add(spelling)
                index[first.group(0)].append((spelling, entry))
    ordered = sorted({v for t in titles for v in (t, strip_diacritics(t))}, key=len, reverse=True)
    title_pattern = r"\b(?:" + "|".join(re.escape(t) for t in ordered) + r")(?!\w)"
    return _Gazetteer(
        index={k: tuple(sorted(v, key=lambda p: len(p[0]), reverse=True)) for k, v in index.items()},
        names=names,
        members=members,
        titles=re.compile(title_pattern),
        any_case=re.compile(title_pattern, re.IGNORECASE),
        honorifics=frozenset(v for h in honorifics for v in (h, strip_diacritics(h))),
    )


# Words of a name that say nothing of whose it is: particles, suffixes, forms of address.
_NAME_PARTICLES = frozenset("al bin binti bint da de del der di do dos du el ibn la le van von jr sr iii ii iv "
                            "sri seri datuk dato tun sheikh sultan king queen prince emperor".split())


def _person_pairs() -> list[tuple[str, _Entry]]:
    """Names and aliases of leaders in the person gazetteer, and each word of their names
    that no leader of another party shares ("President Widodo", "General Secretary Lam")."""
    pairs: list[tuple[str, _Entry]] = []
    codes: dict[str, set[str]] = defaultdict(set)
    owner: dict[str, tuple[str, str]] = {}
    for person in load_jsonl("entities"):
        code = person.get("country") or person.get("bloc")
        if person.get("kind") != "person" or not code:
            continue
        name = str(person["name"])
        for alias in [name, *person.get("aliases", [])]:
            pairs.append((alias, _Entry("person", (str(code),), name, single=" " not in alias.strip())))
            for word in re.split(r"[\s,]+", strip_diacritics(alias)):
                word = word.strip(".")
                if len(word) >= 3 and word[:1].isupper() and word.casefold() not in _NAME_PARTICLES:
                    codes[word].add(str(code))
                    owner[word] = (str(code), name)
    for word, found in codes.items():
        if len(found) == 1:
            code, name = owner[word]
            pairs.append((word, _Entry("person", (code,), name, single=True)))
    return pairs


def party(code: str) -> Party | None:
    """The party a code names (ISO 3166-1 alpha-3 or a bloc's acronym, any case), or a country's
    or bloc's name ("Viet Nam", "ASEAN"); None when it names none."""
    gaz = _gazetteer()
    wanted = code.strip()
    if wanted.upper() in gaz.names:
        return Party(wanted.upper(), gaz.names[wanted.upper()])
    spelling = re.sub(r"^the\s+", "", strip_diacritics(normalize(wanted)), flags=re.IGNORECASE)
    first = _FIRST_WORD.match(spelling)
    for alias, entry in gaz.index.get(first.group(0) if first else "", ()):
        if alias == spelling and entry.kind in ("country", "bloc"):
            return Party(entry.codes[0], gaz.names[entry.codes[0]])
    return None


# ---------------------------------------------------------------- reading the text

_SPACES = re.compile(r"[^\S\n]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_PLAIN = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "−": "-", "—": " - ", "―": " - ",
                        "’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"'})


def normalize(text: str) -> str:
    """NFKC, no invisible characters, one kind of dash, apostrophe and quote, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_PLAIN)
    return _SPACES.sub(" ", text)


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    entry: _Entry


def _scan(text: str) -> list[_Mention]:
    """The gazetteer's names in `text`, left to right, the longest at each place, none overlapping.

    Names are looked up without diacritics, so a name spelled with other or missing marks
    ("Viet Nam" for "Việt Nam") is found all the same."""
    plain, where = _plain(text)
    index = _gazetteer().index
    found: list[_Mention] = []
    pos = 0
    for m in _WORD_START.finditer(plain):
        start = m.start()
        if start < pos:
            continue
        first = _FIRST_WORD.match(plain, start)
        for alias, entry in index.get(first.group(0) if first else "", ()):
            end = start + len(alias)
            if plain.startswith(alias, start) and not (alias[-1].isalnum() and plain[end : end + 1].isalnum()):
                if entry.kind != "country" or not plain.startswith("$", end):  # "US$" is a currency
                    found.append(_Mention(where[start], where[end], entry))
                    pos = end
                break
    return _merge_abbreviations(text, found)


def _plain(text: str) -> tuple[str, list[int]]:
    """`text` without diacritics, and where each of its characters (and its end) stands in `text`."""
    chars: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        if unicodedata.combining(c):
            continue
        base = strip_diacritics(c) if ord(c) > 127 else c
        for b in base:
            chars.append(b)
            where.append(i)
    where.append(len(text))
    return "".join(chars), where


def _merge_abbreviations(text: str, mentions: list[_Mention]) -> list[_Mention]:
    """ "Republic of Korea (ROK)" is one mention."""
    out: list[_Mention] = []
    for m in mentions:
        if out and out[-1].entry.codes == m.entry.codes and text[out[-1].end : m.start].strip() == "(" \
                and text[m.end : m.end + 1] == ")":
            out[-1] = _Mention(out[-1].start, m.end + 1, out[-1].entry)
        else:
            out.append(m)
    return out


_DATELINE = re.compile(r"^\s*(?P<label>[^\n]{2,80}?)(?:\s+(?:--|-)\s+|:\s+)")
_AGENCY = re.compile(r"\([^()]{2,30}\)|/[A-Z][A-Za-z]{1,15}/\.?")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]\.)+$|\b(?:Jr|Sr|Mr|Ms|Mrs|Dr|St|No|Gen|Lt|Col|Hon|Prof|Sen|Rep|Gov|Dato"
                           r"|Datuk|Mt|vs|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n+")


def _strip_dateline(text: str) -> str:
    """Blank a report's dateline ("HANOI (VNA) - ", "DUBAI: "): the place it was filed from is no actor."""
    m = _DATELINE.match(text)
    if not m:
        return text
    label = m.group("label")
    letters = [c for c in label if c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.6
    if _AGENCY.search(label) or shouting or label.lower().startswith("date "):
        return " " * m.end() + text[m.end() :]
    return text


def _sentences(text: str, limit: int) -> list[str]:
    """The first `limit` sentences (lines count as breaks), abbreviations such as "U.S." kept whole."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        piece = text[start : m.start() + 1]
        if "\n" not in m.group(0) and _ABBREVIATION.search(piece.rstrip()):
            continue
        if piece.strip():
            out.append(piece)
            if len(out) == limit:
                return out
        start = m.end()
    if text[start:].strip():
        out.append(text[start:])
    return out


def _headline(line: str) -> bool:
    """Whether a first line reads as a headline: words, no closing full stop, not a byline."""
    return 0 < len(line.split()) <= MAX_TITLE_WORDS and not re.search(r"[.!?;:,]\W*$", line) \
        and not re.match(r"(?i)by\s", line)


# ---------------------------------------------------------------- structures

_ROLES = (r"leaders?|leadership|counterparts?|sides?|delegations?|governments?|heads?|chiefs?|rulers?|officials?"
          r"|authorities|legislators?|lawmakers?|parliaments?|envoys?|ministers?|foreign ministry|administration")
_DOCUMENTS = (r"statements?|declarations?|communiqu[eé]s?|readouts?|remarks|vision|accords?|memorandum"
              r"|agreements?|framework|fact sheet|treat(?:y|ies)|summit|meeting|talks|dialogue|partnership")
_ROLE_AFTER = re.compile(rf"^(?:'s?)?\s+(?:(?:top|visiting|host|senior|new|two|three|respective|de facto)\s+)*"
                         rf"(?:{_ROLES})\b", re.IGNORECASE)
_VISIT_AFTER = re.compile(r"^(?:'s)?\s+(?:state\s+|official\s+)?(?:visit|trip|tour)\b", re.IGNORECASE)
_LIST_GAP = re.compile(r"^(?:\s*,\s*(?:and\s+|&\s+)?|\s+and\s+|\s*&\s*|\s*/\s*|\s*-\s*)(?:the\s+)?$")
_DASH_GAP = re.compile(r"^\s*-\s*$")
_BETWEEN = re.compile(r"\b(?:between|among|amongst)\s+(?:the\s+)?$", re.IGNORECASE)
_OF_BY = re.compile(rf"\b(?:{_DOCUMENTS}|{_ROLES}|member\s+states?|peoples?|countries|nations|"
                    rf"heads?\s+of\s+state(?:\s+and\s+government)?)\s+(?:of|from|by)\s+(?:the\s+)?$", re.IGNORECASE)
_WITH = re.compile(r"\b(?:meet\w*|met|talks?|call|phone|conversation|discussions?|summit|dialogue|consultations?"
                   r"|audience|bilateral)\s+(?:\w+\s+)?with\s+(?:the\s+)?$", re.IGNORECASE)
_VISIT = re.compile(r"\b(?:visit(?:s|ed|ing)?|trip|tour|travel(?:s|led|ed|ling)?|arriv(?:e|es|ed|ing)|journey"
                    r"|welcomed?\s+\S+(?:\s+\S+){0,6}?)\s+(?:to|in|of)?\s*(?:the\s+)?$", re.IGNORECASE)
_START = re.compile(r"[\s\"'(]*(?:(?:full text|fact sheet|readout|update|breaking|exclusive)\s*:\s*)?"
                    r"(?:(?:the|today|both|on\s+\w+\s+\d+|this\s+week|on\s+\w+day)\s*,?\s+)*", re.IGNORECASE)
_ROLE_BEFORE = re.compile(rf"(?:\w's|\b(?:{_ROLES}))\s+$", re.IGNORECASE)  # "Japan's Kishida", "leader Xi"
_POSSESSIVE = re.compile(r"^'s?\s")  # "Russia's invasion ..." opens a sentence about Russia, not by it
_CLAUSE = re.compile(r"[:;]\s")  # "Modi in Washington: India, US sign ..." starts again after the colon
_OF_END = re.compile(r"\s+of\s+(?:the\s+)?$")
_NAME_WORD = re.compile(r"\s+[A-Z][\w.'-]*,?$")  # a word of a name the gazetteer may not know
_APPOSITION = re.compile(r",\s+(?:the\s+)?")
_WE = re.compile(r"^\W*(?:today\s*,?\s*)?we\b\W*", re.IGNORECASE)
_WE_WORDS = frozenset("""the of and leaders leader heads head state states government governments member prime
minister ministers president presidents foreign representatives delegations peoples people countries nations
gathered assembled here on behalf chair chairs co-chairs""".split())
_COUNT_CUES = (
    (re.compile(r"\b(?:trilateral(?:ly)?|the three (?:leaders|countries|nations|sides|governments)|all three)\b",
                re.IGNORECASE), 3),
    (re.compile(r"\b(?:the two (?:leaders|sides|countries|nations|governments|presidents|prime ministers|parties)"
                r"|both (?:leaders|sides|countries|nations|governments)|bilateral(?:ly)?|counterparts?)\b",
                re.IGNORECASE), 2),
)


@dataclass(slots=True)
class _Unit:
    """A title or a sentence, its mentions, which stand in a party's place and which name themselves."""

    text: str
    mentions: list[_Mention]
    party: list[bool] = field(default_factory=list)
    self_named: list[bool] = field(default_factory=list)


def _title_ends(text: str, *, any_case: bool = False) -> bool:
    """Whether `text` ends with a leader's title: "... Prime Minister", "... the Lao president"."""
    tail = text[-45:]
    pattern = _gazetteer().any_case if any_case else _gazetteer().titles
    return any(m.end() == len(tail) for m in pattern.finditer(tail))


def _titled(text: str, start: int) -> bool:
    """Whether a title, perhaps with forms of address, stands right before `start`."""
    honorifics = _gazetteer().honorifics
    words = text[max(0, start - 80) : start].replace(",", " ").split()
    while words:
        n = next((n for n in (3, 2, 1) if " ".join(words[-n:]) in honorifics), 0)
        if not n:
            break
        del words[-n:]
    return bool(words) and _title_ends(" ".join(words))


def _title_then_of(before: str) -> bool:
    """ "Prime Minister of Japan", "President Gustavo Petro of Colombia": a title, a name perhaps, "of"."""
    m = _OF_END.search(before)
    if not m:
        return False
    stem = before[: m.start()]
    if _title_ends(stem, any_case=True):
        return True
    for _ in range(5):  # drop the name's words one by one: "President Nana Addo Dankwa" of ...
        shorter = _NAME_WORD.sub("", stem)
        if shorter == stem:
            return False
        stem = shorter
        if _title_ends(stem):
            return True
    return False


def _title_after(after: str) -> bool:
    """A title right after a name: "India's Prime Minister", "UAE President", "Cambodian PM"."""
    return bool(_gazetteer().any_case.match(re.sub(r"^(?:'s?)?\s+", "", after, count=1)))


def _title_after_name(after: str) -> bool:
    """A title in apposition: "Joko Widodo, President of Indonesia", "Li Qiang, the Chinese premier"."""
    m = _APPOSITION.match(after)
    if not m:
        return False
    words = after[m.end() :].split(" ")
    return any(_gazetteer().any_case.match(" ".join(words[k:])) for k in range(3))


def _self_naming_end(text: str) -> int:
    """Where an opening "We, the leaders of X, Y and Z" stops saying who "we" are: at the first word
    that is no name, title or such word as "leaders" and "of" ("met", "adopt"); 0 without a "We"."""
    we = _WE.match(text)
    if not we:
        return 0
    honorifics = _gazetteer().honorifics
    for n, m in enumerate(re.finditer(r"[^\s,\-]+", text[we.end() :])):
        word = m.group(0).strip("()\"'.")
        if n >= 400 or (word and not (word.lower() in _WE_WORDS or word[:1].isupper() or word in honorifics)):
            return we.end() + m.start()
    return len(text)


def _groups(text: str, mentions: list[_Mention]) -> list[list[int]]:
    """Runs of mentions written as a list or a compound: "X, Y and Z", "X-Y", "the X and the Y"."""
    groups: list[list[int]] = []
    for i, m in enumerate(mentions):
        if groups and _LIST_GAP.match(text[mentions[groups[-1][-1]].end : m.start]):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _read_unit(text: str, mentions: list[_Mention], full_names: set[str], *, opening: bool) -> _Unit:
    """Which mentions of a title or sentence stand where a party stands."""
    mentions = [m for m in mentions if not (m.entry.kind == "person" and m.entry.single
                                            and m.entry.label not in full_names and not _titled(text, m.start))]
    # A leader with a title speaks for a party; a bare name may be the subject matter ("Putin's war").
    unit = _Unit(text, mentions, [m.entry.kind == "person" and (
        _titled(text, m.start) or bool(_ROLE_BEFORE.search(text, max(0, m.start - 40), m.start))
        or _title_after_name(text[m.end : m.end + CONTEXT_CHARS])) for m in mentions], [False] * len(mentions))
    self_end = _self_naming_end(text) if opening else 0
    clauses = [0] + [m.end() for m in _CLAUSE.finditer(text)]
    for group in _groups(text, mentions):
        items = [mentions[i] for i in group]
        before = text[max(0, items[0].start - CONTEXT_CHARS) : items[0].start]
        after = text[items[-1].end : items[-1].end + CONTEXT_CHARS]
        compound = any(_DASH_GAP.match(text[a.end : b.start]) for a, b in zip(items, items[1:]))
        previous = mentions[group[0] - 1] if group[0] else None
        after_person = previous is not None and previous.entry.kind == "person" \
            and bool(re.fullmatch(r"\s+of\s+(?:the\s+)?", text[previous.end : items[0].start]))
        placed = (
            (compound and any(m.entry.kind != "capital" for m in items))
            or bool(_BETWEEN.search(before) or _OF_BY.search(before) or _WITH.search(before))
            or _title_then_of(before) or after_person
            or bool(_ROLE_AFTER.match(after)) or _title_after(after)
            or (bool(_START.fullmatch(text, clauses[bisect_right(clauses, items[0].start) - 1], items[0].start))
                and not _POSSESSIVE.match(after))
            or any(m.entry.kind == "grouping" for m in items)
        )
        visited = bool(_VISIT.search(before) or _VISIT_AFTER.match(after))
        named_itself = items[0].start < self_end
        for i in group:
            unit.party[i] = unit.party[i] or placed or named_itself or visited
            unit.self_named[i] = named_itself
    for i, m in enumerate(mentions):
        if m.entry.kind == "other":
            unit.party[i] = unit.self_named[i] = False
    return unit


# ---------------------------------------------------------------- deciding

_KIND_WEIGHT = {"country": 1.0, "person": 1.0, "bloc": 1.0, "demonym": 0.6, "capital": 0.4}


@dataclass(slots=True)
class _Tally:
    weight: dict[str, float] = field(default_factory=dict)

    def add(self, code: str, w: float) -> None:
        self.weight[code] = self.weight.get(code, 0.0) + w

    def ranked(self, floor: float = 0.0) -> list[str]:
        top = max(self.weight.values(), default=0.0)
        return sorted((c for c, w in self.weight.items() if w >= floor * top), key=lambda c: (-self.weight[c], c))


def _codes(unit: _Unit, named: set[str], *, self_named: bool = False) -> list[str]:
    """The codes of a unit's party mentions; groupings as their members, regions and forums
    as the members the document names."""
    members = _gazetteer().members
    out: list[str] = []
    for m, chosen in zip(unit.mentions, unit.self_named if self_named else unit.party):
        if not chosen:
            continue
        if m.entry.when_named:
            listed = sorted(members.get(m.entry.code, frozenset()) & named)
            out += listed or ([m.entry.code] if m.entry.kind == "bloc" else [])
        else:
            out += m.entry.codes
    return list(dict.fromkeys(out))


def _count_cue(text: str) -> int | None:
    """How many parties the text says there are: "trilateral" 3, "the two sides" 2."""
    return next((n for pattern, n in _COUNT_CUES if pattern.search(text)), None)


def detect_parties(text: str, title: str | None = None) -> PartyReading:
    """The parties of a document from its title (the first line when it reads as a headline) and lead."""
    head = text[:HEAD_CHARS]
    first_line, _, rest = head.lstrip().partition("\n")
    if title is None and rest.strip() and _headline(first_line.strip()):
        title, head = first_line, rest
    elif title is not None and normalize(first_line).strip() == normalize(title).strip():
        head = rest
    title_text = normalize(title or "")[:TITLE_CHARS].strip()
    sentences = _sentences(_strip_dateline(normalize(head)), SALIENT_SENTENCES)

    scanned = [_scan(title_text), *(_scan(s) for s in sentences)]
    found = [m for ms in scanned for m in ms]
    full_names = {m.entry.label for m in found if m.entry.kind == "person" and not m.entry.single}
    named = {c for m in found if m.entry.kind in _KIND_WEIGHT for c in m.entry.codes}
    title_unit = _read_unit(title_text, scanned[0], full_names, opening=False)
    units = [_read_unit(s, ms, full_names, opening=i < 2) for i, (s, ms) in enumerate(zip(sentences, scanned[1:]))]

    salience, lead = _Tally(), _Tally()
    leaders: dict[str, str] = {}
    for i, unit in enumerate([title_unit, *units]):
        decay = 1.0 / (1.0 + 0.25 * max(0, i - 1))
        for m, placed in zip(unit.mentions, unit.party):
            if m.entry.kind == "person":
                leaders.setdefault(m.entry.codes[0], m.entry.label)
            if i and m.entry.kind in _KIND_WEIGHT:
                for code in m.entry.codes:
                    salience.add(code, _KIND_WEIGHT[m.entry.kind] * decay * (2.0 if placed else 1.0))
        if 0 < i <= LEAD_SENTENCES:
            for code in _codes(unit, named):
                lead.add(code, decay)

    cue = _count_cue(title_text + " " + " ".join(sentences[:LEAD_SENTENCES]))
    self_named = [c for u in units[:2] for c in _codes(u, named, self_named=True)]
    quoted = next((u.text for u in units[:2] if any(u.self_named)), "") if len(self_named) >= 2 \
        else next((u.text for u in units if u.mentions), "")
    codes, confidence, evidence = _decide(title_text, _codes(title_unit, named), self_named, lead, salience,
                                          cue, quoted)
    names = _gazetteer().names
    parties = sorted((Party(c, names.get(c, c)) for c in codes), key=lambda p: p.code)
    if evidence.startswith("lead") and any(p.code in leaders for p in parties):
        evidence = "leaders: " + ", ".join(f"{leaders[p.code]} ({p.code})" for p in parties if p.code in leaders) \
            + "; " + evidence
    return PartyReading(parties, confidence if parties else 0.0, evidence)


def _quote(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _without_members(codes: list[str]) -> list[str]:
    """A bloc's members are not parties beside it in a reading from the lead: the chair of an
    ASEAN meeting is ASEAN's."""
    members = _gazetteer().members
    blocs = [c for c in codes if c in members and c in _gazetteer().names]
    return [c for c in codes if not any(c in members[b] for b in blocs)]


def _decide(title: str, title_codes: list[str], self_named: list[str], lead: _Tally, salience: _Tally,
            cue: int | None, first: str) -> tuple[list[str], float, str]:
    """The parties, how sure, and why: the strongest signal that names two or more decides.
    `first` is the sentence to quote: the one where the parties name themselves, else the first
    that names any."""
    if len(self_named) >= 2:
        return self_named, 0.95, f"signatories: {_quote(first)}"
    if len(title_codes) >= 2:
        agree = len(set(title_codes) & set(lead.weight)) >= 2
        return title_codes, 0.92 if agree else 0.82, f"title: {_quote(title)}"
    in_lead = _without_members(lead.ranked(floor=0.3))
    # A country only mentioned, never standing where a party stands, joins only when the text says
    # how many parties there are ("the two sides"): else it is the subject matter.
    mentioned = salience.ranked(floor=0.25) if cue else []
    if len(title_codes) == 1:
        want = (cue or 2) - 1
        others = _without_members(title_codes + [c for c in in_lead + mentioned if c not in title_codes])
        others = [c for c in dict.fromkeys(others) if c not in title_codes][:want]
        if not others:
            return title_codes, 0.4, f"title: {_quote(title)}"
        return title_codes + others, 0.75 if others[0] in lead.weight else 0.55, \
            f"title: {_quote(title)}; lead: {_quote(first)}"
    if len(in_lead) >= 2:
        return in_lead[: max(2, cue or len(in_lead))], 0.75 if cue else 0.65, f"lead: {_quote(first)}"
    picks = _without_members(list(dict.fromkeys(in_lead + mentioned)))[: cue or 2]
    if not picks:
        return [], 0.0, "no government or bloc named in the title or the lead"
    if set(picks) <= set(in_lead):
        return picks, 0.4, f"lead: {_quote(first)}"
    return picks, 0.5, f"most mentioned in the first sentences: {', '.join(picks)}"
