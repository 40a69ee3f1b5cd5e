"""Statements to commitments: the same undertaking across documents becomes one commitment.

Pure: `place` gets the commitment statements of a new document and the
commitments already known, and says where each statement goes and why.
Rules, each explainable in `accord show`:

- a statement never joins a commitment that already has a statement of its
  own document (a document states an undertaking once);
- it must share a pillar, a target or a named project/instrument with it;
- the score adds the similarity of the core wordings (embeddings of what
  follows the cue, parties removed), the overlap of distinctive words, a
  bonus for a shared target (same metric and unit) and one per shared
  project or instrument; the best pairs above the threshold are taken first;
- people's decisions win: "together" forces a merge, "apart" forbids one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

from accord.extract.lexicon import load_yaml


@dataclass(slots=True)
class Candidate:
    """A commitment statement as the merger sees it."""

    key: str  # "<document sha256>:<start>:<end>"
    document: str
    text: str
    pillars: frozenset[str]
    targets: frozenset[tuple[str, str]]  # (metric, unit)
    entities: frozenset[str]  # keys of named projects and instruments
    words: frozenset[str]
    vector: np.ndarray


@dataclass(slots=True)
class Known:
    """A commitment in the ledger with its member statements."""

    id: int
    members: list[Candidate] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a statement goes: `commitment` None means a new commitment."""

    key: str
    commitment: int | None
    matched: str | None
    rule: str
    score: float
    detail: str


@cache
def _config() -> dict[str, Any]:
    config: dict[str, Any] = load_yaml("merging.yaml")
    config["generic"] = frozenset(config["generic_words"])
    return config


def core_text(text: str, cue: str | None, party_names: list[str]) -> str:
    """What a statement undertakes: the words after its cue, without the parties' names."""
    if cue:
        i = text.find(cue)
        if i >= 0:
            text = text[i + len(cue) :]
    for name in sorted(party_names, key=len, reverse=True):
        text = text.replace(name, " ")
    return " ".join(text.split())


def content_words(text: str) -> frozenset[str]:
    generic = _config()["generic"]
    return frozenset(
        w for w in re.findall(r"[a-z][a-z-]+", text.lower()) if w not in STOP_WORDS and w not in generic and len(w) > 2
    )


def place(candidates: list[Candidate], known: list[Known], decisions: dict[tuple[str, str], str]) -> list[Placement]:
    """Placements for `candidates` (all of one document), in their order."""
    config = _config()
    scored: list[tuple[float, int, int, str, str, str]] = []  # score, cand index, known index, rule, detail, member
    forced: dict[int, tuple[int, str]] = {}
    for ci, cand in enumerate(candidates):
        for ki, commitment in enumerate(known):
            if any(m.document == cand.document for m in commitment.members):
                continue
            if any(decisions.get(_pair(cand.key, m.key)) == "apart" for m in commitment.members):
                continue
            together = next((m for m in commitment.members if decisions.get(_pair(cand.key, m.key)) == "together"), None)
            if together is not None:
                forced[ci] = (ki, together.key)
                continue
            best = max((_score(cand, m, config) + (m.key,) for m in commitment.members), default=None)
            if best is not None and best[0] >= config["threshold"]:
                scored.append((best[0], ci, ki, best[1], best[2], best[3]))
    placed: dict[int, Placement] = {}
    used: set[int] = set()
    for ci, (ki, member) in forced.items():
        placed[ci] = Placement(candidates[ci].key, known[ki].id, member, "decision", 1.0, "merged by a person")
        used.add(ki)
    for score, ci, ki, rule, detail, member in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if ci in placed or ki in used:
            continue
        placed[ci] = Placement(candidates[ci].key, known[ki].id, member, rule, round(score, 3), detail)
        used.add(ki)
    return [placed.get(ci) or Placement(c.key, None, None, "new", 0.0, "no earlier statement of this undertaking")
            for ci, c in enumerate(candidates)]


def _score(a: Candidate, b: Candidate, config: dict[str, Any]) -> tuple[float, str, str]:
    """(score, rule, detail) of statement `a` matching statement `b`."""
    shared_targets = a.targets & b.targets
    shared_entities = a.entities & b.entities
    shared_pillars = a.pillars & b.pillars
    if not (shared_pillars or shared_targets or shared_entities):
        return 0.0, "", ""
    similarity = float(np.dot(a.vector, b.vector))
    common = a.words & b.words
    overlap = len(common) / max(1, min(len(a.words), len(b.words)))
    score = similarity + config["lexical"] * overlap
    parts = [f"similar wording {similarity:.2f}", f"shared words {', '.join(sorted(common)[:6]) or '-'}"]
    rule = "similar wording"
    if shared_targets:
        score += config["target_bonus"]
        rule = "shared target"
        parts.insert(0, "shared target " + ", ".join(f"{m} ({u})" for m, u in sorted(shared_targets)))
    if shared_entities:
        score += config["entity_bonus"] * len(shared_entities)
        rule = rule if shared_targets else "shared project or instrument"
        parts.insert(0, "shared " + ", ".join(sorted(shared_entities)))
    if shared_pillars:
        parts.append("pillar " + ", ".join(sorted(shared_pillars)))
    return score, rule, "; ".join(parts)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)
