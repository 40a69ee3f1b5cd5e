"""What merging knows of the ledger, and the statements it compares, new or stored."""

from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any

from sqlalchemy import Connection

from accord.ledger.write import EntityCache
from accord.model import Statement, StatementKey
from accord.resolve.commitments import Decisions, RelationIndex, StatementView
from accord.resolve.entities import EntityRef, EntityResolver


class KnownState:
    """What merging needs to know of the ledger: the commitments of each relation a run has met, loaded
    when it first meets one, then kept up to date by reading only the statements added since.

    Each relation's commitments are held in a `RelationIndex`, so placing a document reads only the
    commitments that share a pillar, a target or a project with its statements.

    A backfill meets relation after relation, so what is held is bounded: `budget` statements (default
    ACCORD_MERGE_BUDGET, else `DEFAULT_BUDGET`; ~6.5 KB each with vectors and keys). Past it, the relations
    met least recently are dropped, never the one being placed; met again, a relation is read again whole
    from the ledger, with its stored vectors, so the ledger is the same whatever the budget.
    """

    def __init__(self, budget: int | None = None) -> None:
        self.budget = budget if budget is not None else merge_budget()
        # each loaded relation's commitments, the one met least recently first
        self.relations: OrderedDict[str | None, RelationIndex] = OrderedDict()
        self.aliases: dict[tuple[str, str], EntityRef] = {}
        self.last_statement = 0  # statements up to this id are loaded, for every loaded relation
        self.last_alias = 0
        self.decided: dict[str | None, int] = {}  # relation -> the last decision its loaded state has seen
        self.decisions = Decisions()  # people's, all of them (they are few, and append-only)
        self.last_decision = 0  # decisions up to this id are in `decisions`
        self.entities: EntityCache = {}  # what the writer knows of stored entities and their aliases

    def of(self, relation: str | None) -> RelationIndex:
        """The loaded commitments of `relation`, indexed for merging and evidence."""
        return self.relations.get(relation) or RelationIndex()

    def refresh(self, conn: Connection, relation: str | None = None) -> None:
        """Read what is new: people's decisions, aliases, statements of the loaded relations, and
        `relation` whole the first time it is asked for."""
        from accord.ledger import queries, store

        for decision, a, b, kind in queries.decisions(conn, after=self.last_decision):
            self.decisions.record(a, b, kind)
            self.last_decision = decision
        for r in queries.known_aliases(conn, after=self.last_alias):
            self.aliases.setdefault((r["kind"], r["alias_key"]), EntityRef(r["kind"], r["name"], r["key"]))
            self.last_alias = r["id"]
        upto = store.last_statement_id(conn)
        if self.relations:
            self._add(queries.known_commitments(conn, after=self.last_statement, upto=upto,
                                                relations=list(self.relations)))
        if relation not in self.relations:
            self.relations[relation] = RelationIndex()
            self._add(queries.known_commitments(conn, upto=upto, relations=[relation]))
        self.relations.move_to_end(relation)
        self.last_statement = max(self.last_statement, upto)
        self._keep_within_budget()

    def held(self) -> int:
        """How many statements the loaded relations hold."""
        return sum(index.statements for index in self.relations.values())

    def _keep_within_budget(self) -> None:
        """Drop the relations met least recently past the budget; the last one met (being placed, at
        the end of the order) stays, even alone over it."""
        held = self.held()
        while held > self.budget and len(self.relations) > 1:
            oldest = next(iter(self.relations))
            held -= self.relations[oldest].statements
            self.forget(oldest)

    def forget(self, relation: str | None) -> None:
        """Drop a relation, so that the next refresh reads it again whole (after people changed it)."""
        self.relations.pop(relation, None)
        self.decided.pop(relation, None)

    def _add(self, rows: list[dict[str, Any]]) -> None:
        from accord.resolve.commitments import candidates
        from accord.resolve.embed import from_bytes

        views = [StatementView(
            key=StatementKey(row["sha256"], row["start"], row["end"]), text=row["text"], cue=row["cue"],
            pillars=list(row["pillars"]), targets=sorted(row["targets"]),
            mentions=[(m["text"], m["kind"], m["entity"]) for m in row["mentions"]], actors=row["actors"],
            relation=row["relation"],
            vector=from_bytes(row["embedding"]) if row["embedding"] is not None else None,
        ) for row in rows]
        for row, candidate in zip(rows, candidates(views)):
            self.relations.setdefault(row["relation"], RelationIndex()).add(row["commitment_id"], candidate,
                                                                            row["relation"])


DEFAULT_BUDGET = 100_000  # statements: ~650 MB with their vectors and keys (docs/scale.md)


def merge_budget() -> int:
    """How many known statements a run holds for merging (ACCORD_MERGE_BUDGET, a positive number)."""
    from accord.errors import AccordError

    raw = os.environ.get("ACCORD_MERGE_BUDGET", "").strip()
    if not raw:
        return DEFAULT_BUDGET
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:  # "²" is a digit to str.isdigit, not to int
        raise AccordError(f"ACCORD_MERGE_BUDGET must be a positive number of statements, not {raw!r}")
    return int(raw)


def view_of(sha256: str, statement: Statement, refs: list[EntityRef | None], actors: list[dict[str, Any]],
            relation: str | None, *, cue: bool = True, joins_only: bool = False) -> StatementView:
    """A new statement as the merger and the evidence linker read it."""
    return StatementView(
        key=StatementKey(sha256, statement.start, statement.end), text=statement.text,
        cue=statement.cue if cue else None, pillars=list(statement.pillars),
        targets=[(tg.metric, tg.unit) for tg in statement.targets],
        mentions=[(m.text, m.kind, r.name if r is not None else None) for m, r in zip(statement.mentions, refs)],
        actors=actors, relation=relation, joins_only=joins_only,
    )


def canonical_actors(statement: Statement, refs: list[EntityRef | None], resolver: EntityResolver) -> list[dict[str, Any]]:
    """The statement's actors, each with the canonical name of the entity it names."""
    out: list[dict[str, Any]] = []
    for actor in statement.actors:
        ref = next((r for m, r in zip(statement.mentions, refs) if m.start == actor.start and r is not None), None)
        ref = ref or resolver.resolve(actor.name, "place")
        out.append({"name": actor.name, "start": actor.start, "end": actor.end,
                    "entity": ref.name if ref is not None else actor.name,
                    "kind": ref.kind if ref is not None else "place"})
    return out
