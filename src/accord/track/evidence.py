"""Evidence from documents: statements that report progress on a known commitment.

"The feasibility study of the Vientiane - Vung Ang railway was approved" or
"two-way trade reached US$2.3 billion in 2025" are found by the progress cues
of `data/tracking.yaml`, linked to the commitment they resemble most (the
merging score, with its own lower threshold) and proposed with a suggested
status; a person accepts or rejects each one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from accord.model import StatementKey
from accord.resolve.commitments import Candidate, RelationIndex, score_pair, similarity_floor
from accord.track.status import config


@dataclass(frozen=True, slots=True)
class Cue:
    status: str
    stage: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    """A progress report linked to a commitment, with the status it suggests."""

    key: StatementKey  # the report statement's key
    commitment: int
    status: str
    stage: str | None
    score: float
    reason: str


@cache
def _cues() -> list[tuple[re.Pattern[str], str, str | None]]:
    return [(re.compile(c["pattern"], re.IGNORECASE), c["status"], c.get("stage")) for c in config()["progress_cues"]]


# What may follow a figure and belongs to it: "US$950 million", "3.5 billion dollars", "12 per cent".
_FIGURE_TAIL = re.compile(
    r"\s*(?:(?:million|billion|trillion|thousand|bn|mn|m|tr)\b\.?)?"
    r"(?:\s*(?:US dollars|dollars|euros|yen|yuan|USD|EUR|per cent|percent)\b|\s*%)?",
    re.IGNORECASE,
)


def _whole_figure(text: str, m: re.Match[str]) -> str:
    """The cue's words with the whole figure they end on: never "stood at US$950" for "US$950 million"."""
    end = m.end()
    if text[m.start():end][-1:].isdigit() or text[m.start():end][-1:] in ".,":
        while end > m.start() and text[end - 1] in ".,":
            end -= 1  # "US$950," : the comma ends the clause, not the number
        tail = _FIGURE_TAIL.match(text, end)
        if tail is not None:
            end = tail.end()
    return text[m.start():end].rstrip()


def progress_cue(text: str, type_: str, confidence: float = 1.0) -> Cue | None:
    """The progress a statement reports, if any. Commitments report intentions, not progress;
    a statement the type model doubts is one (below even odds) may still report progress."""
    if type_ == "commitment" and confidence >= 0.5:
        return None
    for regex, status, stage in _cues():
        m = regex.search(text)
        if m:
            return Cue(status, stage, _whole_figure(text, m))
    return None


def link(reports: list[tuple[Candidate, Cue]], known: RelationIndex) -> list[Link]:
    """Each report linked to the one commitment it resembles most, if enough: it is compared with every
    statement of the relation that shares a pillar, a target or a project with it (no other can score)."""
    threshold = float(config()["evidence_threshold"])
    out: list[Link] = []
    for report, cue in reports:
        best: tuple[float, int, str] | None = None
        floor = similarity_floor(report, threshold)
        for similarity, commitment, index in known.near_members(report, floor):
            if report.document in known.documents(commitment):
                continue  # a document does not report progress on its own pledge
            member = known.commitments[commitment].members[index]
            score, _rule, detail = score_pair(report, member, similarity)
            if score >= threshold and (best is None or score > best[0]):
                best = (score, commitment, detail)
        if best is not None:
            reason = f"reports “{cue.text}”; {best[2]}"
            out.append(Link(report.key, best[1], cue.status, cue.stage, round(best[0], 3), reason))
    return out
