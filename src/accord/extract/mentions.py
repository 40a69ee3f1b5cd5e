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
            for variant in name_variants(name):
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
        self.deadline_preps = set(config["deadline_prepositions"])
        self.places = places

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        rules = [self._clean(text, _Cand(s.start_char, s.end_char, _KIND_OF_LABEL[s.label_], _source(s)))
                 for s in doc.spans.get(LEXICON_KEY, [])]
        rules = _non_overlapping([c for c in rules if c is not None])
        chosen: list[_Cand] = list(rules)
        for ent in doc.ents:
            kind = self.label_map.get(ent.label_)
            if kind is None:
                continue
            cand = self._clean(text, _Cand(ent.start_char, ent.end_char, kind, "model"), ent)
            if cand is None:
                continue
            inside = [r for r in rules if r.start < cand.end and cand.start < r.end]
            if not inside:
                chosen.append(cand)
            elif all(cand.start <= r.start and r.end <= cand.end for r in inside) and any(
                r.size < cand.size for r in inside
            ) and self._head_kind(text[cand.start : cand.end]) is not None:
                chosen = [c for c in chosen if c not in inside]
                chosen.append(cand)
        chosen.sort(key=lambda c: c.start)
        spans = []
        for c in chosen:
            span = doc.char_span(c.start, c.end, label=_LABEL_OF_KIND[c.kind], alignment_mode="expand")
            if span is not None:
                spans.append((span, c))
        doc.spans[MENTIONS_KEY] = [s for s, _ in spans]
        doc.user_data["accord_mention_chars"] = [(c.start, c.end, c.kind) for _, c in spans]
        return doc

    # -- cleaning one candidate -------------------------------------------------

    def _clean(self, text: str, c: _Cand, ent: Span | None = None) -> _Cand | None:
        s, e = c.start, c.end
        # Leading articles and possessives, trailing possessive and punctuation.
        while True:
            word = text[s:e].split(" ", 1)[0]
            if word in self.strip_leading and " " in text[s:e]:
                s += len(word) + 1
            else:
                break
        for tail in ("’s", "'s", "’", ","):
            if text[s:e].endswith(tail):
                e -= len(tail)
        while e > s and text[e - 1] in " ,;:":
            e -= 1
        kind = c.kind
        if kind == "person":
            s = self._strip_titles(text, s, e)
            if text[s:e] in self.places:
                kind = "place"
        elif kind == "date":
            return self._clean_date(text, _Cand(s, e, kind, c.source))
        elif kind in ("organization", "project", "instrument", "event") and c.source == "model":
            head = self._head_kind(text[s:e])
            if head is not None:
                kind = head
            elif text[s:e] in self.places:
                kind = "place"
            elif kind == "organization" and ent is not None and ent.label_ == "NORP":
                return None
        if kind in ("organization", "instrument", "project", "event", "place"):
            s, e = self._extend(text, s, e, kind)
        if e <= s or not any(ch.isalnum() for ch in text[s:e]):
            return None
        return _Cand(s, e, kind, c.source)

    def _strip_titles(self, text: str, s: int, e: int) -> int:
        changed = True
        while changed:
            changed = False
            for title in self.titles:
                if text.startswith(title + " ", s) and s + len(title) + 1 < e:
                    s += len(title) + 1
                    changed = True
                    break
        return s

    def _clean_date(self, text: str, c: _Cand) -> _Cand | None:
        phrase = text[c.start : c.end]
        low = phrase.lower()
        if low in self.not_dates or low.removeprefix("the ") in self.not_dates:
            return None
        words = low.split()
        # A bare length of time ("40 years", "five decades") is not a date.
        if c.source == "model" and words and words[-1] in self.duration_units and not any(
            w in ("last", "next", "past", "coming", "recent", "ago", "since") for w in words
        ):
            return None
        # Deadlines keep their preposition: "by 2030", "through 2025".
        before = text[max(0, c.start - 12) : c.start]
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
        """Take in a bracketed abbreviation and, for documents, a year before or after."""
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
        return s, e


def _source(span: Span) -> str:
    return "lexicon" if span.id_ == "lexicon" else "pattern"


def _non_overlapping(cands: list[_Cand]) -> list[_Cand]:
    """Longest first; the lexicon wins a tie."""
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
