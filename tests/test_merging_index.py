"""The merging index gives what comparing with every known commitment gives, and reads only what can match."""

from __future__ import annotations

import random

import numpy as np

from accord.model import StatementKey
from accord.resolve.commitments import Candidate, Decisions, RelationIndex, place, score_pair, settings
from accord.track.evidence import Cue, link
from accord.track.status import config as tracking

PILLARS = ["trade", "energy", "defence", "education", "health", "digital"]
TARGETS = [("bilateral trade", "USD"), ("funding", "USD"), ("scholarships", "people")]
PROJECTS = ["railway", "port", "pipeline"]


def _candidate(rng: random.Random, document: str, n: int, base: list[np.ndarray], joins_only: bool = False) -> Candidate:
    """A statement near one of a few `base` wordings, with a random pillar, target and project."""
    vector = base[rng.randrange(len(base))] + rng.uniform(0.0, 0.9) * np.random.default_rng(rng.randrange(1 << 30)).normal(size=384)
    vector = (vector / np.linalg.norm(vector)).astype(np.float32)
    return Candidate(
        key=StatementKey(document, n * 10, n * 10 + 9), text=f"statement {n}",
        pillars=frozenset(rng.sample(PILLARS, rng.choice([0, 1, 1, 2]))),
        targets=frozenset(rng.sample(TARGETS, rng.choice([0, 0, 1]))),
        entities=frozenset(rng.sample(PROJECTS, rng.choice([0, 0, 0, 1]))),
        words=frozenset(rng.sample(["rail", "port", "grain", "visa", "loan", "grid", "school"], 2)),
        vector=vector, parties=frozenset(rng.sample(["Kenya", "Chile", "Peru"], rng.choice([0, 1, 2]))),
        relation="CHL-KEN", joins_only=joins_only)


def _brute_force(cands: list[Candidate], known: list[tuple[int, list[Candidate]]]) -> list[tuple[StatementKey, int | None, float]]:
    """Placement by scoring every founder, the rules of `place` written out plainly."""
    config = settings()
    scored = []
    for ci, cand in enumerate(cands):
        for cid, members in known:
            if cand.document in {m.document for m in members}:
                continue
            score, _, _ = score_pair(cand, members[0], float(members[0].vector @ cand.vector), config)
            if score >= config["position_threshold" if cand.joins_only else "threshold"]:
                scored.append((score, ci, cid))
    placed: dict[int, tuple[int, float]] = {}
    used: set[int] = set()
    for score, ci, cid in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if ci not in placed and cid not in used:
            placed[ci] = (cid, round(score, 3))
            used.add(cid)
    return [(c.key, *placed.get(ci, (None, 0.0))) for ci, c in enumerate(cands) if ci in placed or not c.joins_only]


def test_the_index_places_as_comparing_with_every_commitment_would() -> None:
    rng = random.Random(7)
    base = [np.random.default_rng(i).normal(size=384) for i in range(12)]
    index = RelationIndex()
    known: dict[int, list[Candidate]] = {}
    n = 0
    for document in range(60):
        cands = [_candidate(rng, f"doc{document}", (n := n + 1), base, joins_only=rng.random() < 0.2) for _ in range(6)]
        got = [(p.key, p.commitment, p.score) for p in place(cands, index, Decisions())]
        assert got == _brute_force(cands, sorted(known.items()))
        for cand, (_, commitment, _) in zip([c for c in cands], got):
            commitment = commitment or 1000 + len(known)
            known.setdefault(commitment, []).append(cand)
            index.add(commitment, cand, "CHL-KEN")
    assert len(index) == len(known) > 100 and any(len(m) > 2 for m in known.values())


def test_only_statements_sharing_a_pillar_target_or_project_are_compared() -> None:
    rng = random.Random(3)
    base = [np.random.default_rng(i).normal(size=384) for i in range(3)]
    index = RelationIndex()
    for i in range(200):
        index.add(i, _candidate(rng, f"d{i}", i, base), "CHL-KEN")
    probe = _candidate(rng, "new", 999, base)
    near = index.near_founders(probe, -1.0)  # every founder the probe is compared with
    shares = {i for i, known in index.commitments.items() if known.members[0].pillars & probe.pillars
              or {t for t in known.members[0].targets & probe.targets if t[0] != "funding"}
              or known.members[0].entities & probe.entities}
    assert {c for _, c in near} == shares and 0 < len(shares) < 200
    assert [s for s, _ in near] == sorted((s for s, _ in near), reverse=True)


def test_evidence_links_as_comparing_with_every_statement_would() -> None:
    rng = random.Random(11)
    base = [np.random.default_rng(i).normal(size=384) for i in range(4)]
    index = RelationIndex()
    members: dict[int, list[Candidate]] = {}
    for i in range(300):
        cand = _candidate(rng, f"d{i % 40}", i, base)
        members.setdefault(i % 70, []).append(cand)
        index.add(i % 70, cand, "CHL-KEN")
    threshold = float(tracking()["evidence_threshold"])
    linked = 0
    for j in range(40):
        report = _candidate(rng, f"d{j % 45}", 5000 + j, base)
        best = None
        for cid in sorted(members):
            if any(m.document == report.document for m in members[cid]):
                continue
            for m in members[cid]:
                score = score_pair(report, m, float(report.vector @ m.vector))[0]
                if score >= threshold and (best is None or score > best[0]):
                    best = (score, cid)
        got = link([(report, Cue("in_progress", None, "began"))], index)
        assert [(lk.commitment, lk.score) for lk in got] == ([(best[1], round(best[0], 3))] if best else [])
        linked += bool(got)
    assert 0 < linked < 40


def test_decisions_are_looked_up_by_statement_and_the_latest_for_a_pair_wins() -> None:
    a, b, c = (StatementKey(d, 0, 9) for d in ("doc-a", "doc-b", "doc-c"))
    decisions = Decisions()
    decisions.record(a, b, "together")
    decisions.record(a, c, "apart")
    assert decisions.of(a, "together") == {b} and decisions.of(b, "together") == {a}
    assert decisions.of(c, "apart") == {a} and decisions.of(c, "together") == set()
    decisions.record(b, a, "apart")  # split again later, named the other way round
    assert decisions.of(a, "together") == set() and decisions.of(a, "apart") == {b, c}
