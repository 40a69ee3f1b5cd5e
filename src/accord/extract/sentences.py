"""`accord_sentences`: rule-based sentence boundaries, so no parser has to run.

A sentence ends at a line break, or at a full stop, question or exclamation mark
followed by a capitalised word, or after a run-in heading: a short title-cased
phrase and a colon opening a line ("Clean Energy: The two countries will ...",
"3. TRADE: ..."), which is a heading of its own and not part of what follows; the abbreviation lists in `data/sentences.yaml`
keep "Mr. Smith", "No. 3", "U.S. Department" and "Joseph R. Biden" whole, and a
sum at the end of a sentence ("US$5 billion.") ends it as it should.
"""


import re
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Token

from accord.extract.lexicon import load_jsonl, load_yaml

_FINAL = {".", "!", "?", "…", "...", ".\"", "?\""}
_CLOSERS = {'"', "”", "’", "'", ")", "]"}
_MARKER = re.compile(r"\d{1,3}|[ivxlc]{1,6}|[a-z]")
_OPENERS = {'"', "“", "‘", "(", "[", "-", "–", "—", "•", "*"}


class SentenceSplitter:
    """Sets `Token.is_sent_start` on every token."""

    def __init__(self, never_final: set[str], maybe_final: set[str], before_number: set[str],
                 heading_words: int = 12, places: frozenset[str] = frozenset()) -> None:
        self.never_final = never_final
        self.maybe_final = maybe_final
        self.before_number = before_number
        self.heading_words = heading_words
        self.places = places  # case-folded place names: "BEIJING: ..." is a dateline, not a heading

    def __call__(self, doc: Doc) -> Doc:
        prev: Token | None = None  # last non-space token
        newline = True
        line_start: int | None = None  # the first token of the line, while no sentence has ended on it
        for tok in doc:
            if tok.is_space:
                tok.is_sent_start = newline and prev is None
                if "\n" in tok.text or "\r" in tok.text:
                    newline = True
                continue
            if newline:
                line_start = tok.i
            ends = prev is not None and not newline and self._ends_before(prev, tok)
            if (not newline and not ends and prev is not None and line_start is not None
                    and self._run_in_heading(doc, line_start, prev, tok)):
                ends = True
            tok.is_sent_start = newline or ends
            if ends:
                line_start = None
            newline = False
            prev = tok
        return doc

    def _run_in_heading(self, doc: Doc, start: int, colon: Token, tok: Token) -> bool:
        """Is doc[start:colon] a heading run into its paragraph ("Rail: Caltrain will ...")?"""
        if colon.text not in (":", "):") or not colon.whitespace_ or not (tok.text[0].isupper() or tok.text in _OPENERS):
            return False
        span = list(doc[start : colon.i])
        if span and _MARKER.fullmatch(span[0].text.rstrip(".)").lower()) and len(span) > 1:
            span = span[1:] if span[0].text[-1] in ".)" else span[2:] if span[1].text in ".)" else span
        if any(t.like_num for t in span):  # "HANOI, May 2:" is a dateline, not a heading
            return False
        words = [t for t in span if not t.is_punct]
        if not 1 <= len(words) <= self.heading_words or not words[0].text[0].isupper():
            return False
        if not all(t.text[0].isupper() or t.lower_ in STOP_WORDS or not t.is_alpha for t in words):
            return False
        if doc[words[0].i : words[-1].i + 1].text.casefold() in self.places:
            return False
        # what follows reads as a sentence (a lower-case word soon), not as a title's second half
        rest = []
        for t in doc[tok.i :]:
            if "\n" in t.text:
                break
            if t.is_alpha:
                rest.append(t)
            if len(rest) == 8:
                break
        return any(t.text[0].islower() and t.lower_ not in STOP_WORDS for t in rest)

    def _ends_before(self, prev: Token, tok: Token) -> bool:
        """Does a sentence end between `prev` and the next non-space token `tok`?"""
        doc = prev.doc
        if tok.text in _CLOSERS and prev.whitespace_ == "":
            return False  # a closing quote or bracket right after the stop belongs to it
        p = prev
        if p.text in _CLOSERS and p.i > 0 and doc[p.i - 1].text in _FINAL:
            p = doc[p.i - 1]
        text = p.text
        if text not in _FINAL and not (len(text) > 1 and text.endswith(".")):
            return False
        if not _starts_like_sentence(tok):
            return False
        if _is_list_marker(doc, p):
            return False
        if text == ".":
            before = doc[p.i - 1] if p.i > 0 else None
            if before is not None and before.text in self.before_number and tok.like_num:
                return False
            if before is not None and before.whitespace_ == "" and len(before.text) == 1 and before.is_alpha and before.is_upper:
                return False  # an initial: "Joseph R. Biden"
            return True
        if text in _FINAL:
            return True
        if text in self.never_final:
            return False
        if len(text) == 2 and text[0].isupper():
            return False  # an initial: "R."
        if text in self.maybe_final:
            return tok.is_title and tok.lower_ in STOP_WORDS
        return True


def _is_list_marker(doc: Doc, p: Token) -> bool:
    """'1.', '2)', 'iv.' or 'a.' opening a line: a paragraph number, not a sentence."""
    number = p if p.text != "." else (doc[p.i - 1] if p.i > 0 else None)
    if number is None or not number.is_sent_start:
        return False
    return bool(_MARKER.fullmatch(number.text.rstrip(".")))


def _starts_like_sentence(tok: Token) -> bool:
    first = tok.text[0]
    return first.isupper() or first.isdigit() or tok.text in _OPENERS


@Language.factory("accord_sentences", assigns=["token.is_sent_start"])
def make_sentences(nlp: Language, name: str) -> SentenceSplitter:
    data: dict[str, Any] = load_yaml("sentences.yaml")
    return SentenceSplitter(
        set(data["never_final"]), set(data["maybe_final"]), set(data["before_number"]),
        int(data.get("run_in_heading_words", 12)),
        frozenset(name.casefold() for e in load_jsonl("entities") if e["kind"] == "place"
                  for name in [e["name"], *e.get("aliases", [])]),
    )
