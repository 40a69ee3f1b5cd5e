"""The one place that runs the stages: ingest → extract → resolve → ledger.

`ingest_sources` reads each source, skips what the ledger already holds (same
text hash), extracts, resolves entities, places commitment statements among
the known commitments, and writes the document in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import Connection, Engine

from accord.errors import InputNotFound
from accord.model import Document, Statement
from accord.resolve.commitments import Known, Placement
from accord.resolve.entities import EntityRef, EntityResolver


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What happened to one source."""

    source: str
    document: int | None
    status: str  # "added" | "unchanged"
    statements: int = 0
    commitments_new: int = 0
    commitments_merged: int = 0


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for its `.txt` files, sorted. Missing paths fail first."""
    return [Path(s) for s in expand_sources([str(p) for p in paths], suffixes=(".txt",))]


def expand_sources(sources: list[str], suffixes: tuple[str, ...] = (".txt", ".html", ".htm", ".pdf")) -> list[str]:
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


class KnownState:
    """What merging needs to know of the ledger, loaded once per run and then only what is new.

    Within one ingest run statements only join commitments or found new ones, so
    rows with a higher id are all that can have changed (people's merges and
    splits happen between runs).
    """

    def __init__(self) -> None:
        self.commitments: dict[int, Known] = {}
        self.aliases: dict[tuple[str, str], EntityRef] = {}
        self.last_statement = 0
        self.last_alias = 0

    def refresh(self, conn: Connection) -> None:
        from accord.ledger import queries, statement_key
        from accord.resolve import Candidate, Known, content_words, core_text
        from accord.resolve.embed import embed, from_bytes

        for r in queries.known_aliases(conn, after=self.last_alias):
            self.aliases.setdefault((r["kind"], r["alias_key"]), EntityRef(r["kind"], r["name"], r["key"]))
            self.last_alias = r["id"]
        for row in queries.known_commitments(conn, after=self.last_statement):
            mentions = row["mentions"]
            core = core_text(row["text"], row["cue"],
                             [m["text"] for m in mentions if m["kind"] in ("place", "person")])
            vector = from_bytes(row["embedding"]) if row["embedding"] is not None else embed([core])[0]
            known = self.commitments.setdefault(row["commitment_id"], Known(row["commitment_id"], relation=row["relation"]))
            known.members.append(Candidate(
                key=statement_key(row["sha256"], row["start"], row["end"]), document=row["sha256"], text=row["text"],
                pillars=frozenset(row["pillars"]), targets=frozenset(row["targets"]),
                entities=frozenset(_entity_names(mentions)), words=content_words(core), vector=vector,
                parties=_parties(row["actors"]), relation=row["relation"],
            ))
            self.last_statement = row["id"]


def ingest_sources(engine: Engine, sources: list[str],
                   progress: Callable[[str], None] | None = None) -> Iterator[IngestResult]:
    """Ingest each source in its own transaction; a failure stops the run but keeps what was committed."""
    from accord.ingest import read_document

    state = KnownState()
    for source in sources:
        doc = read_document(source)
        yield ingest_document(engine, doc, state)
        if progress is not None:
            progress(source)


def ingest_document(engine: Engine, doc: Document, state: KnownState | None = None) -> IngestResult:
    from accord.extract import extract_text
    from accord.ledger import occasions, store, transaction, write_document
    from accord.ledger.write import DocumentParties
    from accord.model import relation_key
    from accord.resolve.parties import detect_parties

    with transaction(engine) as conn:
        existing = store.document_exists(conn, doc.sha256)
        if existing is not None:
            return IngestResult(doc.source, existing, "unchanged")
    statements = extract_text(doc.text)
    reading = detect_parties(doc.text, doc.title)
    relation = relation_key([p.code for p in reading.parties])
    with transaction(engine) as conn:
        existing = store.document_exists(conn, doc.sha256)  # another writer may have won meanwhile
        if existing is not None:
            return IngestResult(doc.source, existing, "unchanged")
        state = state or KnownState()
        state.refresh(conn)
        resolved = _resolve(conn, doc, statements, state, relation)
        parties = DocumentParties([{"code": p.code, "name": p.name} for p in reading.parties], relation,
                                  reading.confidence, reading.evidence,
                                  occasions.assign(conn, relation, doc.published, doc.title))
        doc_id = write_document(conn, doc, statements, resolved.refs, resolved.actors, resolved.vectors,
                                resolved.placements, parties)
        link_evidence(conn, doc_id, doc, statements, state, relation)
    merged = sum(1 for p in resolved.placements.values() if p.commitment is not None)
    return IngestResult(doc.source, doc_id, "added", len(statements), len(resolved.placements) - merged, merged)


@dataclass(frozen=True, slots=True)
class Resolved:
    """What resolution adds to a document's statements before they are written."""

    refs: list[list[EntityRef | None]]
    actors: list[list[dict[str, object]]]
    vectors: dict[str, np.ndarray]
    placements: dict[str, Placement]


def _resolve(conn: Connection, doc: Document, statements: list[Statement], state: KnownState,
             relation: str | None) -> Resolved:
    from accord.ledger import queries, statement_key
    from accord.resolve import Candidate, EntityResolver, content_words, core_text, place
    from accord.resolve.commitments import restates_standing_undertaking
    from accord.resolve.embed import embed

    resolver = EntityResolver(dict(state.aliases))
    refs = [[resolver.resolve(m.text, m.kind) for m in s.mentions] for s in statements]
    actors = [canonical_actors(s, r, resolver) for s, r in zip(statements, refs)]

    chosen = [(s, r) for s, r in zip(statements, refs) if s.type in ("commitment", "position")]
    cores = [core_text(s.text, s.cue, [m.text for m in s.mentions if m.kind in ("place", "person")])
             for s, _ in chosen]
    matrix = embed(cores)
    vectors: dict[str, np.ndarray] = {}
    candidates = []
    actor_names = {statement_key(doc.sha256, s.start, s.end): _parties(acts) for s, acts in zip(statements, actors)}
    for (s, statement_refs), core, vector in zip(chosen, cores, matrix):
        key = statement_key(doc.sha256, s.start, s.end)
        vectors[key] = vector
        candidates.append(Candidate(
            key=key, document=doc.sha256, text=s.text, pillars=frozenset(s.pillars),
            targets=frozenset((tg.metric, tg.unit) for tg in s.targets),
            entities=frozenset(r.name for r in statement_refs if r is not None and r.kind in ("project", "instrument")),
            words=content_words(core), vector=vector, parties=actor_names[key], relation=relation,
            joins_only=s.type != "commitment" and not restates_standing_undertaking(s.text),
        ))
    placements = {p.key: p for p in place(candidates, list(state.commitments.values()), queries.decisions(conn))}
    return Resolved(refs, actors, vectors, placements)


def canonical_actors(statement: Statement, refs: list[EntityRef | None], resolver: EntityResolver) -> list[dict[str, object]]:
    """The statement's actors, each with the canonical name of the entity it names."""
    out: list[dict[str, object]] = []
    for actor in statement.actors:
        ref = next((r for m, r in zip(statement.mentions, refs) if m.start == actor.start and r is not None), None)
        ref = ref or resolver.resolve(actor.name, "place")
        out.append({"name": actor.name, "start": actor.start, "end": actor.end,
                    "entity": ref.name if ref is not None else actor.name,
                    "kind": ref.kind if ref is not None else "place"})
    return out


def _parties(actors: list[dict[str, object]]) -> frozenset[str]:
    """The countries (places) among a statement's actors: what the party check of merging compares.
    People are left out: "Tô Lâm" and "Vietnam" are not comparable names."""
    return frozenset(str(a.get("entity") or a["name"]) for a in actors if a.get("kind", "place") == "place")


def _entity_names(mentions: list[dict[str, object]]) -> list[str]:
    return [str(m["entity"] or m["text"]) for m in mentions if m["kind"] in ("project", "instrument")]


def merge_commitments(engine: Engine, keep: int, other: int, by: str | None = None) -> int:
    """A person's merge: every statement of `other` joins `keep`; the decision is recorded."""
    from sqlalchemy import delete, insert, update

    from accord.ledger import queries, statement_key, store
    from accord.ledger import tables as t

    if keep == other:
        raise store.NotFound(f"cannot merge commitment {keep} with itself")
    with transaction_for(engine) as conn:
        kept, moved = queries.members(conn, keep), queries.members(conn, other)
        if not kept:
            raise store.NotFound(f"no commitment {keep}")
        if not moved:
            raise store.NotFound(f"no commitment {other}")
        anchor = statement_key(kept[0]["sha256"], kept[0]["start"], kept[0]["end"])
        for m in moved:
            store.record_decision(conn, "together", anchor, statement_key(m["sha256"], m["start"], m["end"]), by)
            store.move_statement(conn, m["id"], keep)
            conn.execute(insert(t.merge_reasons).values(
                commitment_id=keep, statement_id=m["id"], matched_statement_id=kept[0]["id"], rule="decision",
                score=1.0, detail=f"merged by {by or 'a person'} from commitment {other}"))
        conn.execute(update(t.merge_reasons).where(t.merge_reasons.c.commitment_id == other)
                     .values(commitment_id=keep))
        conn.execute(delete(t.commitments).where(t.commitments.c.id == other))
        store.refresh_pillars(conn, keep)
    return keep


def split_statement(engine: Engine, commitment_id: int, statement_id: int, by: str | None = None) -> int:
    """A person's split: the statement leaves the commitment for a new one of its own; recorded."""
    from sqlalchemy import insert

    from accord.ledger import queries, statement_key, store
    from accord.ledger import tables as t

    with transaction_for(engine) as conn:
        current = queries.members(conn, commitment_id)
        if not current:
            raise store.NotFound(f"no commitment {commitment_id}")
        leaving = next((m for m in current if m["id"] == statement_id), None)
        if leaving is None:
            raise store.NotFound(f"statement {statement_id} is not a source of commitment {commitment_id}")
        if len(current) == 1:
            raise store.NotFound(f"statement {statement_id} is the only source of commitment {commitment_id}")
        row = queries.statement_row(conn, statement_id)
        new_id = store.insert_id(conn, t.commitments, {"text": row["text"], "pillars": sorted(row["pillars"]),
                                                       "status": "announced", "created_at": store.now(),
                                                       "relation": queries.commitment_relation(conn, commitment_id)})
        key = statement_key(leaving["sha256"], leaving["start"], leaving["end"])
        for m in current:
            if m["id"] != statement_id:
                store.record_decision(conn, "apart", key, statement_key(m["sha256"], m["start"], m["end"]), by)
        store.move_statement(conn, statement_id, new_id)
        conn.execute(insert(t.merge_reasons).values(
            commitment_id=new_id, statement_id=statement_id, matched_statement_id=None, rule="decision", score=1.0,
            detail=f"split by {by or 'a person'} from commitment {commitment_id}"))
        store.refresh_pillars(conn, commitment_id)
        store.refresh_pillars(conn, new_id)
    return new_id


def set_document_parties(engine: Engine, document_id: int, codes: list[str], by: str | None = None) -> str | None:
    """A person's correction of a document's parties; returns the new relation.

    The document moves to an occasion of its new relation; a commitment statement whose commitment
    belongs to another relation leaves it for a commitment of its own (a commitment of this document
    alone moves with it), recorded as a merge reason, so no commitment ever spans two relations.
    """
    from sqlalchemy import insert, select, update

    from accord.errors import InputError
    from accord.ledger import occasions, queries, store
    from accord.ledger import tables as t
    from accord.model import relation_key
    from accord.resolve.parties import party

    parties: list[dict[str, str]] = []
    for code in codes:
        found = party(code)
        if found is None:
            raise InputError(f"unknown party {code!r}: give ISO 3166-1 alpha-3 codes or a bloc's acronym (VNM,LAO; ASEAN)")
        if all(p["code"] != found.code for p in parties):
            parties.append({"code": found.code, "name": found.name})
    if not parties:
        raise InputError("no parties given: e.g. --set-parties 3 VNM,LAO")
    parties.sort(key=lambda p: p["code"])
    relation = relation_key([p["code"] for p in parties])
    who = by or "a person"
    with transaction_for(engine) as conn:
        docs = queries.documents(conn, ids=[document_id])
        if not docs:
            raise store.NotFound(f"no document {document_id}")
        doc = docs[0]
        occasion = occasions.assign(conn, relation, _as_date(doc["published"]), doc["title"])
        conn.execute(update(t.documents).where(t.documents.c.id == document_id).values(
            parties=parties, relation=relation, parties_confidence=1.0, parties_evidence=f"set by {who}",
            parties_by=who, occasion_id=occasion))
        occasions.prune(conn)
        S, C = t.statements, t.commitments
        rows = conn.execute(select(S.c.id, S.c.text, S.c.pillars, S.c.commitment_id, C.c.relation)
                            .join(C, C.c.id == S.c.commitment_id).where(S.c.document_id == document_id)).all()
        for row in rows:
            if row.relation == relation:
                continue
            others = conn.execute(select(S.c.id).where(S.c.commitment_id == row.commitment_id,
                                                       S.c.document_id != document_id).limit(1)).first()
            if others is None:  # the commitment is this document's alone: it moves with it
                conn.execute(update(C).where(C.c.id == row.commitment_id).values(relation=relation))
                continue
            new_id = store.insert_id(conn, C, {"text": row.text, "pillars": sorted(row.pillars), "status": "announced",
                                               "created_at": store.now(), "relation": relation})
            store.move_statement(conn, row.id, new_id)
            conn.execute(insert(t.merge_reasons).values(
                commitment_id=new_id, statement_id=row.id, matched_statement_id=None, rule="parties", score=1.0,
                detail=f"left commitment {row.commitment_id} ({row.relation}) when {who} set the parties of "
                       f"document {document_id} to {relation}"))
            store.refresh_pillars(conn, row.commitment_id)
    return relation


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def transaction_for(engine: Engine) -> AbstractContextManager[Connection]:
    """The ledger's transaction, imported late so that `accord extract` never loads SQLAlchemy's ledger."""
    from accord.ledger import transaction

    return transaction(engine)


# -- tracking -----------------------------------------------------------------

def link_evidence(conn: Connection, doc_id: int, doc: Document, statements: list[Statement],
                  state: KnownState, relation: str | None) -> int:
    """Propose statements of `doc` that report progress as evidence for known commitments of its relation."""
    from sqlalchemy import select

    from accord.ledger import statement_key, tracking
    from accord.ledger import tables as t
    from accord.resolve import Candidate, content_words, core_text
    from accord.resolve.embed import embed
    from accord.extract.document import canonical_place
    from accord.track.evidence import link, progress_cue

    found = [(s, cue) for s in statements if (cue := progress_cue(s.text, s.type, s.confidence)) is not None]
    same_relation = [c for c in state.commitments.values() if c.relation == relation]
    if not found or not same_relation or relation is None:
        return 0
    cores = [core_text(s.text, None, [m.text for m in s.mentions if m.kind in ("place", "person")])
             for s, _ in found]
    reports = [(Candidate(key=statement_key(doc.sha256, s.start, s.end), document=doc.sha256, text=s.text,
                          pillars=frozenset(s.pillars), targets=frozenset((tg.metric, tg.unit) for tg in s.targets),
                          entities=frozenset(m.text for m in s.mentions if m.kind in ("project", "instrument")),
                          words=content_words(core), vector=vector,
                          parties=frozenset(canonical_place(a.name) for a in s.actors)), cue)
               for (s, cue), core, vector in zip(found, cores, embed(cores))]
    links = link(reports, same_relation)
    ids = {(r.start, r.end): r.id for r in conn.execute(
        select(t.statements.c.id, t.statements.c.start, t.statements.c.end).where(t.statements.c.document_id == doc_id))}
    tracking.add_candidates(conn, [{
        "commitment_id": lk.commitment, "statement_id": ids[_offsets(lk.key)],
        "suggested": lk.status, "stage": lk.stage, "score": lk.score, "reason": lk.reason,
    } for lk in links])
    return len(links)


def record_status(engine: Engine, commitment_id: int, value: str, evidence: str, *, field: str = "status",
                  source: str | None = None, observed: date | None = None, by: str | None = None) -> int:
    """A person's status (or stage) change: validated, appended, superseding the entry in force."""
    from accord.ledger import tracking
    from accord.track import current, validate

    with transaction_for(engine) as conn:
        validate(field, value, evidence, _stage_kind(conn, commitment_id))
        in_force = current(tracking.history(conn, commitment_id), field)
        return tracking.append_change(
            conn, commitment_id, field, value, evidence, observed=observed or date.today(), origin="reviewed",
            source=source, by=by, supersedes=in_force["id"] if in_force else None)


def decide_evidence(engine: Engine, candidate_id: int, accept: bool, by: str | None = None) -> dict[str, object]:
    """Accept (a reviewed status change citing the statement) or reject an evidence candidate."""
    from accord.ledger import tracking
    from accord.ledger.store import NotFound
    from accord.track import current

    with transaction_for(engine) as conn:
        c = tracking.candidate(conn, candidate_id)
        if c["state"] != "pending":
            raise NotFound(f"evidence candidate {candidate_id} was already {c['state']}")
        tracking.decide_candidate(conn, candidate_id, "accepted" if accept else "rejected", by)
        if accept:
            observed = c["published"] or date.today()
            for field, value in (("status", c["suggested"]), ("stage", c["stage"])):
                if value is None:
                    continue
                in_force = current(tracking.history(conn, c["commitment_id"]), field)
                tracking.append_change(conn, c["commitment_id"], field, value, c["evidence"], observed=observed,
                                       origin="reviewed", source=f"document:{c['document']}",
                                       statement_id=c["statement_id"], by=by,
                                       supersedes=in_force["id"] if in_force else None)
        return c


def import_observations(engine: Engine, path: Path) -> int:
    """Observations from CSV (indicator, period, value, source[, unit, frequency]), all or nothing."""
    import csv
    from decimal import Decimal, InvalidOperation

    from accord.errors import InputError
    from accord.ledger import tracking

    if not path.exists():
        raise InputNotFound(f"{path}: no such file")
    added = 0
    with path.open(encoding="utf-8", newline="") as f, transaction_for(engine) as conn:
        reader = csv.DictReader(f)
        missing = {"indicator", "period", "value", "source"} - set(reader.fieldnames or [])
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        touched: set[int] = set()
        for n, row in enumerate(reader, start=2):
            try:
                value = Decimal(row["value"].replace(",", "").strip())
                period = period_end(row["period"].strip())
            except (InvalidOperation, ValueError):
                raise InputError(f"{path}:{n}: bad value or period ({row['value']!r}, {row['period']!r})") from None
            indicator = tracking.add_indicator(conn, row["indicator"].strip(), (row.get("unit") or "").strip() or "USD",
                                               (row.get("frequency") or "").strip() or "yearly", None)
            added += tracking.add_observation(conn, indicator, period, float(value), row["source"].strip())
            touched.add(indicator)
        suggest_from_indicators(conn, touched)
    return added


def suggest_from_indicators(conn: Connection, indicators: set[int]) -> None:
    """Automatic statuses from indicators linked to targets: reached → fulfilled, moving → in_progress.
    Appended only when they change; a reviewed status is never overridden (it wins on read)."""
    from decimal import Decimal

    from accord.ledger import tracking
    from accord.ledger import tables as t
    from accord.track import parse_deadline, target_progress
    from sqlalchemy import select

    links = tracking.target_links(conn)
    for target_id, indicator in links.items():
        if indicator not in indicators:
            continue
        row = conn.execute(select(t.targets.c.value, t.targets.c.deadline, t.statements.c.commitment_id)
                           .join(t.statements, t.statements.c.id == t.targets.c.statement_id)
                           .where(t.targets.c.id == target_id)).first()
        if row is None or row.commitment_id is None:
            continue
        series = tracking.observations(conn, indicator)
        p = target_progress(Decimal(repr(row.value)), series, parse_deadline(row.deadline), date.today())
        if p.percent is None or p.latest_period is None:
            continue
        value = "fulfilled" if p.percent >= 100 else "in_progress"
        automatic = [h for h in tracking.history(conn, row.commitment_id)
                     if h["origin"] == "automatic" and h["field"] == "status"]
        if automatic and automatic[-1]["value"] == value:
            continue
        tracking.append_change(conn, row.commitment_id, "status", value,
                               f"indicator at {p.latest} ({p.percent}% of {p.target}) for {p.latest_period}",
                               observed=p.latest_period, origin="automatic", source=f"indicator:{indicator}",
                               supersedes=automatic[-1]["id"] if automatic else None)


def _offsets(key: str) -> tuple[int, int]:
    _sha, start, end = key.rsplit(":", 2)
    return int(start), int(end)


def period_end(text: str) -> date:
    """'2025' → 2025-12-31, '2025-06' → 2025-06-30, '2025-06-15' → itself."""
    import calendar

    parts = text.split("-")
    if len(parts) == 1:
        return date(int(parts[0]), 12, 31)
    if len(parts) == 2:
        year, month = int(parts[0]), int(parts[1])
        return date(year, month, calendar.monthrange(year, month)[1])
    return date.fromisoformat(text)


def _stage_kind(conn: Connection, commitment_id: int) -> str:
    from sqlalchemy import select

    from accord.ledger import tables as t

    kinds = {r[0] for r in conn.execute(select(t.mentions.c.kind).join(
        t.statements, t.statements.c.id == t.mentions.c.statement_id).where(
        t.statements.c.commitment_id == commitment_id))}
    return "instrument" if "instrument" in kinds and "project" not in kinds else "project"
