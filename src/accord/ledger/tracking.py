"""Tracking rows: the append-only status history, evidence candidates, indicators and observations."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from accord.ledger import integrity
from accord.ledger import tables as t
from accord.ledger.store import NotFound, insert_id, now

H, EC, I, O, TI = t.status_changes, t.evidence_candidates, t.indicators, t.observations, t.target_indicators


def history(conn: Connection, commitment_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(H).where(H.c.commitment_id == commitment_id).order_by(H.c.id))
    return [dict(r._mapping) for r in rows]


def histories(conn: Connection, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for r in conn.execute(select(H).where(H.c.commitment_id.in_(ids)).order_by(H.c.id)):
        out[r.commitment_id].append(dict(r._mapping))
    return out


def append_change(conn: Connection, commitment_id: int, field: str, value: str, evidence: str, *,
                  observed: date, origin: str, source: str | None = None, statement_id: int | None = None,
                  by: str | None = None, supersedes: int | None = None) -> int:
    """Append one entry; nothing in the history is ever changed. The entry is chained to the latest
    one by its hash (`integrity.entry_hash`), so `accord check` finds any edit made around the triggers."""
    if conn.execute(select(t.commitments.c.id).where(t.commitments.c.id == commitment_id)).first() is None:
        raise NotFound(f"no commitment {commitment_id}")
    if conn.dialect.name == "postgresql":
        # Two appends reading the same tip would fork the chain: they take turns (reads go on). On
        # SQLite a transaction whose read went stale can't write, so the later append fails instead.
        conn.execute(text("LOCK TABLE status_changes IN SHARE ROW EXCLUSIVE MODE"))
    entry = {
        "commitment_id": commitment_id, "field": field, "value": value, "evidence": evidence, "source": source,
        "statement_id": statement_id, "observed": observed, "by": by, "origin": origin,
        "supersedes": supersedes, "recorded_at": now(),
    }
    prev = integrity.chain_tip(conn)
    return insert_id(conn, H, {**entry, "prev_hash": prev, "hash": integrity.entry_hash(prev, entry)})


def add_candidates(conn: Connection, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        try:
            with conn.begin_nested():
                conn.execute(insert(EC).values(**row, state="pending"))
        except IntegrityError:
            continue  # the same statement already proposed for this commitment


def candidates(conn: Connection, state: str | None = "pending", ids: list[int] | None = None) -> list[dict[str, Any]]:
    S, D, C = t.statements, t.documents, t.commitments
    query = (select(EC, S.c.text.label("evidence"), S.c.start, S.c.end, D.c.id.label("document"), D.c.title,
                    D.c.published, C.c.text.label("commitment_text"))
             .join(S, S.c.id == EC.c.statement_id).join(D, D.c.id == S.c.document_id)
             .join(C, C.c.id == EC.c.commitment_id).order_by(EC.c.id))
    if state:
        query = query.where(EC.c.state == state)
    if ids is not None:
        query = query.where(EC.c.id.in_(ids))
    return [dict(r._mapping) for r in conn.execute(query)]


def candidate(conn: Connection, candidate_id: int) -> dict[str, Any]:
    found = candidates(conn, None, ids=[candidate_id])
    if not found:
        raise NotFound(f"no evidence candidate {candidate_id}")
    return found[0]


def decide_candidate(conn: Connection, candidate_id: int, state: str, by: str | None) -> None:
    conn.execute(update(EC).where(EC.c.id == candidate_id).values(state=state, decided_by=by, decided_at=now()))


def indicator_id(conn: Connection, name: str) -> int:
    row = conn.execute(select(I.c.id).where(I.c.name == name)).first()
    if row is None:
        raise NotFound(f"no indicator {name!r}: add it with `accord indicator add`")
    return int(row[0])


def add_indicator(conn: Connection, name: str, unit: str, frequency: str, description: str | None) -> int:
    existing = conn.execute(select(I.c.id).where(I.c.name == name)).first()
    if existing is not None:
        return int(existing[0])
    return insert_id(conn, I, {"name": name, "unit": unit, "frequency": frequency, "description": description})


def add_observation(conn: Connection, indicator: int, period: date, value: float, source: str) -> bool:
    """False when this period already has this value from this source."""
    try:
        with conn.begin_nested():
            conn.execute(insert(O).values(indicator_id=indicator, period=period, value=value, source=source,
                                          recorded_at=now()))
        return True
    except IntegrityError:
        return False


def indicators(conn: Connection) -> list[dict[str, Any]]:
    return [{**dict(r._mapping), "observations": observation_rows(conn, r.id)}
            for r in conn.execute(select(I).order_by(I.c.name))]


def observation_rows(conn: Connection, indicator: int) -> list[dict[str, Any]]:
    """Every observation of an indicator with its source, by period, then as recorded."""
    return [dict(o._mapping) for o in conn.execute(select(O).where(O.c.indicator_id == indicator)
                                                    .order_by(O.c.period, O.c.id))]


def observations(conn: Connection, indicator: int) -> list[tuple[date, float]]:
    """One value per period: the latest recorded wins when sources disagree."""
    rows = conn.execute(select(O.c.period, O.c.value).where(O.c.indicator_id == indicator).order_by(O.c.id))
    return series_of([dict(r._mapping) for r in rows])


def series_of(rows: list[dict[str, Any]]) -> list[tuple[date, float]]:
    """Observation rows (in the order recorded within each period) as one value per period, by period."""
    latest: dict[date, float] = {}
    for r in rows:
        latest[r["period"]] = r["value"]
    return sorted(latest.items())


def link_target(conn: Connection, target_id: int, indicator: int) -> None:
    if conn.execute(select(t.targets.c.id).where(t.targets.c.id == target_id)).first() is None:
        raise NotFound(f"no target {target_id}")
    existing = conn.execute(select(TI.c.id).where(TI.c.target_id == target_id)).first()
    if existing is None:
        conn.execute(insert(TI).values(target_id=target_id, indicator_id=indicator))
    else:
        conn.execute(update(TI).where(TI.c.target_id == target_id).values(indicator_id=indicator))


def target_links(conn: Connection) -> dict[int, int]:
    return {r.target_id: r.indicator_id for r in conn.execute(select(TI))}


def indicator_units(conn: Connection) -> dict[int, str]:
    return {r.id: r.unit for r in conn.execute(select(I.c.id, I.c.unit))}


def target_row(conn: Connection, target_id: int) -> dict[str, Any] | None:
    """A target's value and deadline with the commitment its statement belongs to."""
    row = conn.execute(select(t.targets.c.value, t.targets.c.deadline, t.statements.c.commitment_id)
                       .join(t.statements, t.statements.c.id == t.targets.c.statement_id)
                       .where(t.targets.c.id == target_id)).first()
    return None if row is None else dict(row._mapping)


def indicator(conn: Connection, indicator_id: int) -> dict[str, Any]:
    row = conn.execute(select(I).where(I.c.id == indicator_id)).first()
    if row is None:
        raise NotFound(f"no indicator {indicator_id} (see /indicators or `accord indicator list`)")
    return dict(row._mapping)


def indicator_names(conn: Connection) -> list[dict[str, Any]]:
    """Id, name and unit of every indicator, by name: the choices when linking a target."""
    return [dict(r._mapping) for r in conn.execute(select(I.c.id, I.c.name, I.c.unit).order_by(I.c.name))]


def linked_targets(conn: Connection, indicator_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Targets tracked by indicators, with the commitment each belongs to, by target id."""
    T, S, C = t.targets, t.statements, t.commitments
    query = (select(TI.c.indicator_id, T.c.id, T.c.metric, T.c.value, T.c.unit, T.c.deadline,
                    S.c.commitment_id.label("commitment"), C.c.text.label("commitment_text"))
             .join(T, T.c.id == TI.c.target_id).join(S, S.c.id == T.c.statement_id)
             .outerjoin(C, C.c.id == S.c.commitment_id).order_by(T.c.id))
    if indicator_ids is not None:
        query = query.where(TI.c.indicator_id.in_(indicator_ids))
    return [dict(r._mapping) for r in conn.execute(query)]
