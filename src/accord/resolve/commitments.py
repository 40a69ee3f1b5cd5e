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


def settings() -> dict[str, Any]:
    """merging.yaml, read once: the threshold, the weights and the word lists."""
    return _config()


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


class RelationIndex:
    """The known commitments of one relation, kept so that placing a statement costs the same however
    many the relation holds: nothing is rebuilt or scanned per document.

    A statement can score above zero only against a statement that shares a pillar, a named target or a
    project or instrument with it (`score_pair`), so the founders and the members are indexed by each of
    those; founders' and members' vectors sit in matrices that grow in place. Placing a statement reads
    the rows that share one of its keys, multiplies their vectors with its own, and scores in full only
    those whose wording alone could reach the threshold.
    """

    def __init__(self) -> None:
        self.commitments: dict[int, Known] = {}
        self._founders = _Rows()  # one row a commitment: its founding statement
        self._members = _Rows()  # one row a statement
        self._documents: dict[int, set[str]] = {}  # commitment -> the documents of its statements
        self._of: dict[StatementKey, int] = {}  # statement -> its commitment

    def __len__(self) -> int:
        return len(self.commitments)

    def ids(self) -> set[int]:
        return set(self.commitments)

    @property
    def statements(self) -> int:
        """How many statements it holds, founders included."""
        return self._members.size

    def add(self, commitment: int, member: Candidate, relation: str | None) -> None:
        """`member` joins `commitment` (founding it, when the index has not met it)."""
        known = self.commitments.get(commitment)
        if known is None:
            known = self.commitments[commitment] = Known(commitment, relation=relation)
            self._founders.add(member, (commitment, 0))
        self._members.add(member, (commitment, len(known.members)))
        known.members.append(member)
        self._documents.setdefault(commitment, set()).add(member.document)
        self._of[member.key] = commitment

    def documents(self, commitment: int) -> set[str]:
        return self._documents.get(commitment, set())

    def commitment_of(self, key: StatementKey) -> int | None:
        return self._of.get(key)

    def near_founders(self, cand: Candidate, floor: float) -> list[tuple[float, int]]:
        """(similarity, commitment) of the founders sharing a key with `cand` and at least `floor` alike,
        most alike first."""
        return self._founders.near(cand, floor)

    def near_members(self, cand: Candidate, floor: float) -> list[tuple[float, int, int]]:
        """(similarity, commitment, member index) of the statements sharing a key with `cand` and at least
        `floor` alike, in commitment and member order."""
        return sorted(((sim, c, m) for sim, (c, m) in self._members.near_rows(cand, floor)), key=lambda r: (r[1], r[2]))


def similarity_floor(cand: Candidate, threshold: float, config: dict[str, Any] | None = None) -> float:
    """The similarity below which no bonus `score_pair` can add lifts a pair with `cand` to `threshold`."""
    config = config or _config()
    return float(threshold - config["lexical"] - (config["target_bonus"] if cand.targets else 0.0)
                 - config["entity_bonus"] * len(cand.entities))


def _keys(cand: Candidate) -> list[tuple[str, Any]]:
    """What `score_pair` needs two statements to share: a pillar, a named target, a project or instrument."""
    return ([("pillar", p) for p in cand.pillars] + [("target", t) for t in cand.targets if t[0] not in _GENERIC_METRICS]
            + [("entity", e) for e in cand.entities])


class _Rows:
    """Statements' vectors in one matrix grown by doubling, with the rows of each key and a label a row."""

    def __init__(self) -> None:
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        self.size = 0
        self.labels: list[tuple[int, int]] = []
        self.by_key: dict[tuple[str, Any], list[int]] = {}

    def add(self, cand: Candidate, label: tuple[int, int]) -> None:
        if self.size == len(self.vectors):
            grown = np.zeros((max(64, 2 * len(self.vectors)), len(cand.vector)), dtype=np.float32)
            if self.size:
                grown[:self.size] = self.vectors[:self.size]
            self.vectors = grown
        self.vectors[self.size] = cand.vector
        for key in _keys(cand):
            self.by_key.setdefault(key, []).append(self.size)
        self.labels.append(label)
        self.size += 1

    def near_rows(self, cand: Candidate, floor: float) -> list[tuple[float, tuple[int, int]]]:
        found = [self.by_key[k] for k in _keys(cand) if k in self.by_key]
        if not found:
            return []
        rows = np.unique(np.concatenate([np.asarray(r, dtype=np.int64) for r in found]))
        similarity = self.vectors[rows] @ np.asarray(cand.vector, dtype=np.float32)
        keep = np.nonzero(similarity >= floor)[0]
        return [(float(similarity[i]), self.labels[int(rows[i])]) for i in keep]

    def near(self, cand: Candidate, floor: float) -> list[tuple[float, int]]:
        return sorted(((sim, label[0]) for sim, label in self.near_rows(cand, floor)), key=lambda p: (-p[0], p[1]))


class Decisions:
    """People's merge ("together") and split ("apart") decisions, by statement: the latest recorded for a
    pair wins. Looking up a statement's costs the same however many decisions there are."""

    def __init__(self) -> None:
        self._of: dict[StatementKey, dict[StatementKey, str]] = {}

    def record(self, a: StatementKey, b: StatementKey, kind: str) -> None:
        self._of.setdefault(a, {})[b] = kind
        self._of.setdefault(b, {})[a] = kind

    def of(self, key: StatementKey, kind: str) -> set[StatementKey]:
        """The statements people put with `key` ("together") or kept from it ("apart")."""
        return {other for other, k in self._of.get(key, {}).items() if k == kind}


def place(candidates: list[Candidate], known: RelationIndex, decisions: Decisions) -> list[Placement]:
    """Placements for `candidates` (all of one document, so of one relation), in their order, among the
    known commitments of that relation; a position that joins nothing has none."""
    config = _config()
    scored: list[tuple[float, int, int, str, str, StatementKey]] = []  # score, candidate, commitment, rule, detail, member
    forced: dict[int, tuple[int, StatementKey]] = {}
    for ci, cand in enumerate(candidates):
        together, apart = decisions.of(cand.key, "together"), decisions.of(cand.key, "apart")
        # A person's "together" wins: the commitment (the latest, when several) holding a statement they
        # put with this one, unless it has one of this document's statements already.
        held = sorted((c, key) for key in together if (c := known.commitment_of(key)) is not None
                      and cand.document not in known.documents(c))
        if held:
            commitment, _ = held[-1]
            forced[ci] = (commitment, next(m.key for m in known.commitments[commitment].members if m.key in together))
            continue
        # Only founders whose wording alone could reach the threshold with every bonus are scored in full.
        for similarity, commitment in known.near_founders(cand, similarity_floor(cand, config["threshold"], config)):
            if cand.document in known.documents(commitment):
                continue
            members = known.commitments[commitment].members
            if apart and any(m.key in apart for m in members):
                continue
            founder = members[0]
            score, rule, detail = score_pair(cand, founder, similarity, config)
            if score >= config["position_threshold" if cand.joins_only else "threshold"]:
                scored.append((score, ci, commitment, rule, detail, founder.key))
    placed: dict[int, Placement] = {}
    used: set[int] = set()
    for ci, (commitment, member_key) in forced.items():
        placed[ci] = Placement(candidates[ci].key, commitment, member_key, "decision", 1.0, "merged by a person")
        used.add(commitment)
    for score, ci, commitment, rule, detail, member_key in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if ci in placed or commitment in used:
            continue
        placed[ci] = Placement(candidates[ci].key, commitment, member_key, rule, round(score, 3), detail)
        used.add(commitment)
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
