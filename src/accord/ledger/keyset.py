"""Keyset pages of the commitments list: the next LIMIT ids after a cursor, through one index per filter.

A page never skips rows with OFFSET: it asks for ids after (or, newest first, before) the last id the
previous page showed, so page 10,000 costs what page 1 does. Each filter has its own index that holds
its rows in id order (revision 0006): pillar → commitment_pillars' primary key (pillar, commitment_id),
status → (status, id), relation → (relation, id); none → the primary key. A cursor is opaque to callers:
the order it belongs to and the last id, as URL-safe base64 of a small JSON object, checked on the way in.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from accord.errors import InputError
from accord.ledger import tables as t

C, P = t.commitments, t.commitment_pillars
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
    """How many commitments the filters keep, counted on the same index a page walks."""
    query, _column = _ids(filters, matching)
    return int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())
