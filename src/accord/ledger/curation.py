"""People's corrections as rows: merges, splits and parties, each inside the caller's transaction.

Every decision is recorded by statement key (`decisions`) and explained (`merge_reasons`), so it
outlives any rebuild of the grouping and `accord show` can say who did what.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from accord.errors import InputError
from accord.ledger import queries, store
from accord.ledger import tables as t


def merge(conn: Connection, keep: int, other: int, by: str | None) -> None:
    """Every statement of commitment `other` joins `keep`; the decision is recorded."""
    if keep == other:
        raise store.NotFound(f"cannot merge commitment {keep} with itself")
    kept, moved = queries.members(conn, keep), queries.members(conn, other)
    if not kept:
        raise store.NotFound(f"no commitment {keep}")
    if not moved:
        raise store.NotFound(f"no commitment {other}")
    # The status history is append-only (triggers refuse to move a row), so the commitment that
    # disappears must have none: the one with a history is the one to keep.
    if conn.execute(select(t.status_changes.c.id).where(t.status_changes.c.commitment_id == other)
                    .limit(1)).first() is not None:
        keeps_history = conn.execute(select(t.status_changes.c.id).where(
            t.status_changes.c.commitment_id == keep).limit(1)).first() is not None
        raise InputError(
            f"commitment {other} has a status history, which is never rewritten: "
            + ("both have one, so they stay apart" if keeps_history else f"merge it the other way, {other} {keep}"))
    anchor = kept[0]
    for m in moved:
        store.record_decision(conn, "together", anchor["key"], m["key"], by)
        store.move_statement(conn, m["id"], keep)
        conn.execute(insert(t.merge_reasons).values(
            commitment_id=keep, statement_id=m["id"], matched_statement_id=anchor["id"], rule="decision",
            score=1.0, detail=f"merged by {by or 'a person'} from commitment {other}"))
    conn.execute(update(t.merge_reasons).where(t.merge_reasons.c.commitment_id == other).values(commitment_id=keep))
    # Its evidence candidates go with it, but for a statement already proposed for `keep`.
    EC = t.evidence_candidates
    proposed = select(EC.c.statement_id).where(EC.c.commitment_id == keep).scalar_subquery()
    conn.execute(delete(EC).where(EC.c.commitment_id == other, EC.c.statement_id.in_(proposed)))
    conn.execute(update(EC).where(EC.c.commitment_id == other).values(commitment_id=keep))
    conn.execute(delete(t.commitments).where(t.commitments.c.id == other))
    store.refresh_pillars(conn, keep)


def split(conn: Connection, commitment_id: int, statement_id: int, by: str | None) -> int:
    """The statement leaves the commitment for a new one of its own (same relation); recorded."""
    current = queries.members(conn, commitment_id)
    if not current:
        raise store.NotFound(f"no commitment {commitment_id}")
    leaving = next((m for m in current if m["id"] == statement_id), None)
    if leaving is None:
        raise store.NotFound(f"statement {statement_id} is not a source of commitment {commitment_id}")
    if len(current) == 1:
        raise store.NotFound(f"statement {statement_id} is the only source of commitment {commitment_id}")
    row = queries.statement_row(conn, statement_id)
    new_id = _new_commitment(conn, row["text"], row["pillars"], queries.commitment_relation(conn, commitment_id))
    for m in current:
        if m["id"] != statement_id:
            store.record_decision(conn, "apart", leaving["key"], m["key"], by)
    store.move_statement(conn, statement_id, new_id)
    _reason(conn, new_id, statement_id, f"split by {by or 'a person'} from commitment {commitment_id}")
    store.refresh_pillars(conn, commitment_id)
    store.refresh_pillars(conn, new_id)
    return new_id


def set_parties(conn: Connection, document_id: int, parties: list[dict[str, str]], relation: str | None,
                occasion: int, who: str) -> None:
    """A document's parties as a person gives them. Its commitment statements follow its relation: a
    commitment of this document alone moves with it, a statement of a commitment with other documents
    leaves it for one of its own, so no commitment ever spans two relations."""
    conn.execute(update(t.documents).where(t.documents.c.id == document_id).values(
        parties=parties, relation=relation, parties_confidence=1.0, parties_evidence=f"set by {who}",
        parties_by=who, occasion_id=occasion))
    for row in queries.commitment_statements_of(conn, document_id):
        if row["relation"] == relation:
            continue
        if not queries.has_other_documents(conn, row["commitment_id"], document_id):
            conn.execute(update(t.commitments).where(t.commitments.c.id == row["commitment_id"])
                         .values(relation=relation))
            continue
        new_id = _new_commitment(conn, row["text"], row["pillars"], relation)
        store.move_statement(conn, row["id"], new_id)
        _reason(conn, new_id, row["id"], f"left commitment {row['commitment_id']} ({row['relation']}) when {who} "
                                         f"set the parties of document {document_id} to {relation}", rule="parties")
        store.refresh_pillars(conn, row["commitment_id"])


def _new_commitment(conn: Connection, text: str, pillars: Any, relation: str | None) -> int:
    return store.insert_id(conn, t.commitments, {"text": text, "pillars": sorted(pillars), "status": "announced",
                                                 "created_at": store.now(), "relation": relation})


def _reason(conn: Connection, commitment_id: int, statement_id: int, detail: str, rule: str = "decision") -> None:
    conn.execute(insert(t.merge_reasons).values(commitment_id=commitment_id, statement_id=statement_id,
                                                matched_statement_id=None, rule=rule, score=1.0, detail=detail))
