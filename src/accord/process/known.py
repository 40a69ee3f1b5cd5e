"""What merging knows of the ledger, and the statements it compares, new or stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from accord.model import Statement, StatementKey
from accord.resolve.commitments import Known, StatementView
from accord.resolve.entities import EntityRef, EntityResolver


class KnownState:
    """What merging needs to know of the ledger, loaded once per run and then only what is new.

    Within one ingest run statements only join commitments or found new ones, so
    rows with a higher id are all that can have changed (people's merges and
    splits happen between runs).
    """

    def __init__(self) -> None:
        self.commitments: dict[int, Known] = {}
        self.aliases: dict[tuple[str, str], EntityRef] = {}
        self.last_statement = 0
        self.last_alias = 0

    def refresh(self, conn: Connection) -> None:
        from accord.ledger import queries
        from accord.resolve.commitments import candidates
        from accord.resolve.embed import from_bytes

        for r in queries.known_aliases(conn, after=self.last_alias):
            self.aliases.setdefault((r["kind"], r["alias_key"]), EntityRef(r["kind"], r["name"], r["key"]))
            self.last_alias = r["id"]
        rows = queries.known_commitments(conn, after=self.last_statement)
        views = [StatementView(
            key=StatementKey(row["sha256"], row["start"], row["end"]), text=row["text"], cue=row["cue"],
            pillars=list(row["pillars"]), targets=sorted(row["targets"]),
            mentions=[(m["text"], m["kind"], m["entity"]) for m in row["mentions"]], actors=row["actors"],
            relation=row["relation"],
            vector=from_bytes(row["embedding"]) if row["embedding"] is not None else None,
        ) for row in rows]
        for row, candidate in zip(rows, candidates(views)):
            known = self.commitments.setdefault(row["commitment_id"], Known(row["commitment_id"],
                                                                            relation=row["relation"]))
            known.members.append(candidate)
            self.last_statement = row["id"]


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
