"""The features Accord's learned models read: words, and what the rules found.

The rules are knowledge the models weigh, not a last word: each cue that
counts (its type, its strength, whether it is the sentence's first), a
will/shall and who its subject is (a party, a passive action, anything else),
the shape of the line (a heading, a lead-in ending with a colon, a list
item), the kinds of names it mentions, and the pillar lexicons' hits. Words
are lower-cased unigrams and bigrams with numbers folded to `<num>` and
years to `<year>`, so a model learns "agreed to", not "15 billion".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accord.extract.statements import Reading

Features = dict[str, float]

_WORD = re.compile(r"[a-z]+(?:['’.-][a-z]+)*|\d[\d.,]*\d|\d|[$€£¥₹%]")
_YEAR = re.compile(r"(?:19|20)\d\d")
LEXICON_WEIGHT = 3.0  # chosen by grouped cross-validation of the pillar model (docs/decisions.md)


def words(text: str) -> list[str]:
    """Lower-cased word tokens, numbers folded."""
    out = []
    for w in _WORD.findall(text.lower()):
        if w[0].isdigit():
            w = "<year>" if _YEAR.fullmatch(w) else "<num>"
        out.append(w.replace("’", "'"))
    return out


def _bag(tokens: list[str], into: Features) -> None:
    for w in tokens:
        into["w:" + w] = 1.0
    for a, b in zip(tokens, tokens[1:]):
        into[f"b:{a}_{b}"] = 1.0


def sentence_features(text: str, body_start: int, reading: Reading, mentions: Iterable[tuple[int, int, str]],
                      pillar_hits: Iterable[str], bullet: bool) -> Features:
    """What the type and pillar models read of one sentence (`mentions` relative to `text`).

    `body_start` is where the sentence proper begins, after a dateline ("HANOI, May 2 (VNA) - ").
    """
    f: Features = {"bias_sentence": 1.0}
    body = text[body_start:]
    tokens = words(body)
    _bag(tokens, f)
    if tokens:
        f["first:" + tokens[0]] = 1.0
        if len(tokens) > 1:
            f[f"first2:{tokens[0]}_{tokens[1]}"] = 1.0
    n = len(tokens)
    f["len:" + ("1-3" if n <= 3 else "4-8" if n <= 8 else "9-20" if n <= 20 else "21-40" if n <= 40 else "41+")] = 1.0
    stripped = text.rstrip()
    if body_start:
        f["shape:dateline"] = 1.0
    if bullet:
        f["shape:bullet"] = 1.0
    if stripped.endswith(":"):
        f["shape:colon"] = 1.0
    elif not stripped.endswith((".", "!", "?", ".”", '."', ";", ".)", "?”", "”", '"')):
        f["shape:no-stop"] = 1.0
    if reading.heading:
        f["shape:heading"] = 1.0
    if '"' in text or "“" in text:
        f["shape:quote"] = 1.0
    f["rule:" + reading.type] = 1.0
    seen_first = False
    for cue in reading.cues:
        f[f"cue:{cue.type}"] = f.get(f"cue:{cue.type}", 0.0) + 1.0
        f[f"cue:{cue.type}:{cue.strength:.2f}"] = 1.0
        if cue.kind != "cue":
            f["cue:" + cue.kind] = 1.0
        if not seen_first:
            f[f"cue-first:{cue.type}"] = 1.0
            seen_first = True
        if cue.start <= 60:
            f[f"cue-early:{cue.type}"] = 1.0
    if reading.cue:
        f["cue-chosen:" + " ".join(words(reading.cue)[:3])] = 1.0
    kinds = {k for _, _, k in mentions}
    for k in kinds:
        f["m:" + k] = 1.0
    for p in pillar_hits:  # weighted up: a lexicon hit is worth more than one word of the bag
        f["lex:" + p] = LEXICON_WEIGHT
    return f


def candidate_features(text: str, start: int, end: int, unit_class: str, unit: str, reading: Reading,
                       goal: bool, reported: bool, in_parentheses: bool, is_range: bool,
                       signals: Sequence[str] = ()) -> Features:
    """What the target model reads of one amount in a sentence (offsets relative to `text`)."""
    f: Features = {"bias_target": 1.0, "u:" + unit_class: 1.0}
    clause = max(text.rfind(";", 0, start) + 1, 0)
    clause_words = words(text[clause:start])
    before = clause_words[-6:]
    after = words(text[end:end + 60])[:4]
    for w in clause_words[:-6]:
        f["tc:" + w] = 1.0
    for i, w in enumerate(reversed(before)):
        f["tb:" + w] = 1.0
        if i < 2:
            f[f"tb{i + 1}:{w}"] = 1.0
    for i, w in enumerate(after):
        f["ta:" + w] = 1.0
        if i < 2:
            f[f"ta{i + 1}:{w}"] = 1.0
    if unit_class == "count":
        f["tunit:" + unit.lower()] = 1.0
    if goal:
        f["t:goal-word"] = 1.0
    if reported:
        f["t:reported"] = 1.0
    if in_parentheses:
        f["t:parenthesis"] = 1.0
    if is_range:
        f["t:range"] = 1.0
    f["t:rule:" + reading.type] = 1.0
    for cue in reading.cues:
        f["t:cue:" + cue.type] = 1.0
        if cue.kind != "cue":
            f["t:cue:" + cue.kind] = 1.0
    if reading.heading:
        f["t:heading"] = 1.0
    for signal in signals:
        f["t:sig:" + signal] = 1.0
    return f
