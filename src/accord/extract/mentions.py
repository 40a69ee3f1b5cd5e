"""Mentions: the statistical NER and Accord's entity ruler, reconciled into one list.

Three sources propose spans: the curated lexicons (exact names and their
variants), the name patterns of `data/patterns` (heads such as "Convention",
"railway", "Summit" with the capitalised words around them) and spaCy's NER.
`accord_mentions` keeps one non-overlapping set: rules beat the model where
they disagree, except where the model found a longer name with a known head
("U.S. Agency for International Development" over the lexicon's "U.S.").
"""


import re
from dataclasses import dataclass
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from accord.extract.lexicon import load_jsonl, load_yaml, name_variants

LEXICON_KEY = "accord_lexicon"
MENTIONS_KEY = "accord_mentions"

_KIND_OF_LABEL = {
    "PERSON": "person",
    "ORG": "organization",
    "PLACE": "place",
    "PROJECT": "project",
    "INSTRUMENT": "instrument",
    "MONEY": "money",
    "DATE": "date",
    "EVENT": "event",
}
_LABEL_OF_KIND = {v: k for k, v in _KIND_OF_LABEL.items()}
_ABBR = re.compile(r"\s?\(([A-Z][A-Za-z0-9&.\-]{1,14}(?:\s\d{4})?)\)")
_YEAR_AFTER = re.compile(r"\s(?:of\s)?(1[89]\d\d|20\d\d)\b")
_YEAR_BEFORE = re.compile(r"\b(1[89]\d\d|20\d\d)\s$")
_DASHES = {"-", "–", "—"}


def lexicon_patterns() -> list[dict[str, Any]]:
    """SpanRuler patterns: every lexicon name and alias, in each spelling variant,
    followed by the token patterns of `data/patterns`."""
    patterns: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for entity in load_jsonl("entities"):
        label = _LABEL_OF_KIND[entity["kind"]]
        for name in [entity["name"], *entity.get("aliases", [])]:
            variants = name_variants(name)
            if entity["kind"] == "place":  # datelines: "HÀ NỘI -", "VIENTIANE, Dec 1"
                variants |= {v.upper() for v in variants}
            for variant in variants:
                if (label, variant) not in seen:
                    seen.add((label, variant))
                    patterns.append({"label": label, "pattern": variant, "id": "lexicon"})
    patterns.extend(load_jsonl("patterns"))
    return patterns


def register_token_attributes() -> None:
    """`Token._.accord_name` (a word that can be part of a name) and `Token._.accord_head`
    (the kind a name ending in this word has), used by the ruler's patterns."""
    heads: dict[str, str] = {}
    for kind, words in load_yaml("mentions.yaml")["heads"].items():
        for w in words:
            heads.setdefault(w, kind)
    if not Token.has_extension("accord_name"):
        Token.set_extension("accord_name", getter=_is_name_part)
    if not Token.has_extension("accord_head"):
        Token.set_extension("accord_head", getter=lambda t: heads.get(t.text, ""))


def _is_name_part(tok: Token) -> bool:
    first = tok.text[:1]
    if tok.is_sent_start and (tok.lower_ in STOP_WORDS or tok.lower_.endswith("ing")):
        return False  # "Putting Port No. 3 ...", "The Convention": not part of the name
    if first.isupper() or first.isdigit():
        return True
    if tok.text in _DASHES and 0 < tok.i < len(tok.doc) - 1:
        return tok.doc[tok.i - 1].text[:1].isupper() and tok.doc[tok.i + 1].text[:1].isupper()
    return False


@dataclass(slots=True)
class _Cand:
    start: int  # character offsets in the doc
    end: int
    kind: str
    source: str  # "lexicon", "pattern" or "model"

    @property
    def size(self) -> int:
        return self.end - self.start


class MentionResolver:
    """Turns ruler spans and NER entities into `doc.spans["accord_mentions"]`."""

    def __init__(self, config: dict[str, Any], places: set[str]) -> None:
        self.label_map: dict[str, str] = config["label_map"]
        self.heads: dict[str, str] = {}
        for kind, words in config["heads"].items():
            for w in words:
                self.heads.setdefault(w, kind)
        self.connectors = set(config["connectors"])
        self.titles = sorted(config["person_titles"], key=len, reverse=True)
        self.strip_leading = set(config["strip_leading"])
        self.not_dates = {s.lower() for s in config["not_dates"]}
        self.duration_units = set(config["duration_units"])
        self.generic = set(config["generic_words"]) | set(config["demonyms"])
        self.compass = re.compile(r"(?:" + "|".join(config["compass"]) + r")\s$")
        self.places = places

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        cleaned = [self._clean(text, _Cand(s.start_char, s.end_char, _KIND_OF_LABEL[s.label_], _source(s)))
                   for s in doc.spans.get(LEXICON_KEY, [])]
        rules = _non_overlapping([c for c in cleaned if c is not None])
        chosen: list[_Cand] = list(rules)
        for ent in doc.ents:
            kind = self.label_map.get(ent.label_)
            if kind is None or (kind != "date" and kind != "money" and _title_cased(ent.sent)):
                continue  # headings: trust only the lexicons and patterns
            cand = self._clean(text, _Cand(ent.start_char, ent.end_char, kind, "model"), ent)
            if cand is None:
                continue
            inside = [r for r in rules if r.start < cand.end and cand.start < r.end]
            if not inside:
                chosen.append(cand)
            elif self._model_wins(text, cand, inside):
                chosen = [c for c in chosen if c not in inside]
                chosen.append(cand)
        chosen = _merge_dates(text, sorted(chosen, key=lambda c: c.start))
        spans = []
        for c in chosen:
            span = doc.char_span(c.start, c.end, label=_LABEL_OF_KIND[c.kind], alignment_mode="expand")
            if span is not None:
                spans.append((span, c))
        doc.spans[MENTIONS_KEY] = [s for s, _ in spans]
        doc.user_data["accord_mention_chars"] = [(c.start, c.end, c.kind) for _, c in spans]
        return doc

    def _model_wins(self, text: str, cand: _Cand, inside: list[_Cand]) -> bool:
        """A model name beats the rule spans inside it only when it is a longer name
        with a known head that the rules cover little of ("U.S. Agency for ...")."""
        if not all(cand.start <= r.start and r.end <= cand.end for r in inside):
            return False
        if cand.kind == "money":
            return True  # "15 billion U.S. dollars" is money, not a place
        if any(r.kind in ("person", "date", "money") or r.size >= cand.size for r in inside):
            return False
        covered = sum(r.size for r in inside)
        return covered < 0.6 * cand.size and self._head_kind(text[cand.start : cand.end]) is not None

    # -- cleaning one candidate -------------------------------------------------

    def _clean(self, text: str, c: _Cand, ent: Span | None = None) -> _Cand | None:
        s, e = c.start, c.end
        while s < e and text[s] in "-–—":
            s += 1  # "-Harris Administration": a name does not open with a dash
        # Leading articles and possessives (dates keep theirs: "a few years ago"), trailing possessive.
        leading = self.strip_leading if c.kind != "date" else {"just", "Just"}
        while True:
            word = text[s:e].split(" ", 1)[0]
            if word in leading and " " in text[s:e]:
                s += len(word) + 1
            else:
                break
        for tail in ("’s", "'s", "’", ","):
            if text[s:e].endswith(tail):
                e -= len(tail)
        while e > s and text[e - 1] in " ,;:":
            e -= 1
        kind = c.kind
        if kind == "date":
            return self._clean_date(text, _Cand(s, e, kind, c.source))
        if c.source != "lexicon":
            e = self._cut_trailing_place(text, s, e, kind)
            if c.source == "pattern":
                joined = text.find(" and the ", s, e)
                if joined > s:
                    e = joined  # "2030 Agenda ... and the Sustainable Development Goals" are two names
            words = text[s:e].split()
            if all(w in self.generic for w in words):
                return None
            if c.source == "pattern" and len(words) == 1 and words[0] in self.heads and words[0].endswith("s"):
                return None  # "the Protocols, Agreements and ...": kinds of documents, not names
        if kind == "person":
            s = self._strip_titles(text, s, e)
            name = text[s:e]
            if name in self.places:
                kind = "place"
            elif c.source == "model" and (" of " in name or " and " in name or not name[:1].isupper()):
                return None
        elif kind in ("organization", "project", "instrument", "event") and c.source == "model":
            name = text[s:e]
            head = self._head_kind(name)
            if head is not None:
                kind = head
            elif name in self.places:
                kind = "place"
            elif ent is not None and ent.label_ == "NORP":
                return None
            if all(w in self.generic for w in name.split()) or "," in name or not name[:1].isupper():
                return None
        if kind in ("organization", "instrument", "project", "event", "place"):
            s, e = self._extend(text, s, e, kind)
        if e <= s or not any(ch.isalnum() for ch in text[s:e]):
            return None
        return _Cand(s, e, kind, c.source)

    def _cut_trailing_place(self, text: str, s: int, e: int, kind: str) -> int:
        """'UN Convention against Cybercrime in Hà Nội' ends before ' in Hà Nội';
        '50th National Day of Laos' before ' of Laos' (an event or a second 'of')."""
        name = text[s:e]
        if _ABBR.match(text, e):
            return e  # a bracketed abbreviation follows: the name is complete
        for m in re.finditer(r" (in|at|to|of) (?:the )?", name):
            rest = name[m.end() :]
            is_place = rest in self.places or rest.upper() == rest and rest.title() in self.places
            is_date = bool(re.fullmatch(r"(?:\d{1,2} )?(?:January|February|March|April|May|June|July|"
                                        r"August|September|October|November|December)(?: \d{4})?|\d{4}", rest))
            if not (is_place or is_date):
                continue
            if m.group(1) == "of" and not (kind == "event" or " of " in name[: m.start()]):
                continue
            if m.start() > 0:
                return s + m.start()
        return e

    def _strip_titles(self, text: str, s: int, e: int) -> int:
        changed = True
        while changed:
            changed = False
            for title in self.titles:
                if text.startswith(title + " ", s) and s + len(title) + 1 < e:
                    s += len(title) + 1
                    changed = True
                    break
            word = text[s:e].split(" ", 1)[0]
            if word in self.generic and " " in text[s:e]:
                s += len(word) + 1
                changed = True
        return s

    def _clean_date(self, text: str, c: _Cand) -> _Cand | None:
        phrase = text[c.start : c.end]
        dash = re.search(r"\s(?:-{1,2}|–|—)\s", phrase)
        if dash:  # a dateline's dash ends the date: "March 3, 2025 - Norwegian ..."
            c = _Cand(c.start, c.start + dash.start(), c.kind, c.source)
            phrase = text[c.start : c.end]
        low = phrase.lower()
        if low in self.not_dates or low.removeprefix("the ") in self.not_dates:
            return None
        before = text[max(0, c.start - 40) : c.start]
        if low in ("today", "tomorrow") and re.search(r"\b(?:of|and)\s$", before):
            return None  # "the challenges of today and tomorrow"
        words = low.split()
        relative = any(w in ("last", "next", "past", "coming", "recent", "ago", "since", "few", "this")
                       for w in words)
        # A bare length of time ("40 years", "five decades") is not a date.
        if c.source == "model" and words and words[-1] in self.duration_units and not relative:
            m = re.search(r"\b(?:for|over|within|during)\s+(?:nearly\s+|almost\s+|more than\s+)?$", before,
                          re.IGNORECASE)
            if not m:
                return None
            return _Cand(c.start - len(m.group(0)), c.end, "date", c.source)
        if c.source == "model" and relative:
            # Relative phrases keep their preposition: "during the next 70 years".
            m = re.search(r"(?:\b(?:over the course of|in|during|over|for|within|since|from)\s+)?(?:the\s+)?$",
                          before, re.IGNORECASE)
            if m and m.group(0):
                return _Cand(c.start - len(m.group(0)), c.end, "date", c.source)
        # Deadlines keep their preposition: "by 2030", "through 2025".
        m = re.search(r"\b(by|before|through|until|till)\s$", before, re.IGNORECASE)
        if c.source == "model" and m and re.search(r"\d", phrase):
            return _Cand(c.start - len(m.group(0)), c.end, "date", c.source)
        return c

    def _head_kind(self, name: str) -> str | None:
        """The kind given by the name's head: its last word before a connector."""
        name = _ABBR.sub("", name)
        words = [w for w in re.split(r"[\s]+", name) if w]
        head = None
        for w in words:
            if w in self.connectors and head is not None:
                break
            if not re.fullmatch(r"\d{4}|\(.*\)", w):
                head = w
        if head is None:
            return None
        return self.heads.get(head.rstrip(",.;:’'s") if head not in self.heads else head)

    def _extend(self, text: str, s: int, e: int, kind: str) -> tuple[int, int]:
        """Take in a bracketed abbreviation, a year for documents and events, a compass word for places."""
        m = _ABBR.match(text, e)
        if m:
            e = m.end()
        if kind in ("instrument", "event"):
            m = _YEAR_AFTER.match(text, e)
            if m and kind == "instrument" or (m and text[e + 1 : e + 2].isdigit()):
                e = m.end()
            m2 = _YEAR_BEFORE.search(text[max(0, s - 5) : s])
            if m2 and kind == "instrument":
                s -= len(m2.group(0))
        if kind == "place":
            m3 = self.compass.search(text[max(0, s - 14) : s])
            if m3:
                s -= len(m3.group(0))
        return s, e


def _title_cased(sent: Span) -> bool:
    """A heading: most words capitalised and no final full stop."""
    words = [t for t in sent if t.is_alpha]
    if not words or sent.text.rstrip().endswith((".", ";")):
        return False
    caps = sum(1 for t in words if t.text[0].isupper() or t.lower_ in STOP_WORDS)
    return caps == len(words)


def _merge_dates(text: str, cands: list[_Cand]) -> list[_Cand]:
    """'28-29' and 'September 2022' side by side are one date."""
    out: list[_Cand] = []
    for c in cands:
        if out and c.kind == "date" and out[-1].kind == "date" and text[out[-1].end : c.start] in (" ", ", "):
            out[-1] = _Cand(out[-1].start, c.end, "date", out[-1].source)
        else:
            out.append(c)
    return out


def _source(span: Span) -> str:
    return "lexicon" if span.id_ == "lexicon" else "pattern"


def _non_overlapping(cands: list[_Cand]) -> list[_Cand]:
    """Longest first; the lexicon wins a tie. A pattern span that cuts a lexicon
    name in two ("... Cybercrime in Hà" against "Hà Nội") is dropped."""
    known = [c for c in cands if c.source == "lexicon"]
    cands = [c for c in cands if c.source == "lexicon" or not any(
        k.start < c.end < k.end or k.start < c.start < k.end
        or (k.kind == "person" and c.start <= k.start and k.end <= c.end)  # a name pattern never swallows a person
        for k in known)]
    order = sorted(cands, key=lambda c: (-c.size, c.source != "lexicon", c.start))
    taken: list[_Cand] = []
    for c in order:
        if all(c.end <= t.start or t.end <= c.start for t in taken):
            taken.append(c)
    return sorted(taken, key=lambda c: c.start)


@Language.factory("accord_mentions", requires=["doc.ents"], assigns=["doc.spans"])
def make_mentions(nlp: Language, name: str) -> MentionResolver:
    places = set()
    for entity in load_jsonl("entities"):
        if entity["kind"] == "place":
            for n in [entity["name"], *entity.get("aliases", [])]:
                places |= name_variants(n)
    return MentionResolver(load_yaml("mentions.yaml"), places)
