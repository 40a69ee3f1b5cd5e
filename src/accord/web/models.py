"""The shapes of the JSON API's answers, as pydantic models: /openapi.json and /docs show them.

The routes answer with the ledger's own dicts (`JSONResponse`), so these models document and never
reshape: each lists the fields the ledger gives today and allows others (`extra="allow"`), so a field
added below shows up in the JSON before it is named here. Dates are ISO strings, as the JSON carries them.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Number = int | float  # a count or an amount as the ledger stores it (a whole number stays whole)


class Open(BaseModel):
    """An answer's object: the fields named below, and any the ledger adds later."""

    model_config = ConfigDict(extra="allow")


Item = TypeVar("Item")


class Page(Open, Generic[Item]):
    """Every list: one page of items, how many there are in all, and the cursor of the next page."""

    items: list[Item]
    total: int = Field(description="Items in the whole list (for statements: at least this many).")
    next: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class ErrorBody(Open):
    status: int
    message: str = Field(description="One line saying what is wrong and what to do.")


class ErrorOut(Open):
    """Every error, from any route: 4xx for the request, 5xx for the server (no internal detail)."""

    error: ErrorBody


# -- parties, documents, statements ---------------------------------------------

class Party(Open):
    code: str = Field(description="ISO 3166-1 alpha-3, or a bloc's acronym.")
    name: str


class Mention(Open):
    start: int
    end: int
    text: str
    kind: str
    entity: int | None


class StatementTarget(Open):
    """A target as a statement states it: offsets in the document's text."""

    id: int
    metric: str | None
    value: Number | None
    unit: str | None
    deadline: str | None
    start: int
    end: int


class Target(StatementTarget):
    """A commitment's target, with the statements that state it and its progress."""

    statement: int
    sources: list[dict[str, Any]] = []
    indicator: int | None = None
    progress: dict[str, Any] | None = Field(None, description="Against the linked indicator's observations.")


class Statement(Open):
    id: int
    document: int
    start: int = Field(description="Offset in the document's text (Python str index).")
    end: int
    text: str
    type: str = Field(description="commitment, position, assessment, event or other.")
    confidence: float | None
    cue: str | None
    pillars: list[str]
    actors: list[str]
    commitment: int | None
    mentions: list[Mention]
    targets: list[StatementTarget]


class DocumentBase(Open):
    id: int
    title: str | None
    outlet: str | None
    published: str | None
    place: str | None
    language: str | None
    sha256: str
    source: str
    format: str = Field(description="text, html or pdf.")
    words: int | None
    ingested_at: str | None
    parties: list[Party]
    relation: str | None = Field(description="The parties' codes joined by '-', e.g. CHL-KEN.")
    parties_confidence: float | None
    parties_evidence: str | None
    parties_by: str | None = Field(description="Who corrected the parties; null when Accord read them.")
    occasion: int | None
    occasion_date: str | None


class Document(DocumentBase):
    """A document as listed: `statements` is how many it has."""

    statements: int


class DocumentFull(DocumentBase):
    """A document with its text and every statement (with mentions and targets)."""

    statements: list[Statement]
    text: str


# -- commitments ---------------------------------------------------------------

class Source(Open):
    statement: int
    document: int
    title: str | None
    outlet: str | None
    published: str | None
    occasion: int | None
    start: int
    end: int
    text: str


class Change(Open):
    """One entry of a commitment's status or stage history (hash-chained)."""

    id: int
    commitment_id: int
    field: str = Field(description="status or stage.")
    value: str
    evidence: str
    source: str | None
    statement_id: int | None
    observed: str | None
    by: str | None
    origin: str
    supersedes: int | None
    recorded_at: str
    prev_hash: str | None
    hash: str


class Commitment(Open):
    id: int
    text: str
    pillars: list[str]
    status: str
    relation: str | None
    parties: list[Party]
    actors: list[str]
    sources: list[Source]
    targets: list[Target]
    first_seen: str
    last_seen: str
    documents: int
    occasions: int
    times_reaffirmed: int
    first_pledged: str | None
    status_origin: str | None
    status_set: str | None
    status_by: str | None
    title: str | None
    title_offset: int | None
    stage: str | None
    deadlines: list[str]
    flags: list[str] = Field(description="Computed at read time: overdue, stale, disputed, review-abandoned.")
    deadline: str | None
    deadline_text: str | None


class Reason(Open):
    """Why a statement joined its commitment."""

    statement: int
    matched: int | None
    matched_text: str | None
    rule: str
    score: float | None
    detail: str | None
    party_check: str | None


class CommitmentFull(Commitment):
    """A commitment with its merge reasons and its history."""

    reasons: list[Reason]
    history: list[Change]


# -- entities, relations, indicators -------------------------------------------

class Entity(Open):
    id: int
    kind: str
    name: str
    mentions: int
    aliases: list[str]


class EntityStatement(Open):
    id: int
    text: str
    type: str
    start: int
    end: int
    commitment: int | None
    document: int
    title: str | None
    published: str | None


class EntityFull(Entity):
    """An entity and everything that names it."""

    statements: list[EntityStatement]
    commitments: list[int] = Field(description="Ids of the commitments whose statements name it.")


class Relation(Open):
    relation: str
    parties: list[Party]
    documents: int
    occasions: int
    commitments: int
    first: str | None
    last: str | None


class OccasionDocument(Open):
    id: int
    title: str | None
    outlet: str | None
    published: str | None


class Occasion(Open):
    id: int
    name: str | None
    date: str | None
    documents: list[OccasionDocument]


class RelationTarget(Target):
    commitment: int
    commitment_text: str


class Total(Open):
    metric: str | None
    unit: str | None
    value: Number


class RelationFull(Open):
    """A relation: occasions oldest first, its commitments, their counts by pillar and status, targets."""

    relation: str
    parties: list[Party]
    documents: int
    occasion_count: int
    occasions: list[Occasion]
    commitments: list[Commitment]
    first: str | None
    last: str | None
    by_pillar: dict[str, dict[str, int]] = Field(description="Pillar → status → how many commitments.")
    targets: list[RelationTarget]
    totals: list[Total]


class Observation(Open):
    id: int
    indicator_id: int
    period: str
    value: Number
    source: str | None
    recorded_at: str | None


class TrackedTarget(Open):
    id: int
    commitment: int


class IndicatorBase(Open):
    id: int
    name: str
    unit: str | None
    frequency: str | None
    description: str | None
    observations: list[Observation]
    latest_period: str | None
    latest_value: Number | None


class Indicator(IndicatorBase):
    """An indicator as listed: the targets it tracks by id."""

    targets: list[TrackedTarget]


class IndicatorTarget(Open):
    id: int
    commitment: int
    progress: dict[str, Any] | None = Field(None, description="Against this indicator's observations.")


class IndicatorFull(IndicatorBase):
    """One indicator: its observations with their sources, and the targets it tracks with their progress."""

    targets: list[IndicatorTarget]


# -- search, review, diff -------------------------------------------------------

class Hit(Open):
    """A statement that matches a search."""

    id: int
    text: str
    type: str
    start: int
    end: int
    commitment_id: int | None
    document: int
    title: str | None
    published: str | None
    pillars: list[str]
    relation: str | None


class SearchPage(Page[Hit]):
    """A page of hits. The total is counted up to 10,000 hits: `total_exact` is false when there are more."""

    total_exact: bool = Field(description="False when the search found more hits than `total` says (10,000).")


class Candidate(Open):
    """A statement that may be evidence of a commitment's new status or stage, for a person to decide."""

    id: int
    commitment_id: int
    statement_id: int
    suggested: str | None = Field(description="The status it suggests.")
    stage: str | None
    score: float | None
    reason: str | None
    state: str = Field(description="pending, accepted or rejected.")
    decided_by: str | None
    decided_at: str | None
    evidence: str = Field(description="The statement's text.")
    start: int
    end: int
    document: int
    title: str | None
    published: str | None
    commitment_text: str


class Side(Open):
    """One side of a diff: a document, or an occasion of a relation."""

    kind: str
    id: int
    relation: str | None
    date: str | None
    documents: list[OccasionDocument]
    label: str


class Continued(Open):
    commitment: int
    pillars: list[str]
    text: str
    a: list[dict[str, Any]] = Field(description="Its statements on side A.")
    b: list[dict[str, Any]] = Field(description="Its statements on side B.")
    wording_changed: bool
    words: list[dict[str, Any]] = Field(description="Word by word: {op: equal|delete|insert, text}.")
    targets: list[dict[str, Any]]


class Diff(Open):
    """Commitments new in B, continued from A (word by word, targets), and dropped since A."""

    relation: str | None
    a: Side
    b: Side
    new: list[dict[str, Any]]
    dropped: list[dict[str, Any]]
    continued: list[Continued]


# -- ingest jobs ------------------------------------------------------------------

class JobQueued(Open):
    """An ingest accepted: follow `url` (also the Location header) until it is done or failed."""

    job: str
    status: Literal["queued", "running", "done", "failed"]
    url: str


class JobResult(Open):
    status: Literal["added", "unchanged", "failed"]
    document: int | None
    url: str | None
    statements: int
    commitments_new: int
    commitments_merged: int


class Job(Open):
    """An ingest job. Jobs live in the server's memory: finished ones are kept for an hour, and a restart
    forgets them."""

    job: str
    status: Literal["queued", "running", "done", "failed"]
    stage: str | None = Field(None, description="While it runs, in words: waiting for the language model, "
                                                "reading the text, extracting, writing.")
    url: str
    source: str
    created: str
    finished: str | None
    result: JobResult | None
    error: str | None = Field(description="One line saying why it failed; null unless failed.")


class Ingested(Open):
    """`?wait=1`: the ingest's outcome and the document it stored or found."""

    status: Literal["added", "unchanged"]
    document: DocumentFull | None
    job: str


# -- the server ------------------------------------------------------------------

class Health(Open):
    """Whether the server answers and can ingest yet."""

    status: Literal["ok"] = Field(description="Always ok when the server answers.")
    model: Literal["loading", "ready", "failed"] = Field(
        description="The language model ingests need: it loads in the background when the server starts "
                    "(about ten seconds); ingests sent meanwhile wait for it.")
    model_error: str | None = Field(description="Why the model failed to load; null unless failed.")
    version: str
