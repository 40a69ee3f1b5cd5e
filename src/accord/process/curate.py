"""A person's corrections: merging two commitments, splitting a statement out, a document's parties."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date

from sqlalchemy import Connection, Engine


def transaction_for(engine: Engine) -> AbstractContextManager[Connection]:
    """The ledger's write transaction, which holds the ledger-wide write lock, so a person's correction
    and an ingest run take turns; imported late so that `accord extract` never loads SQLAlchemy's ledger."""
    from accord.ledger import transaction

    return transaction(engine)


def merge_commitments(engine: Engine, keep: int, other: int, by: str | None = None) -> int:
    """A person's merge: every statement of `other` joins `keep`; the decision is recorded."""
    from accord.ledger import curation

    with transaction_for(engine) as conn:
        curation.merge(conn, keep, other, by)
    return keep


def split_statement(engine: Engine, commitment_id: int, statement_id: int, by: str | None = None) -> int:
    """A person's split: the statement leaves the commitment for a new one of its own; recorded."""
    from accord.ledger import curation

    with transaction_for(engine) as conn:
        return curation.split(conn, commitment_id, statement_id, by)


def set_document_parties(engine: Engine, document_id: int, codes: list[str], by: str | None = None) -> str | None:
    """A person's correction of a document's parties; returns the new relation.

    The document moves to an occasion of its new relation; a commitment statement whose commitment
    belongs to another relation leaves it for a commitment of its own (a commitment of this document
    alone moves with it), recorded as a merge reason, so no commitment ever spans two relations.
    """
    from accord.errors import InputError
    from accord.ledger import curation, occasions, queries, store
    from accord.model import relation_key
    from accord.process.ingest import LEAD_CHARS
    from accord.resolve.parties import party

    parties: list[dict[str, str]] = []
    for code in codes:
        found = party(code)
        if found is None:
            raise InputError(f"unknown party {code.strip()!r}: give ISO 3166-1 alpha-3 codes or a bloc's acronym "
                             "(VNM,LAO; ASEAN)")
        if all(p["code"] != found.code for p in parties):
            parties.append({"code": found.code, "name": found.name})
    if not parties:
        raise InputError("no parties given: name at least one, e.g. VNM,LAO")
    parties.sort(key=lambda p: p["code"])
    relation = relation_key([p["code"] for p in parties])
    with transaction_for(engine) as conn:
        docs = queries.documents(conn, ids=[document_id])
        if not docs:
            raise store.NotFound(f"no document {document_id}")
        doc = docs[0]
        occasion = occasions.assign(conn, relation, _as_date(doc["published"]), doc["title"],
                                    queries.lead_event(conn, document_id, LEAD_CHARS))
        curation.set_parties(conn, document_id, parties, relation, occasion, by or "a person")
        occasions.prune(conn)
    return relation


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
