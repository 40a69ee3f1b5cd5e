"""`accord_sentences`: rule-based sentence boundaries, so no parser has to run.

A sentence ends at a line break, or at a full stop, question or exclamation mark
followed by a capitalised word; the abbreviation lists in `data/sentences.yaml`
keep "Mr. Smith", "No. 3", "U.S. Department" and "Joseph R. Biden" whole, and a
sum at the end of a sentence ("US$5 billion.") ends it as it should.
"""


import re
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Token

from accord.extract.lexicon import load_yaml

_FINAL = {".", "!", "?", "…", "...", ".\"", "?\""}
_CLOSERS = {'"', "”", "’", "'", ")", "]"}
_MARKER = re.compile(r"\d{1,3}|[ivxlc]{1,6}|[a-z]")
_OPENERS = {'"', "“", "‘", "(", "[", "-", "–", "—", "•", "*"}


class SentenceSplitter:
    """Sets `Token.is_sent_start` on every token."""

    def __init__(self, never_final: set[str], maybe_final: set[str], before_number: set[str]) -> None:
        self.never_final = never_final
        self.maybe_final = maybe_final
        self.before_number = before_number

    def __call__(self, doc: Doc) -> Doc:
        prev: Token | None = None  # last non-space token
        newline = True
        for tok in doc:
            if tok.is_space:
                tok.is_sent_start = newline and prev is None
                if "\n" in tok.text or "\r" in tok.text:
                    newline = True
                continue
            tok.is_sent_start = newline or (prev is not None and self._ends_before(prev, tok))
            newline = False
            prev = tok
        return doc

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
        set(data["never_final"]), set(data["maybe_final"]), set(data["before_number"])
    )
