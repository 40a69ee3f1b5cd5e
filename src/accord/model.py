"""Accord's vocabulary as plain data: documents, statements, mentions, targets.

Nothing here does I/O; every stage passes these objects along.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any


class StatementType(str, Enum):
    """What kind of speech act a statement is, in the order a tracker ranks them."""

    COMMITMENT = "commitment"
    POSITION = "position"
    ASSESSMENT = "assessment"
    EVENT = "event"
    OTHER = "other"


class Pillar(str, Enum):
    """The twelve sectors of GUIDELINE.md."""

    POLITICAL = "political"
    DEFENCE_SECURITY = "defence_security"
    JUSTICE_LEGAL = "justice_legal"
    ECONOMY_TRADE = "economy_trade"
    INFRASTRUCTURE_TRANSPORT = "infrastructure_transport"
    ENERGY_MINING = "energy_mining"
    EDUCATION_TRAINING = "education_training"
    SCIENCE_TECHNOLOGY = "science_technology"
    HEALTH = "health"
    CULTURE_PEOPLE = "culture_people"
    ENVIRONMENT_WATER = "environment_water"
    MULTILATERAL_REGIONAL = "multilateral_regional"


class MentionKind(str, Enum):
    """The kinds of named things a statement can mention."""

    PERSON = "person"
    ORGANIZATION = "organization"
    PLACE = "place"
    PROJECT = "project"
    INSTRUMENT = "instrument"
    MONEY = "money"
    DATE = "date"
    EVENT = "event"


@dataclass(frozen=True, slots=True, order=True)
class StatementKey:
    """A statement's identity across ledgers and rebuilds: its document's text hash and its offsets.

    People's merge and split decisions are kept by these keys, so they outlive any rebuild of the
    grouping; `str(key)` is how the ledger stores one ("<sha256>:<start>:<end>")."""

    document: str  # the SHA-256 of the document's text
    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.document}:{self.start}:{self.end}"

    @classmethod
    def parse(cls, text: str) -> StatementKey:
        document, start, end = text.rsplit(":", 2)
        return cls(document, int(start), int(end))


@dataclass(frozen=True, slots=True)
class Document:
    """One ingested text, immutable, identified by the SHA-256 of its text.

    `text` is what offsets index: the file's text, the article body of a web
    page, or the text of a PDF's pages. `raw` keeps the bytes as fetched or
    read (HTML, PDF) so nothing of the source is ever lost.
    """

    sha256: str
    text: str
    source: str  # the path or URL as the user gave it
    format: str  # "text" | "html" | "pdf"
    title: str | None = None
    outlet: str | None = None
    published: date | None = None
    place: str | None = None
    language: str | None = None
    raw: bytes | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of the document that names something; offsets index the document text."""

    start: int
    end: int
    text: str
    kind: str


@dataclass(frozen=True, slots=True)
class Target:
    """A quantified goal: `value` in `unit` of `metric`, by `deadline` when stated.

    `start`/`end` cover the amount in the document; `deadline_start`/`deadline_end`
    cover the deadline phrase when there is one. A range ("20-25 percent") has its
    lower bound as `value` and its upper bound as `max` (GUIDELINE, Targets).
    """

    metric: str
    value: float
    unit: str
    start: int
    end: int
    deadline: str | None = None
    deadline_start: int | None = None
    deadline_end: int | None = None
    max: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"metric": self.metric, "value": _number(self.value)}
        if self.max is not None:
            out["max"] = _number(self.max)
        out["unit"] = self.unit
        if self.deadline is not None:
            out["deadline"] = self.deadline
            out["deadline_start"] = self.deadline_start
            out["deadline_end"] = self.deadline_end
        out["start"] = self.start
        out["end"] = self.end
        return out


@dataclass(frozen=True, slots=True)
class Actor:
    """Who undertakes a statement: a party named in the text, or both parties."""

    name: str
    start: int | None = None
    end: int | None = None


@dataclass(slots=True)
class Statement:
    """One sentence (or clause) of a document with everything Accord read in it."""

    start: int
    end: int
    text: str
    type: str
    confidence: float
    pillars: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    cue: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The `accord extract` output contract of GUIDELINE.md, plus Accord's extras."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "type": self.type,
            "confidence": round(self.confidence, 3),
            "cue": self.cue,
            "pillars": list(self.pillars),
            # Built field by field: `asdict` deep-copies and costs several times more, per statement.
            "mentions": [{"start": m.start, "end": m.end, "text": m.text, "kind": m.kind} for m in self.mentions],
            "targets": [t.to_dict() for t in self.targets],
            "actors": [{"name": a.name, "start": a.start, "end": a.end} for a in self.actors],
        }


def _number(value: float) -> int | float:
    """Whole numbers print as integers (5000000000, not 5e9)."""
    return int(value) if float(value).is_integer() else value


def relation_key(codes: list[str] | set[str] | frozenset[str]) -> str | None:
    """A relation's name: its parties' codes, sorted, joined by "-" ("LAO-VNM"); None when no party is known.

    The order of the codes doesn't matter ("VNM-LAO" and "LAO-VNM" are one relation)."""
    cleaned = sorted({c.strip().upper() for c in codes if c and c.strip()})
    return "-".join(cleaned) if cleaned else None


def parse_relation(text: str) -> str | None:
    """A relation as a person writes it: "VNM-LAO", "usa,jpn", "USA JPN" → its key."""
    import re

    return relation_key(re.split(r"[\s,;/+–—-]+", text))
