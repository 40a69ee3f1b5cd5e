"""Keyset pages of the commitments list: the next LIMIT ids after a cursor, through one index per filter.

A page never skips rows with OFFSET: it asks for ids after (or, newest first, before) the last id the
previous page showed, so page 10,000 costs what page 1 does. Each filter has its own index that holds
its rows in id order (revision 0006): pillar → commitment_pillars' primary key (pillar, commitment_id),
status → (status, id), relation → (relation, id); none → the primary key. A cursor is opaque to callers:
the order it belongs to and the last id, as URL-safe base64 of a small JSON object, checked on the way in.

The total of a list with at most one of those filters (and no search words) is one row of
`commitment_counts`, kept exact by triggers (revision 0007); any other is counted on the index its
pages walk, which costs what the rows counted cost.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, literal, select, union_all

from accord.errors import InputError
from accord.ledger import tables as t

C, P, K = t.commitments, t.commitment_pillars, t.commitment_counts
ORDERS = ("id", "-id")  # oldest first, newest first: the orders an index gives whatever the filters
MAX_ID = 2**31 - 1  # ids are the schema's Integer: 32 bits on PostgreSQL


class BadCursor(InputError):
    """A cursor this ledger did not give, or one given for another order or list (400 on the web)."""


@dataclass(frozen=True, slots=True)
class Filters:
    """The commitments list's filters that an index answers."""

    pillar: str | None = None
    status: str | None = None
    relation: str | None = None


def encode_cursor(order: str, last_id: int) -> str:
    """The opaque cursor of the page after the one that ended at `last_id`."""
    raw = json.dumps({"o": order, "id": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: str) -> int:
    """The last id of the page before, from a cursor `encode_cursor` gave for `order`; BadCursor otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor("cursor: not a cursor this API gave; start again without one") from None
    if not isinstance(value, dict) or set(value) != {"o", "id"} or value["o"] not in ORDERS:
        raise BadCursor("cursor: not a cursor this API gave; start again without one")
    last = value["id"]
    if type(last) is not int or not 0 <= last <= MAX_ID:
        raise BadCursor("cursor: not a cursor this API gave; start again without one")
    if value["o"] != order:
        raise BadCursor(f"cursor: it pages the list sorted by {value['o']}, not by {order}; "
                        "start again without one")
    return last


def _ids(filters: Filters, matching: Any | None) -> tuple[Any, Any]:
    """The query of the filtered ids (no order, no bounds) and the id column to order and bound them by."""
    if filters.pillar is not None:
        column = P.c.commitment_id
        query = select(column).where(P.c.pillar == filters.pillar)
        if filters.status is not None or filters.relation is not None:
            query = query.join(C, C.c.id == column)
    else:
        column = C.c.id
        query = select(column)
    if filters.status is not None:
        query = query.where(C.c.status == filters.status)
    if filters.relation is not None:
        query = query.where(C.c.relation == filters.relation)
    if matching is not None:
        query = query.where(column.in_(matching))
    return query, column


def commitment_ids(conn: Connection, filters: Filters, *, newest_first: bool = False, after: int | None = None,
                   limit: int | None = 50, offset: int = 0, matching: Any | None = None) -> list[int]:
    """Up to `limit` ids of filtered commitments after the id `after` (newest first: before it). `matching`,
    a subquery of commitment ids (a search's), narrows them further. `offset` serves numbered pages."""
    query, column = _ids(filters, matching)
    if after is not None:
        query = query.where(column < after if newest_first else column > after)
    query = query.order_by(column.desc() if newest_first else column).limit(limit).offset(offset or None)
    return [int(r[0]) for r in conn.execute(query)]


def count_commitments(conn: Connection, filters: Filters, matching: Any | None = None) -> int:
    """How many commitments the filters keep: the kept count of a list with one filter or none, else
    counted on the same index a page walks."""
    kept = _kept(filters) if matching is None else None
    if kept is not None:
        n = conn.execute(select(K.c.n).where(K.c.field == kept[0], K.c.value == kept[1])).scalar()
        return int(n or 0)
    query, _column = _ids(filters, matching)
    return int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def _kept(filters: Filters) -> tuple[str, str] | None:
    """The (field, value) of commitment_counts that holds the total of `filters`; None for two or more."""
    given = [(f, v) for f, v in (("pillar", filters.pillar), ("status", filters.status),
                                 ("relation", filters.relation)) if v is not None]
    if len(given) > 1:
        return None
    return given[0] if given else ("all", "")


def kept_counts(conn: Connection) -> dict[tuple[str, str], int]:
    """commitment_counts as the triggers keep it (lists of no commitment left out)."""
    return {(str(f), str(v)): int(n) for f, v, n in conn.execute(select(K.c.field, K.c.value, K.c.n)) if n}


def fresh_counts(conn: Connection) -> dict[tuple[str, str], int]:
    """What commitment_counts should hold, counted now from the rows (as revision 0007 first filled it)."""
    query = union_all(
        select(literal("all"), literal(""), func.count()).select_from(C),
        select(literal("status"), C.c.status, func.count()).group_by(C.c.status),
        select(literal("relation"), C.c.relation, func.count()).where(C.c.relation.is_not(None))
        .group_by(C.c.relation),
        select(literal("pillar"), P.c.pillar, func.count()).group_by(P.c.pillar))
    return {(str(f), str(v)): int(n) for f, v, n in conn.execute(query) if n}
