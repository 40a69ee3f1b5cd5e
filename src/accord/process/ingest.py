"""Ingest: read each source, skip what the ledger holds (same text hash), extract, read the parties and
the occasion, resolve entities, place commitment statements among the known commitments of the same
relation, propose evidence, and write the document — one transaction per document.

Extraction runs outside any lock; resolving and writing run under the ledger's write lock
(`ledger.transaction`), one document at a time, so concurrent runs and people's corrections take turns
and each document is placed among everything committed before it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sqlalchemy import Connection, Engine

from accord.errors import InputNotFound
from accord.ingest.corpus import CORPUS_SUFFIXES, Input
from accord.model import Document, Statement, StatementKey
from accord.process.known import KnownState, canonical_actors, view_of
from accord.resolve.commitments import Placement, StatementView
from accord.resolve.entities import EntityRef
from accord.resolve.parties import PartyReading


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What happened to one source: "failed" ones carry the one-line reason in `error` and wrote nothing."""

    source: str
    document: int | None
    status: str  # "added" | "unchanged" | "failed"
    statements: int = 0
    commitments_new: int = 0
    commitments_merged: int = 0
    error: str | None = None


# Told each stage of `ingest_document` as it begins ("extracting", "writing"): the web's job page says it.
# A context variable rather than a parameter, so the Ledger's ingest calls need not pass it through.
STAGE: ContextVar[Callable[[str], None] | None] = ContextVar("accord_ingest_stage", default=None)


def _stage(name: str) -> None:
    hook = STAGE.get()
    if hook is not None:
        hook(name)


# What a run does when a source can't be read: raise its InputError (the default: a caller ingesting one
# source wants the exception), record it as a "failed" result and go on, or record it and stop.
OnError = Literal["raise", "continue", "stop"]


def expand_sources(sources: list[str], suffixes: tuple[str, ...] = (".txt", ".html", ".htm", ".pdf", *CORPUS_SUFFIXES)) -> list[str]:
    """URLs as given; paths expanded, a folder standing for its files with `suffixes`, sorted."""
    out: list[str] = []
    for source in sources:
        if source.startswith(("http://", "https://")):
            out.append(source)
            continue
        path = Path(source)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
            if not found:
                raise InputNotFound(f"{path}: folder has no {', '.join(suffixes)} files")
            out.extend(str(p) for p in found)
        elif path.exists():
            out.append(source)
        else:
            raise InputNotFound(f"{path}: no such file or folder")
    return out


def check_files(files: list[Path]) -> None:
    """Fail on the first unreadable file before any output, so a run is all or nothing."""
    from accord.ingest import check_text_file

    for path in files:
        check_text_file(path)


def extract_paths(files: list[Path], jobs: int = 1) -> Iterator[tuple[Path, Statement]]:
    """(file, statement) pairs, file by file, each file checked before it is read."""
    from accord.extract import extract_file

    for path in files:
        for statement in extract_file(path, jobs=jobs):
            yield path, statement


def read_input(item: Input, outlet: str | None = None) -> Document:
    """The document an input names: a file or URL read, or a corpus record; `outlet` over its own."""
    from dataclasses import replace

    from accord.ingest import read_document
    from accord.ingest.corpus import Record, record_document

    doc = record_document(item) if isinstance(item, Record) else read_document(item)
    return replace(doc, outlet=outlet) if outlet else doc


def input_name(item: Input) -> str:
    """What messages call an input: its path or URL, or the file and line of a record."""
    from accord.ingest.corpus import Record

    return item.origin if isinstance(item, Record) else item


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document read and analysed, ready to be placed and written: everything done outside the lock."""

    doc: Document
    statements: list[Statement]
    parties: PartyReading
    relation: str | None
    vectors: dict[StatementKey, np.ndarray]  # of the statements merging places
    report_vectors: dict[StatementKey, np.ndarray]  # of the statements that may be evidence


def prepare_documents(docs: list[Document]) -> list[Prepared]:
    """Extract each document and read its parties; embed what merging and evidence compare, for all the
    documents at once (a model runs far faster on one batch than on many small ones)."""
    from accord.extract import extract_text
    from accord.model import relation_key
    from accord.resolve.commitments import embed_views
    from accord.resolve.parties import detect_parties

    analysed = []
    for doc in docs:
        statements = extract_text(doc.text)
        reading = detect_parties(doc.text, doc.title)
        analysed.append((doc, statements, reading, relation_key([p.code for p in reading.parties])))
    # A vector reads a statement's core wording, which entity resolution does not change, so the views
    # here need no resolved entities or actors.
    views = [_views(doc, statements, [[None] * len(s.mentions) for s in statements], [[] for _ in statements],
                    relation) for doc, statements, _, relation in analysed]
    reports = [_report_views(doc, statements, relation) for doc, statements, _, relation in analysed]
    vectors = embed_views([v for group in views + reports for v in group])
    return [Prepared(doc, statements, reading, relation,
                     {v.key: vectors[v.key, v.cue] for v in merged}, {v.key: vectors[v.key, v.cue] for v in report})
            for (doc, statements, reading, relation), merged, report in zip(analysed, views, reports)]


def ingest_document(engine: Engine, doc: Document, state: KnownState | None = None) -> IngestResult:
    from accord.ledger import store

    with engine.connect() as conn:  # a read: it waits on no writer
        existing = store.document_exists(conn, doc.sha256)
    if existing is not None:
        return IngestResult(doc.source, existing, "unchanged")
    _stage("extracting")
    return store_prepared(engine, prepare_documents([doc])[0], state)


def store_prepared(engine: Engine, prepared: Prepared, state: KnownState | None = None) -> IngestResult:
    """Place a prepared document among the known commitments of its relation and write it, in one
    transaction under the ledger's write lock; "unchanged" when the ledger holds its text already."""
    from accord.ledger import occasions, store, transaction, write_document
    from accord.ledger.write import DocumentParties
    from accord.process.track import link_evidence

    doc, statements, reading, relation = prepared.doc, prepared.statements, prepared.parties, prepared.relation
    _stage("writing")
    # The write lock from here to the commit: the re-check, the refresh and the placements all see
    # every document another writer committed first, and nobody commits in between.
    with transaction(engine) as conn:
        existing = store.document_exists(conn, doc.sha256)  # another writer stored this text meanwhile
        if existing is not None:
            return IngestResult(doc.source, existing, "unchanged")
        state = state or KnownState()
        _catch_up(conn, state, relation)
        resolved = _resolve(conn, doc, statements, state, relation, prepared.vectors)
        parties = DocumentParties([{"code": p.code, "name": p.name} for p in reading.parties], relation,
                                  reading.confidence, reading.evidence,
                                  occasions.assign(conn, relation, doc.published, doc.title,
                                                   _named_event(statements, resolved.refs)))
        try:
            doc_id = write_document(conn, doc, statements, resolved.refs, resolved.actors, resolved.vectors,
                                    resolved.placements, parties, state.entities)
            link_evidence(conn, doc_id, doc, statements, resolved.refs, resolved.actors, state, relation,
                          prepared.report_vectors)
        except BaseException:
            state.entities.clear()  # it may name rows this transaction wrote and won't commit
            raise
    merged = sum(1 for p in resolved.placements.values() if p.commitment is not None)
    return IngestResult(doc.source, doc_id, "added", len(statements), len(resolved.placements) - merged, merged)


def _catch_up(conn: Connection, state: KnownState, relation: str | None) -> None:
    """Bring a run's merging state of `relation` up to what this transaction sees.

    Refreshing reads only statements added since the last document, which is all that other ingest
    runs change. A person's merge, split or parties correction (the web's, between two documents of
    a long run) rewrites rows the state already holds: a commitment gone, a new one founded by moved
    statements, a commitment moved to another relation. Each shows as a difference between the
    commitments of the relation in the state and in the ledger, and then the relation is read again
    whole, so nothing is ever placed in a commitment that is gone or belongs to another relation.
    """
    from accord.ledger import store

    state.refresh(conn, relation)
    # Whether anything changed but ingest: a person's merge or split records a decision, and a move of
    # a commitment to or from this relation changes its kept total. Only then is the relation's list of
    # commitments read and compared, so a document costs the same however many the relation holds.
    decided = state.last_decision  # read by the refresh
    if relation is not None and decided == state.decided.get(relation) \
            and store.relation_count(conn, relation) == len(state.relations[relation]):
        return
    if state.relations[relation].ids() != store.commitments_of(conn, relation):
        state.forget(relation)
        state.refresh(conn, relation)
    state.decided[relation] = decided


LEAD_CHARS = 600  # a visit or summit named this close to the top is the one the document reports


def _named_event(statements: list[Statement], refs: list[list[EntityRef | None]]) -> str | None:
    """The visit or summit the document's lead names, by its gazetteer name when it has one."""
    for statement, statement_refs in zip(statements, refs):
        if statement.start > LEAD_CHARS:
            break
        for mention, ref in zip(statement.mentions, statement_refs):
            if mention.kind == "event":
                return ref.name if ref is not None else mention.text
    return None


@dataclass(frozen=True, slots=True)
class Resolved:
    """What resolution adds to a document's statements before they are written."""

    refs: list[list[EntityRef | None]]
    actors: list[list[dict[str, Any]]]
    vectors: dict[StatementKey, np.ndarray]
    placements: dict[StatementKey, Placement]


def _resolve(conn: Connection, doc: Document, statements: list[Statement], state: KnownState,
             relation: str | None, vectors: dict[StatementKey, np.ndarray]) -> Resolved:
    from dataclasses import replace

    from accord.resolve import EntityResolver, place
    from accord.resolve.commitments import candidates

    resolver = EntityResolver(dict(state.aliases))
    refs = [[resolver.resolve(m.text, m.kind) for m in s.mentions] for s in statements]
    actors = [canonical_actors(s, r, resolver) for s, r in zip(statements, refs)]
    views = [replace(v, vector=vectors.get(v.key)) for v in _views(doc, statements, refs, actors, relation)]
    found = candidates(views)
    placements = {p.key: p for p in place(found, state.of(relation), state.decisions)}
    vectors = {c.key: c.vector for c in found if c.key in placements}
    return Resolved(refs, actors, vectors, placements)


def _report_views(doc: Document, statements: list[Statement], relation: str | None) -> list[StatementView]:
    """The statements that may report progress on known commitments (read whole, not from a cue)."""
    from accord.track.evidence import progress_cue

    return [view_of(doc.sha256, s, [None] * len(s.mentions), [], relation, cue=False) for s in statements
            if progress_cue(s.text, s.type, s.confidence) is not None]


def _views(doc: Document, statements: list[Statement], refs: list[list[EntityRef | None]],
           actors: list[list[dict[str, Any]]], relation: str | None) -> list[StatementView]:
    """The statements merging places: commitments; a position joins one it restates (or, reaffirming
    one, is placed as one)."""
    from accord.resolve.commitments import restates_standing_undertaking

    return [view_of(doc.sha256, s, r, a, relation,
                    joins_only=s.type != "commitment" and not restates_standing_undertaking(s.text))
            for s, r, a in zip(statements, refs, actors) if s.type in ("commitment", "position")]
