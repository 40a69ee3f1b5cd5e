"""Occasions: the documents of one relation about one meeting.

Two reports of one state visit, a joint statement and the readout of the same
talks: one occasion. A document joins the occasion of its relation whose date
is within `OCCASION_DAYS` of its own, or that names the same visit or summit
(an event of the gazetteer in its lead) when one of the two is undated or
their dates are within `EVENT_DAYS` (a summit of the same name a year later
is another occasion). An undated document that names no event is an occasion
of its own until a person dates it. An occasion's date is its earliest
document's.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select, update

from accord.ledger import tables as t
from accord.ledger.store import insert_id, now

OCCASION_DAYS = 3
EVENT_DAYS = 30


def assign(conn: Connection, relation: str | None, published: date | None, name: str | None,
           event: str | None = None) -> int:
    """The id of the occasion a document of `relation` dated `published` reports (created when new)."""
    key = relation or ""
    rows = conn.execute(select(t.occasions.c.id, t.occasions.c.date, t.occasions.c.event)
                        .where(t.occasions.c.relation == key)).all()
    found: list[tuple[int, int]] = []  # (distance, id)
    for r in rows:
        days = abs((r.date - published).days) if r.date is not None and published is not None else None
        if days is not None and days <= OCCASION_DAYS:
            found.append((days, r.id))
        elif event and r.event and r.event.casefold() == event.casefold() and (days is None or days <= EVENT_DAYS):
            found.append((days if days is not None else EVENT_DAYS + 1, r.id))
    if not found:
        return insert_id(conn, t.occasions, {"relation": key, "name": name, "event": event, "date": published,
                                             "created_at": now()})
    _, occasion_id = min(found)
    current = next(r for r in rows if r.id == occasion_id)
    changes: dict[str, object] = {}
    if published is not None and (current.date is None or published < current.date):
        changes["date"] = published
    if event and not current.event:
        changes["event"] = event
    if changes:
        conn.execute(update(t.occasions).where(t.occasions.c.id == occasion_id).values(**changes))
    return int(occasion_id)


def prune(conn: Connection) -> None:
    """Occasions no document reports any more (after a person moved one) are removed."""
    used = select(t.documents.c.occasion_id).where(t.documents.c.occasion_id.is_not(None))
    conn.execute(t.occasions.delete().where(t.occasions.c.id.not_in(used)))
