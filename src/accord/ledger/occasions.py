"""Occasions: the documents of one relation about one meeting.

Two reports of one state visit, a joint statement and the readout of the same
talks: one occasion. A document joins the occasion of its relation whose date
is within `OCCASION_DAYS` of its own; an undated document is an occasion of its
own until a person dates it. An occasion's date is its earliest document's.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select, update

from accord.ledger import tables as t
from accord.ledger.store import insert_id, now

OCCASION_DAYS = 3


def assign(conn: Connection, relation: str | None, published: date | None, name: str | None) -> int:
    """The id of the occasion a document of `relation` dated `published` reports (created when new)."""
    key = relation or ""
    if published is not None:
        rows = conn.execute(select(t.occasions.c.id, t.occasions.c.date).where(
            t.occasions.c.relation == key, t.occasions.c.date.is_not(None)))
        near = [(abs((r.date - published).days), r.id, r.date) for r in rows
                if abs((r.date - published).days) <= OCCASION_DAYS]
        if near:
            _, occasion_id, when = min(near)
            if published < when:
                conn.execute(update(t.occasions).where(t.occasions.c.id == occasion_id).values(date=published))
            return int(occasion_id)
    return insert_id(conn, t.occasions, {"relation": key, "name": name, "date": published, "created_at": now()})


def prune(conn: Connection) -> None:
    """Occasions no document reports any more (after a person moved one) are removed."""
    used = select(t.documents.c.occasion_id).where(t.documents.c.occasion_id.is_not(None))
    conn.execute(t.occasions.delete().where(t.occasions.c.id.not_in(used)))
