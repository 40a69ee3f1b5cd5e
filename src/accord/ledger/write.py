"""Writing one document and everything read from it, inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, insert, select, tuple_

from accord.ledger import tables as t
from accord.ledger.store import add_pillars, chunks, insert_id, now
from accord.model import Document, Statement, StatementKey
from accord.resolve.commitments import Placement
from accord.resolve.entities import EntityRef


def statement_key(sha256: str, start: int, end: int) -> StatementKey:
    """A statement's identity across ledgers and rebuilds: its document and offsets."""
    return StatementKey(sha256, start, end)


@dataclass(frozen=True, slots=True)
class DocumentParties:
    """Who meets, speaks or signs in a document, how sure the reading is, and the occasion it reports."""

    parties: list[dict[str, str]]  # [{"code": "VNM", "name": "Viet Nam"}]
    relation: str | None
    confidence: float
    evidence: str
    occasion: int


def write_document(
    conn: Connection,
    doc: Document,
    statements: list[Statement],
    refs: list[list[EntityRef | None]],
    actors: list[list[dict[str, Any]]],
    vectors: dict[StatementKey, np.ndarray],
    placements: dict[StatementKey, Placement],
    parties: DocumentParties,
    entities: EntityCache | None = None,
) -> int:
    """Insert the document and its statements; place commitment statements. Returns the document id.

    `entities` remembers, across the documents of a run, the ids of the entities met and the aliases
    known to be stored for them, so a name seen before costs no query (empty it if a write fails)."""
    doc_id = insert_id(conn, t.documents, {
        "sha256": doc.sha256, "source": doc.source, "format": doc.format, "title": doc.title,
        "outlet": doc.outlet, "published": doc.published, "place": doc.place, "language": doc.language,
        "words": len(doc.text.split()), "text": doc.text, "raw": doc.raw, "ingested_at": now(),
        "parties": parties.parties, "relation": parties.relation, "parties_confidence": parties.confidence,
        "parties_evidence": parties.evidence, "parties_by": None, "occasion_id": parties.occasion,
    })
    # New commitments, statements, mentions, targets and merge reasons each go in one statement of many
    # rows (ids back in the rows' order), not a round trip a row.
    keys = [statement_key(doc.sha256, s.start, s.end) for s in statements]
    founding = [i for i, key in enumerate(keys) if key in placements and placements[key].commitment is None]
    founded = dict(zip(founding, _insert_many(conn, t.commitments, [{
        "text": statements[i].text, "pillars": sorted(statements[i].pillars), "status": "announced",
        "created_at": now(), "relation": parties.relation,
    } for i in founding])))
    commitment_ids: list[int | None] = []
    touched: dict[int, set[str]] = {}
    for i, (statement, key) in enumerate(zip(statements, keys)):
        placement = placements.get(key)
        commitment_id = None if placement is None else placement.commitment or founded[i]
        if commitment_id is not None:
            touched.setdefault(commitment_id, set()).update(statement.pillars)
        commitment_ids.append(commitment_id)
    statement_ids = _insert_many(conn, t.statements, [{
        "document_id": doc_id, "seq": seq, "start": statement.start, "end": statement.end,
        "text": statement.text, "type": statement.type, "confidence": statement.confidence,
        "cue": statement.cue, "pillars": list(statement.pillars), "actors": statement_actors,
        "commitment_id": commitment_id,
        "embedding": vectors[key].astype(np.float32).tobytes() if key in vectors else None,
    } for seq, (statement, statement_actors, commitment_id, key)
        in enumerate(zip(statements, actors, commitment_ids, keys))])
    entity_ids = _entity_ids(conn, [ref for statement_refs in refs for ref in statement_refs if ref is not None],
                             entities if entities is not None else {})
    mention_rows = [{"statement_id": statement_id, "start": mention.start, "end": mention.end, "text": mention.text,
                     "kind": mention.kind, "entity_id": entity_ids[ref.kind, ref.key] if ref is not None else None}
                    for statement, statement_refs, statement_id in zip(statements, refs, statement_ids)
                    for mention, ref in zip(statement.mentions, statement_refs)]
    if mention_rows:
        conn.execute(insert(t.mentions), mention_rows)
    target_rows = [{
        "statement_id": statement_id, "metric": tg.metric, "value": tg.value, "unit": tg.unit,
        "deadline": tg.deadline, "start": tg.start, "end": tg.end,
        "deadline_start": tg.deadline_start, "deadline_end": tg.deadline_end,
    } for statement, statement_id in zip(statements, statement_ids) for tg in statement.targets]
    if target_rows:
        conn.execute(insert(t.targets), target_rows)
    matched = _statement_ids(conn, [placements[key].matched for key, commitment_id in zip(keys, commitment_ids)
                                    if commitment_id is not None])
    reasons = [{
        "commitment_id": commitment_id, "statement_id": statement_id,
        "matched_statement_id": matched.get(placements[key].matched), "rule": placements[key].rule,
        "score": placements[key].score, "detail": placements[key].detail,
    } for key, statement_id, commitment_id in zip(keys, statement_ids, commitment_ids) if commitment_id is not None]
    if reasons:
        conn.execute(insert(t.merge_reasons), reasons)
    add_pillars(conn, touched)
    return doc_id


def _insert_many(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` in one statement; their new ids, in the rows' order."""
    if not rows:
        return []
    result = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return [int(i) for (i,) in result]


EntityCache = dict[tuple[str, str], tuple[int, set[str]]]  # (kind, key) -> (id, aliases stored)


def _entity_ids(conn: Connection, refs: list[EntityRef], cache: EntityCache) -> dict[tuple[str, str], int]:
    """The id of each entity `refs` name, by (kind, key), created when new; the names each goes by
    stored as its aliases. A document's entities cost at most four statements, whatever their number:
    the stored ones looked up, the new ones inserted, their aliases read and the new aliases inserted
    (each in parts of 500 for a document that names more)."""
    from accord.resolve.entities import alias_key

    names: dict[tuple[str, str], dict[str, None]] = {}  # (kind, key) -> its names, in the order met
    first: dict[tuple[str, str], EntityRef] = {}
    for ref in refs:
        ck = (ref.kind, ref.key)
        first.setdefault(ck, ref)
        names.setdefault(ck, {}).update(dict.fromkeys((ref.name, *ref.aliases)))
    unknown = [ck for ck in names if ck not in cache]
    if unknown:
        e = t.entities
        for chunk in chunks(unknown):
            for entity_id, kind, key in conn.execute(select(e.c.id, e.c.kind, e.c.key)
                                                     .where(tuple_(e.c.kind, e.c.key).in_(chunk))):
                cache[(kind, key)] = (int(entity_id), set())
        new = [ck for ck in unknown if ck not in cache]
        for ck, entity_id in zip(new, _insert_many(conn, e, [{"kind": ck[0], "name": first[ck].name, "key": ck[1]}
                                                             for ck in new])):
            cache[ck] = (entity_id, set())
    # Names not known to be stored: the entity's aliases are read again (another run may have added
    # some), and only the ones still missing are written.
    stale = {cache[ck][0]: ck for ck in names if not names[ck].keys() <= cache[ck][1]}
    if stale:
        a = t.aliases
        for chunk in chunks(list(stale)):
            for entity_id, alias in conn.execute(select(a.c.entity_id, a.c.alias).where(a.c.entity_id.in_(chunk))):
                cache[stale[int(entity_id)]][1].add(alias)
        new_aliases = [(entity_id, name) for entity_id, ck in stale.items() for name in names[ck]
                       if name not in cache[ck][1]]
        if new_aliases:
            conn.execute(insert(a), [{"entity_id": entity_id, "alias": name, "key": alias_key(name)}
                                     for entity_id, name in new_aliases])
            for entity_id, name in new_aliases:
                cache[stale[entity_id]][1].add(name)
    return {ck: cache[ck][0] for ck in names}


def _statement_ids(conn: Connection, keys: list[StatementKey | None]) -> dict[StatementKey | None, int]:
    """The stored ids of the statements `keys` name, in one query (a key not stored has none)."""
    wanted = {k for k in keys if k is not None}
    if not wanted:
        return {}
    S, D = t.statements, t.documents
    rows = conn.execute(select(S.c.id, D.c.sha256, S.c.start, S.c.end).join(D, D.c.id == S.c.document_id)
                        .where(D.c.sha256.in_(sorted({k.document for k in wanted})),
                               S.c.start.in_(sorted({k.start for k in wanted}))))
    found: dict[StatementKey | None, int] = {}
    for statement_id, sha256, start, end in rows:
        key = StatementKey(sha256, start, end)
        if key in wanted:
            found[key] = int(statement_id)
    return found


def rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]
