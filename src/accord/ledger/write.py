"""Writing one document and everything read from it, inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, insert, select

from accord.ledger import tables as t
from accord.ledger.store import add_pillars, insert_id, now
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
) -> int:
    """Insert the document and its statements; place commitment statements. Returns the document id."""
    doc_id = insert_id(conn, t.documents, {
        "sha256": doc.sha256, "source": doc.source, "format": doc.format, "title": doc.title,
        "outlet": doc.outlet, "published": doc.published, "place": doc.place, "language": doc.language,
        "words": len(doc.text.split()), "text": doc.text, "raw": doc.raw, "ingested_at": now(),
        "parties": parties.parties, "relation": parties.relation, "parties_confidence": parties.confidence,
        "parties_evidence": parties.evidence, "parties_by": None, "occasion_id": parties.occasion,
    })
    entity_ids: dict[tuple[str, str], int] = {}
    touched: dict[int, set[str]] = {}
    for seq, (statement, statement_refs, statement_actors) in enumerate(zip(statements, refs, actors)):
        key = statement_key(doc.sha256, statement.start, statement.end)
        placement = placements.get(key)
        commitment_id = None
        if placement is not None:
            commitment_id = placement.commitment or insert_id(conn, t.commitments, {
                "text": statement.text, "pillars": sorted(statement.pillars), "status": "announced",
                "created_at": now(), "relation": parties.relation,
            })
            touched.setdefault(commitment_id, set()).update(statement.pillars)
        vector = vectors.get(key)
        statement_id = insert_id(conn, t.statements, {
            "document_id": doc_id, "seq": seq, "start": statement.start, "end": statement.end,
            "text": statement.text, "type": statement.type, "confidence": statement.confidence,
            "cue": statement.cue, "pillars": list(statement.pillars),
            "actors": statement_actors,
            "commitment_id": commitment_id,
            "embedding": vector.astype(np.float32).tobytes() if vector is not None else None,
        })
        mention_rows = []
        for mention, ref in zip(statement.mentions, statement_refs):
            entity_id = _entity_id(conn, ref, entity_ids) if ref is not None else None
            mention_rows.append({"statement_id": statement_id, "start": mention.start, "end": mention.end,
                                 "text": mention.text, "kind": mention.kind, "entity_id": entity_id})
        if mention_rows:
            conn.execute(insert(t.mentions), mention_rows)
        if statement.targets:
            conn.execute(insert(t.targets), [{
                "statement_id": statement_id, "metric": tg.metric, "value": tg.value, "unit": tg.unit,
                "deadline": tg.deadline, "start": tg.start, "end": tg.end,
                "deadline_start": tg.deadline_start, "deadline_end": tg.deadline_end,
            } for tg in statement.targets])
        if placement is not None and commitment_id is not None:
            conn.execute(insert(t.merge_reasons).values(
                commitment_id=commitment_id, statement_id=statement_id,
                matched_statement_id=_statement_id(conn, placement.matched), rule=placement.rule,
                score=placement.score, detail=placement.detail,
            ))
    for commitment_id, pillars in touched.items():
        add_pillars(conn, commitment_id, pillars)
    return doc_id


def _entity_id(conn: Connection, ref: EntityRef, cache: dict[tuple[str, str], int]) -> int:
    """The id of the entity `ref`, created with its aliases when new."""
    ck = (ref.kind, ref.key)
    if ck not in cache:
        row = conn.execute(select(t.entities.c.id).where(t.entities.c.kind == ref.kind,
                                                         t.entities.c.key == ref.key)).first()
        cache[ck] = int(row[0]) if row else insert_id(conn, t.entities, {"kind": ref.kind, "name": ref.name,
                                                                          "key": ref.key})
    entity_id = cache[ck]
    from accord.resolve.entities import alias_key

    existing = {a for (a,) in conn.execute(select(t.aliases.c.alias).where(t.aliases.c.entity_id == entity_id))}
    new = [a for a in {ref.name, *ref.aliases} if a not in existing]
    if new:
        conn.execute(insert(t.aliases), [{"entity_id": entity_id, "alias": a, "key": alias_key(a)} for a in new])
    return entity_id


def _statement_id(conn: Connection, key: StatementKey | None) -> int | None:
    if key is None:
        return None
    row = conn.execute(
        select(t.statements.c.id).join(t.documents, t.documents.c.id == t.statements.c.document_id)
        .where(t.documents.c.sha256 == key.document, t.statements.c.start == key.start,
               t.statements.c.end == key.end)
    ).first()
    return int(row[0]) if row else None


def rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]
