"""Statements to commitments: the same undertaking across documents becomes one commitment.

Pure: `place` gets the commitment statements of a new document and the
commitments already known, and says where each statement goes and why.
Rules, each explainable in `accord show`:

- a statement joins only a commitment of its own relation (its document's
  parties: Vietnam–Laos trade is never Cambodia–Thailand trade, and a bloc is
  a relation of its own), unless a person merged them;
- it is compared with the commitment's own wording (its founding
  statement), never with a later member, so matches do not chain from member
  to member;
- a statement never joins a commitment that already has a statement of its
  own document (a document states an undertaking once);
- it must share a pillar, a target or a named project/instrument with it, and
  when both name their parties, at least one party;
- the score adds the similarity of the core wordings (embeddings of what
  follows the cue, parties removed), the overlap of distinctive words, a
  bonus for a shared target (same metric and unit) and one per shared
  project or instrument; the best pairs above the threshold are taken first;
- a position that reaffirms or reiterates restates a standing undertaking
  ("reaffirmed that Article 5 applies to ...") and is placed as a commitment
  is; any other position may join a commitment it restates, at the stricter
  `position_threshold`, but never founds one;
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
from accord.model import StatementKey


@dataclass(slots=True)
class Candidate:
    """A commitment statement as the merger sees it (built by `candidates`, the one way to build one)."""

    key: StatementKey
    text: str
    pillars: frozenset[str]
    targets: frozenset[tuple[str, str]]  # (metric, unit)
    entities: frozenset[str]  # keys of named projects and instruments
    words: frozenset[str]
    vector: np.ndarray
    parties: frozenset[str] = frozenset()  # canonical names of who undertakes it
    relation: str | None = None  # its document's relation ("LAO-VNM"); None when no party is known
    joins_only: bool = False  # a position: it may join a commitment it restates, never found one

    @property
    def document(self) -> str:
        """The SHA-256 of its document's text."""
        return self.key.document


@dataclass(frozen=True, slots=True)
class StatementView:
    """What the merger and the evidence linker read of a statement, new or stored."""

    key: StatementKey
    text: str
    cue: str | None
    pillars: list[str]
    targets: list[tuple[str, str]]  # (metric, unit)
    mentions: list[tuple[str, str, str | None]]  # (text, kind, canonical entity name or None)
    actors: list[dict[str, Any]]  # canonical actors: name, entity, kind
    relation: str | None
    vector: np.ndarray | None = None  # stored embedding, when there is one
    joins_only: bool = False


def _core(view: StatementView) -> str:
    return core_text(view.text, view.cue, [t for t, kind, _ in view.mentions if kind in ("place", "person")])


def embed_views(views: list[StatementView]) -> dict[tuple[StatementKey, str | None], np.ndarray]:
    """The vector of each view's core wording, by its key and cue, all embedded in one batch."""
    from accord.resolve.embed import embed

    return dict(zip([(v.key, v.cue) for v in views], embed([_core(v) for v in views])))


def candidates(views: list[StatementView]) -> list[Candidate]:
    """Candidates for `views`: the core wording embedded in one batch where no vector is stored."""
    from accord.resolve.embed import embed

    cores = [_core(v) for v in views]
    missing = [i for i, v in enumerate(views) if v.vector is None]
    fresh = dict(zip(missing, embed([cores[i] for i in missing]))) if missing else {}
    out = []
    for i, (v, core) in enumerate(zip(views, cores)):
        out.append(Candidate(
            key=v.key, text=v.text, pillars=frozenset(v.pillars), targets=frozenset(v.targets),
            entities=frozenset(entity or t for t, kind, entity in v.mentions if kind in ("project", "instrument")),
            words=content_words(core), vector=fresh[i] if v.vector is None else v.vector,
            parties=frozenset(str(a.get("entity") or a["name"]) for a in v.actors if a.get("kind", "place") == "place"),
            relation=v.relation, joins_only=v.joins_only,
        ))
    return out


@dataclass(slots=True)
class Known:
    """A commitment in the ledger with its member statements."""

    id: int
    members: list[Candidate] = field(default_factory=list)  # the founding statement first
    relation: str | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a statement goes: `commitment` None means a new commitment."""

    key: StatementKey
    commitment: int | None
    matched: StatementKey | None
    rule: str
    score: float
    detail: str


_GENERIC_METRICS = {"funding", "unspecified"}
_MIN_CORE_WORDS = 5


@cache
def _config() -> dict[str, Any]:
    config: dict[str, Any] = load_yaml("merging.yaml")
    config["generic"] = frozenset(config["generic_words"])
    words = "|".join(re.escape(w) for w in sorted(config["standing_words"], key=len, reverse=True))
    config["standing"] = re.compile(rf"(?<![\w-])(?:{words})(?![\w-])", re.IGNORECASE)
    return config


def core_text(text: str, cue: str | None, party_names: list[str]) -> str:
    """What a statement undertakes: the words after its cue, without the parties' names.

    When the cue comes late and leaves only a few words after it ("X and Y reiterate their goal of A
    and agree to further coordination"), the undertaking is the whole sentence without the cue."""
    if cue:
        i = text.find(cue)
        if i >= 0:
            after = text[i + len(cue) :]
            text = after if len(content_words(after)) >= _MIN_CORE_WORDS else text[:i] + " " + after
    for name in sorted(party_names, key=len, reverse=True):
        text = text.replace(name, " ")
    return " ".join(text.split())


def restates_standing_undertaking(text: str) -> bool:
    """A position that reaffirms or reiterates ("reaffirmed that Article 5 applies to ...") restates a
    standing undertaking: it enters the ledger as a commitment would (`standing_words` of merging.yaml)."""
    return _config()["standing"].search(text) is not None


def content_words(text: str) -> frozenset[str]:
    generic = _config()["generic"]
    return frozenset(
        w for w in re.findall(r"[a-z][a-z-]+", text.lower()) if w not in STOP_WORDS and w not in generic and len(w) > 2
    )


def place(candidates: list[Candidate], known: list[Known],
          decisions: dict[tuple[StatementKey, StatementKey], str]) -> list[Placement]:
    """Placements for `candidates` (all of one document, so of one relation), in their order; a
    position that joins nothing has none."""
    config = _config()
    # Only commitments of the document's relation, each matched by its own wording: its founding statement.
    relation = candidates[0].relation if candidates else None
    founders = [(ki, commitment.members[0]) for ki, commitment in enumerate(known)
                if commitment.members and commitment.relation == relation]
    matrix = np.stack([m.vector for _, m in founders]) if founders else np.zeros((0, 1), dtype=np.float32)
    own_documents = [{m.document for m in c.members} for c in known]
    scored: list[tuple[float, int, int, str, str, StatementKey]] = []  # score, candidate, commitment, rule, detail, member
    forced: dict[int, tuple[int, StatementKey]] = {}
    for ci, cand in enumerate(candidates):
        together = {b if a == cand.key else a for (a, b), kind in decisions.items()
                    if kind == "together" and cand.key in (a, b)}
        apart = {b if a == cand.key else a for (a, b), kind in decisions.items()
                 if kind == "apart" and cand.key in (a, b)}
        for ki, commitment in enumerate(known):
            member = next((m for m in commitment.members if m.key in together), None)
            if member is not None and cand.document not in own_documents[ki]:
                forced[ci] = (ki, member.key)
        if ci in forced or not founders:
            continue
        # Only pairs whose wording alone could reach the threshold with every bonus are scored in full.
        floor = config["threshold"] - config["lexical"] - (config["target_bonus"] if cand.targets else 0.0) \
            - config["entity_bonus"] * len(cand.entities)
        similarity = matrix @ cand.vector
        near = np.nonzero(similarity >= floor)[0]
        for fi in near[np.argsort(-similarity[near], kind="stable")]:
            ki, founder = founders[int(fi)]
            if cand.document in own_documents[ki]:
                continue
            if apart and any(m.key in apart for m in known[ki].members):
                continue
            score, rule, detail = score_pair(cand, founder, float(similarity[fi]), config)
            if score >= config["position_threshold" if cand.joins_only else "threshold"]:
                scored.append((score, ci, ki, rule, detail, founder.key))
    placed: dict[int, Placement] = {}
    used: set[int] = set()
    for ci, (ki, member_key) in forced.items():
        placed[ci] = Placement(candidates[ci].key, known[ki].id, member_key, "decision", 1.0, "merged by a person")
        used.add(ki)
    for score, ci, ki, rule, detail, member_key in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if ci in placed or ki in used:
            continue
        placed[ci] = Placement(candidates[ci].key, known[ki].id, member_key, rule, round(score, 3), detail)
        used.add(ki)
    return [placed.get(ci) or Placement(c.key, None, None, "new", 0.0, "no earlier statement of this undertaking")
            for ci, c in enumerate(candidates) if ci in placed or not c.joins_only]


def score_pair(a: Candidate, b: Candidate, similarity: float, config: dict[str, Any] | None = None) -> tuple[float, str, str]:
    """(score, rule, detail) of statement `a` matching statement `b` whose wording is `similarity` alike."""
    config = config or _config()
    if a.parties and b.parties and not a.parties & b.parties:
        return 0.0, "", ""  # other parties: Cambodia–Thailand trade is not Vietnam–Laos trade
    # A shared metric says "the same undertaking" only when it names one ("bilateral trade"), not "funding".
    shared_targets = {t for t in a.targets & b.targets if t[0] not in _GENERIC_METRICS}
    shared_entities = a.entities & b.entities
    shared_pillars = a.pillars & b.pillars
    if not (shared_pillars or shared_targets or shared_entities):
        return 0.0, "", ""
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
