"""The read queries every skin shares (CLI, Python API, later the REST API).

Each returns plain dicts in the shapes of the `--format json` contract.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, or_, select

from accord.ledger import tables as t
from accord.ledger.store import NotFound
from accord.model import StatementKey

S, D, C, M, E, T = t.statements, t.documents, t.commitments, t.mentions, t.entities, t.targets


def documents(conn: Connection, ids: list[int] | None = None, relation: str | None = None) -> list[dict[str, Any]]:
    """Documents (all, those with `ids`, or of one relation) with their parties, occasion and statement counts."""
    counts = select(S.c.document_id, func.count().label("n")).group_by(S.c.document_id).subquery()
    O = t.occasions
    query = (select(D.c.id, D.c.title, D.c.outlet, D.c.published, D.c.place, D.c.language, D.c.sha256,
                    D.c.source, D.c.format, D.c.words, D.c.ingested_at, D.c.parties, D.c.relation,
                    D.c.parties_confidence, D.c.parties_evidence, D.c.parties_by,
                    D.c.occasion_id.label("occasion"), O.c.date.label("occasion_date"),
                    func.coalesce(counts.c.n, 0).label("statements"))
             .outerjoin(counts, counts.c.document_id == D.c.id).outerjoin(O, O.c.id == D.c.occasion_id)
             .order_by(D.c.id))
    if ids is not None:
        query = query.where(D.c.id.in_(ids))
    if relation is not None:
        query = query.where(D.c.relation == relation)
    out = [_plain(dict(r._mapping)) for r in conn.execute(query)]
    for d in out:
        d["parties"] = list(d["parties"] or [])
    return out


def commitment_relation(conn: Connection, commitment_id: int) -> str | None:
    row = conn.execute(select(C.c.relation).where(C.c.id == commitment_id)).first()
    if row is None:
        raise NotFound(f"no commitment {commitment_id}")
    return None if row[0] is None else str(row[0])


def document_text(conn: Connection, document_id: int) -> str:
    row = conn.execute(select(D.c.text).where(D.c.id == document_id)).first()
    if row is None:
        raise NotFound(f"no document {document_id}")
    return str(row[0])


def commitments(conn: Connection, pillar: str | None = None, actor: str | None = None,
                since: date | None = None, ids: list[int] | None = None,
                relation: str | None = None) -> list[dict[str, Any]]:
    """Commitments with their relation, sources, occasions and targets, oldest first.

    `times_reaffirmed` counts the later occasions among the sources (two outlets reporting one visit
    are one occasion); `first_pledged` is the earliest dated occasion's date, None when all are undated.
    A target stated by several sources is listed once (same metric, value and unit), with every source.
    """
    O = t.occasions
    query = (select(C.c.id, C.c.text, C.c.pillars, C.c.status, C.c.relation, S.c.id.label("statement_id"),
                    S.c.start, S.c.end, S.c.text.label("source_text"), S.c.actors,
                    S.c.pillars.label("statement_pillars"), D.c.id.label("document"), D.c.title, D.c.published,
                    D.c.ingested_at, D.c.outlet, D.c.parties, D.c.occasion_id, O.c.date.label("occasion_date"))
             .join(S, S.c.commitment_id == C.c.id).join(D, D.c.id == S.c.document_id)
             .outerjoin(O, O.c.id == D.c.occasion_id)
             .order_by(C.c.id, D.c.published, D.c.id))
    if ids is not None:
        query = query.where(C.c.id.in_(ids))
    if relation is not None:
        query = query.where(C.c.relation == relation)
    grouped: dict[int, dict[str, Any]] = {}
    statement_ids: list[int] = []
    occasions: dict[int, dict[int, date | None]] = defaultdict(dict)
    for r in conn.execute(query):
        item = grouped.setdefault(r.id, {"id": r.id, "text": r.text, "pillars": list(r.pillars), "status": r.status,
                                         "relation": r.relation, "parties": [], "actors": [], "sources": [],
                                         "targets": []})
        for p in r.parties or []:
            if p not in item["parties"]:
                item["parties"].append(p)
        seen = r.published or r.ingested_at.date()
        item["sources"].append({"statement": r.statement_id, "document": r.document, "title": r.title,
                                "outlet": r.outlet, "published": _iso(r.published), "seen": seen,
                                "occasion": r.occasion_id, "start": r.start, "end": r.end, "text": r.source_text})
        occasions[r.id][r.occasion_id if r.occasion_id is not None else -r.document] = r.occasion_date or r.published
        for a in r.actors:
            name = a.get("entity") or a["name"]
            if name not in item["actors"]:
                item["actors"].append(name)
        statement_ids.append(r.statement_id)
    by_key: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in conn.execute(select(T, S.c.commitment_id).join(S, S.c.id == T.c.statement_id)
                            .where(S.c.id.in_(statement_ids)).order_by(T.c.id)):
        key = (row.commitment_id, row.metric, round(float(row.value), 6), row.unit)
        source = {"statement": row.statement_id, "start": row.start, "end": row.end}
        if key in by_key:  # the same target restated by another source: listed once, every source kept
            known = by_key[key]
            known["sources"].append(source)
            if known["deadline"] is None and row.deadline is not None:
                known["deadline"] = row.deadline
            continue
        by_key[key] = {
            "id": row.id, "metric": row.metric, "value": _number(row.value), "unit": row.unit,
            "deadline": row.deadline, "statement": row.statement_id, "start": row.start, "end": row.end,
            "sources": [source],
        }
        grouped[row.commitment_id]["targets"].append(by_key[key])
    out = []
    for item in grouped.values():
        seen = [s.pop("seen") for s in item["sources"]]
        item["first_seen"], item["last_seen"] = _iso(min(seen)), _iso(max(seen))
        item["documents"] = len({s["document"] for s in item["sources"]})
        dates = [d for d in occasions[item["id"]].values() if d is not None]
        item["occasions"] = len(occasions[item["id"]])
        item["times_reaffirmed"] = item["occasions"] - 1
        item["first_pledged"] = _iso(min(dates)) if dates else None
        if pillar and pillar not in item["pillars"]:
            continue
        if actor and not any(actor.casefold() in a.casefold() for a in item["actors"]):
            continue
        if since and max(seen) < since:
            continue
        out.append(item)
    return out


def commitment(conn: Connection, commitment_id: int) -> dict[str, Any]:
    """One commitment with each source's document, date, offsets, and the merge reasons."""
    found = commitments(conn, ids=[commitment_id])
    if not found:
        raise NotFound(f"no commitment {commitment_id}")
    item = found[0]
    R = t.merge_reasons
    reasons = [dict(r._mapping) for r in conn.execute(select(R).where(R.c.commitment_id == commitment_id)
                                                      .order_by(R.c.id))]
    ids = {r["statement_id"] for r in reasons} | {r["matched_statement_id"] for r in reasons} - {None}
    said = {r.id: (r.text, r.relation, r.document_id) for r in conn.execute(
        select(S.c.id, S.c.text, S.c.document_id, D.c.relation).join(D, D.c.id == S.c.document_id)
        .where(S.c.id.in_(ids)))}
    item["reasons"] = []
    for r in reasons:
        own = said.get(r["statement_id"])
        matched = said.get(r["matched_statement_id"]) if r["matched_statement_id"] is not None else None
        if matched is None:
            check = f"founded the commitment ({own[1] if own else '?'})"
        elif own is not None and own[1] == matched[1]:
            check = f"same relation {own[1]}: documents {own[2]} and {matched[2]}"
        else:
            check = (f"relations differ ({own[1] if own else '?'} and {matched[1]}): "
                     f"{'a person merged them' if r['rule'] == 'decision' else 'not allowed'}")
        item["reasons"].append({"statement": r["statement_id"], "matched": r["matched_statement_id"],
                                "matched_text": matched[0] if matched else None, "rule": r["rule"],
                                "score": r["score"], "detail": r["detail"], "party_check": check})
    return item


def entities(conn: Connection, kind: str | None = None, ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Entities (of `kind`, or with `ids`) with their aliases and mention counts."""
    counts = select(M.c.entity_id, func.count().label("n")).group_by(M.c.entity_id).subquery()
    query = (select(E.c.id, E.c.kind, E.c.name, func.coalesce(counts.c.n, 0).label("mentions"))
             .outerjoin(counts, counts.c.entity_id == E.c.id).order_by(E.c.kind, E.c.name))
    alias_query = select(t.aliases.c.entity_id, t.aliases.c.alias).order_by(t.aliases.c.alias)
    if kind:
        query = query.where(E.c.kind == kind)
    if ids is not None:
        query = query.where(E.c.id.in_(ids))
        alias_query = alias_query.where(t.aliases.c.entity_id.in_(ids))
    aliases: dict[int, list[str]] = defaultdict(list)
    for entity_id, alias in conn.execute(alias_query):
        aliases[entity_id].append(alias)
    return [{"id": r.id, "kind": r.kind, "name": r.name, "mentions": r.mentions,
             "aliases": [a for a in aliases[r.id] if a != r.name]} for r in conn.execute(query)]


def known_commitments(conn: Connection, after: int = 0, upto: int | None = None,
                      relations: Collection[str | None] | None = None) -> list[dict[str, Any]]:
    """Commitment statements with `after` < id <= `upto`, of commitments of `relations` (None: of any
    relation; a None among them: of commitments whose relation is unknown), with what merging needs."""
    query = (select(S.c.id, S.c.commitment_id, S.c.start, S.c.end, S.c.text, S.c.cue, S.c.pillars,
                    S.c.actors, S.c.embedding, D.c.sha256, C.c.relation)
             .join(D, D.c.id == S.c.document_id).join(C, C.c.id == S.c.commitment_id).where(S.c.commitment_id.is_not(None), S.c.id > after)
             .order_by(S.c.id))
    if upto is not None:
        query = query.where(S.c.id <= upto)
    if relations is not None:
        named = [r for r in relations if r is not None]
        of_relations = or_(C.c.relation.in_(named), *([C.c.relation.is_(None)] if None in relations else []))
        if after == 0:
            # A relation read whole: found through its commitments (ix_commitments_relation_id, then
            # ix_statements_commitment_id), not by walking every statement of the ledger in id order.
            query = query.where(S.c.commitment_id.in_(select(C.c.id).where(of_relations).scalar_subquery()))
        else:
            query = query.where(of_relations)  # the statements added since: a short run of ids
    out = [dict(r._mapping) for r in conn.execute(query)]
    ids = [r["id"] for r in out]
    by_statement: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in conn.execute(select(M.c.statement_id, M.c.text, M.c.kind, E.c.name.label("entity"))
                          .outerjoin(E, E.c.id == M.c.entity_id).where(M.c.statement_id.in_(ids))):
        by_statement[m.statement_id].append(dict(m._mapping))
    targets: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for tg in conn.execute(select(T.c.statement_id, T.c.metric, T.c.unit).where(T.c.statement_id.in_(ids))):
        targets[tg.statement_id].add((tg.metric, tg.unit))
    for r in out:
        r["mentions"] = by_statement[r["id"]]
        r["targets"] = targets[r["id"]]
    return out


def decisions(conn: Connection, after: int = 0) -> list[tuple[int, StatementKey, StatementKey, str]]:
    """People's decisions with id > `after`, oldest first: (id, one statement, the other, kind)."""
    D = t.decisions
    return [(int(r.id), StatementKey.parse(r.a_key), StatementKey.parse(r.b_key), r.kind)
            for r in conn.execute(select(D.c.id, D.c.a_key, D.c.b_key, D.c.kind).where(D.c.id > after).order_by(D.c.id))]


def known_aliases(conn: Connection, after: int = 0) -> list[dict[str, Any]]:
    """Aliases with id > `after` and their entities."""
    query = select(t.aliases.c.id, E.c.kind, E.c.name, E.c.key, t.aliases.c.key.label("alias_key")).join(
        t.aliases, t.aliases.c.entity_id == E.c.id).where(t.aliases.c.id > after).order_by(t.aliases.c.id)
    return [dict(r._mapping) for r in conn.execute(query)]


def statement_row(conn: Connection, statement_id: int) -> dict[str, Any]:
    row = conn.execute(select(S, D.c.sha256).join(D, D.c.id == S.c.document_id).where(S.c.id == statement_id)).first()
    if row is None:
        raise NotFound(f"no statement {statement_id}")
    return dict(row._mapping)


def members(conn: Connection, commitment_id: int) -> list[dict[str, Any]]:
    """The statements of a commitment, each with its `key`, oldest first."""
    query = (select(S.c.id, S.c.start, S.c.end, D.c.sha256).join(D, D.c.id == S.c.document_id)
             .where(S.c.commitment_id == commitment_id).order_by(S.c.id))
    return [{**r._mapping, "key": StatementKey(r.sha256, r.start, r.end)} for r in conn.execute(query)]


def statement_ids(conn: Connection, document_id: int) -> dict[tuple[int, int], int]:
    """(start, end) → statement id, for one document."""
    return {(r.start, r.end): r.id for r in conn.execute(
        select(S.c.id, S.c.start, S.c.end).where(S.c.document_id == document_id))}


def mention_kinds(conn: Connection, commitment_id: int) -> set[str]:
    """The kinds of names a commitment's statements mention."""
    return {r[0] for r in conn.execute(select(M.c.kind).join(S, S.c.id == M.c.statement_id)
                                       .where(S.c.commitment_id == commitment_id))}


def lead_event(conn: Connection, document_id: int, within: int) -> str | None:
    """The first visit or summit a document names in its first `within` characters (its entity's name)."""
    row = conn.execute(select(M.c.text, E.c.name).join(S, S.c.id == M.c.statement_id)
                       .outerjoin(E, E.c.id == M.c.entity_id)
                       .where(S.c.document_id == document_id, M.c.kind == "event", M.c.start < within)
                       .order_by(M.c.start).limit(1)).first()
    return None if row is None else str(row.name or row.text)


def held_sources(conn: Connection) -> dict[str, str]:
    """Source → text hash of every document in the ledger."""
    return {str(source): str(sha) for source, sha in conn.execute(select(D.c.source, D.c.sha256))}


def document_hash(conn: Connection, document_id: int | None) -> str | None:
    sha = conn.execute(select(D.c.sha256).where(D.c.id == document_id)).scalar()
    return None if sha is None else str(sha)


def named_projects(conn: Connection, ids: list[int]) -> set[int]:
    """Which of the commitments `ids` name a project."""
    rows = conn.execute(select(S.c.commitment_id).join(M, M.c.statement_id == S.c.id)
                        .where(S.c.commitment_id.in_(ids), M.c.kind == "project").distinct())
    return {r[0] for r in rows}


def date_mentions(conn: Connection, ids: list[int]) -> list[tuple[int, str]]:
    """(commitment id, text) of every date its statements mention."""
    rows = conn.execute(select(S.c.commitment_id, M.c.text).join(M, M.c.statement_id == S.c.id)
                        .where(S.c.commitment_id.in_(ids), M.c.kind == "date"))
    return [(int(c), str(text)) for c, text in rows]


def commitment_statements_of(conn: Connection, document_id: int) -> list[dict[str, Any]]:
    """A document's statements that belong to a commitment, with that commitment's relation."""
    rows = conn.execute(select(S.c.id, S.c.text, S.c.pillars, S.c.commitment_id, C.c.relation)
                        .join(C, C.c.id == S.c.commitment_id).where(S.c.document_id == document_id))
    return [dict(r._mapping) for r in rows]


def has_other_documents(conn: Connection, commitment_id: int, document_id: int) -> bool:
    """Does the commitment have a statement from a document other than `document_id`?"""
    return conn.execute(select(S.c.id).where(S.c.commitment_id == commitment_id,
                                             S.c.document_id != document_id).limit(1)).first() is not None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (_iso(v) if hasattr(v, "isoformat") else v) for k, v in row.items()}


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value



def document(conn: Connection, document_id: int) -> dict[str, Any]:
    """A document with its text and every statement, mention and target, for reading it whole."""
    found = documents(conn, ids=[document_id])
    if not found:
        raise NotFound(f"no document {document_id}")
    item = found[0]
    item["text"] = document_text(conn, document_id)
    item["statements"] = statements(conn, document=document_id, limit=100_000)
    return item


def statements(conn: Connection, document: int | None = None, type_: str | None = None, pillar: str | None = None,
               limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Statements with their mentions and targets, in document order."""
    query = (select(S.c.id, S.c.document_id.label("document"), S.c.start, S.c.end, S.c.text, S.c.type,
                    S.c.confidence, S.c.cue, S.c.pillars, S.c.actors, S.c.commitment_id.label("commitment"))
             .order_by(S.c.document_id, S.c.seq))
    if document is not None:
        query = query.where(S.c.document_id == document)
    if type_ is not None:
        query = query.where(S.c.type == type_)
    rows = [dict(r._mapping) for r in conn.execute(query)]
    if pillar is not None:
        rows = [r for r in rows if pillar in r["pillars"]]
    rows = rows[offset : offset + limit]
    ids = [r["id"] for r in rows]
    mentions_by: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in conn.execute(select(M.c.statement_id, M.c.start, M.c.end, M.c.text, M.c.kind, M.c.entity_id)
                          .where(M.c.statement_id.in_(ids)).order_by(M.c.start)):
        mentions_by[m.statement_id].append({"start": m.start, "end": m.end, "text": m.text, "kind": m.kind,
                                            "entity": m.entity_id})
    targets_by: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for tg in conn.execute(select(T).where(T.c.statement_id.in_(ids))):
        targets_by[tg.statement_id].append({"id": tg.id, "metric": tg.metric, "value": _number(tg.value),
                                            "unit": tg.unit, "deadline": tg.deadline, "start": tg.start,
                                            "end": tg.end})
    for r in rows:
        r["actors"] = [a.get("entity") or a["name"] for a in r["actors"]]
        r["mentions"] = mentions_by[r["id"]]
        r["targets"] = targets_by[r["id"]]
    return rows


def count_statements(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(S)).scalar_one())


def entity(conn: Connection, entity_id: int) -> dict[str, Any]:
    """An entity, its aliases, and the statements and commitments that name it."""
    found = entities(conn, ids=[entity_id])
    if not found:
        raise NotFound(f"no entity {entity_id}")
    item = found[0]
    rows = conn.execute(select(S.c.id, S.c.text, S.c.type, S.c.start, S.c.end, S.c.commitment_id, D.c.id.label("doc"),
                               D.c.title, D.c.published)
                        .join(M, M.c.statement_id == S.c.id).join(D, D.c.id == S.c.document_id)
                        .where(M.c.entity_id == entity_id).distinct().order_by(D.c.published, S.c.id))
    item["statements"] = [{"id": r.id, "text": r.text, "type": r.type, "start": r.start, "end": r.end,
                           "commitment": r.commitment_id, "document": r.doc, "title": r.title,
                           "published": _iso(r.published)} for r in rows]
    item["commitments"] = sorted({s["commitment"] for s in item["statements"] if s["commitment"] is not None})
    return item


def actor_choices(conn: Connection) -> list[str]:
    """Names an actor filter may be given: every person, organization and place the ledger knows (the
    names its statements' actors resolve to), read from the small entities table, not every statement."""
    names = conn.execute(select(E.c.name).where(E.c.kind.in_(("person", "organization", "place"))).distinct())
    return sorted((str(n) for (n,) in names), key=str.casefold)


def relations(conn: Connection, relation: str | None = None) -> list[dict[str, Any]]:
    """Every relation of the ledger (or just `relation`): its parties, documents, occasions, commitments, dates."""
    out: dict[str, dict[str, Any]] = {}
    query = select(D.c.id, D.c.relation, D.c.parties, D.c.published, D.c.occasion_id).order_by(D.c.id)
    if relation is not None:
        query = query.where(D.c.relation == relation)
    for r in conn.execute(query):
        key = r.relation or ""
        item = out.setdefault(key, {"relation": r.relation, "parties": [], "documents": 0, "occasions": set(),
                                    "commitments": 0, "first": None, "last": None})
        for p in r.parties or []:
            if p not in item["parties"]:
                item["parties"].append(p)
        item["documents"] += 1
        item["occasions"].add(r.occasion_id if r.occasion_id is not None else -r.id)
        if r.published is not None:
            item["first"] = min(item["first"] or r.published, r.published)
            item["last"] = max(item["last"] or r.published, r.published)
    for relation, n in conn.execute(select(C.c.relation, func.count()).group_by(C.c.relation)):
        if (relation or "") in out:
            out[relation or ""]["commitments"] = int(n)
    rows = []
    for item in out.values():
        item["occasions"] = len(item["occasions"])
        item["parties"].sort(key=lambda p: p["code"])
        item["first"], item["last"] = _iso(item["first"]), _iso(item["last"])
        rows.append(item)
    return sorted(rows, key=lambda i: (i["relation"] is None, i["relation"] or ""))


def occasions(conn: Connection, relation: str) -> list[dict[str, Any]]:
    """The occasions of one relation, oldest first (undated last), each with its documents."""
    O = t.occasions
    found: dict[int, dict[str, Any]] = {}
    query = (select(O.c.id, O.c.name, O.c.date, D.c.id.label("document"), D.c.title, D.c.outlet, D.c.published)
             .join(D, D.c.occasion_id == O.c.id).where(O.c.relation == relation).order_by(O.c.id, D.c.id))
    for r in conn.execute(query):
        item = found.setdefault(r.id, {"id": r.id, "name": r.name, "date": _iso(r.date), "documents": []})
        item["documents"].append({"id": r.document, "title": r.title, "outlet": r.outlet,
                                  "published": _iso(r.published)})
    return sorted(found.values(), key=lambda o: (o["date"] is None, o["date"] or "", o["id"]))


def changes(conn: Connection, relation: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """What changed most recently, newest first: commitments founded and status or stage changes recorded
    (of one relation, or the whole ledger) — what a feed reader follows."""
    H = t.status_changes
    founded = select(C.c.id, C.c.text, C.c.relation, C.c.created_at).order_by(C.c.created_at.desc(), C.c.id.desc())
    recorded = (select(H.c.id, H.c.commitment_id, H.c.field, H.c.value, H.c.evidence, H.c.source, H.c.by,
                       H.c.origin, H.c.statement_id, H.c.observed, H.c.recorded_at, C.c.text, C.c.relation)
                .join(C, C.c.id == H.c.commitment_id).order_by(H.c.recorded_at.desc(), H.c.id.desc()))
    if relation is not None:
        founded, recorded = founded.where(C.c.relation == relation), recorded.where(C.c.relation == relation)
    out = [{"kind": "commitment", "commitment": r.id, "text": r.text, "relation": r.relation, "at": r.created_at}
           for r in conn.execute(founded.limit(limit))]
    out += [{"kind": "status", "change": r.id, "commitment": r.commitment_id, "text": r.text,
             "relation": r.relation, "field": r.field, "value": r.value, "evidence": r.evidence, "source": r.source,
             "by": r.by, "origin": r.origin, "reviewed": r.statement_id is not None,
             "observed": _iso(r.observed), "at": r.recorded_at} for r in conn.execute(recorded.limit(limit))]
    out.sort(key=lambda c: (c["at"], c["kind"] == "status", c.get("change", 0)), reverse=True)
    return out[:limit]


FACETS = ("pillar", "type", "relation", "year")


def facet_values(hit: dict[str, Any]) -> dict[str, list[str]]:
    """The facet values of one search hit: its pillars, type, relation and year (a hit may have several pillars)."""
    year = (hit.get("published") or "")[:4]
    return {"pillar": list(hit.get("pillars") or []), "type": [hit["type"]],
            "relation": [hit["relation"]] if hit.get("relation") else [], "year": [year] if year else []}


def faceted(hits: list[dict[str, Any]], chosen: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, list[tuple[str, int]]]]:
    """The hits that have every chosen facet value, and per facet the counts of each value among the hits
    that match the other chosen facets (so a count says what choosing that value would give)."""
    values = [facet_values(h) for h in hits]
    kept = [h for h, v in zip(hits, values) if all(chosen[f] in v[f] for f in chosen)]
    counts: dict[str, list[tuple[str, int]]] = {}
    for facet in FACETS:
        others = {f: x for f, x in chosen.items() if f != facet}
        tally: dict[str, int] = defaultdict(int)
        for v in values:
            if all(others[f] in v[f] for f in others):
                for value in v[facet]:
                    tally[value] += 1
        order = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))
        counts[facet] = sorted(order, reverse=True) if facet == "year" else order
    return kept, counts
