"""The Python API: `Ledger(url)` with the verbs of the CLI, which is a thin layer over it."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from typing import Any

from accord.ledger import DEFAULT_URL, open_engine
from accord.ledger import queries as q
from accord.process import IngestResult


class Ledger:
    """A ledger of documents, statements, entities and commitments in one database.

    `url` is a SQLAlchemy URL; default `ACCORD_DATABASE_URL`, else `accord.db` here.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url or os.environ.get("ACCORD_DATABASE_URL") or DEFAULT_URL
        self.engine = open_engine(self.url)

    def ingest(self, *sources: str, progress: Callable[[str], None] | None = None) -> list[IngestResult]:
        """Ingest files, folders or URLs; each document in one transaction."""
        from accord.process import expand_sources, ingest_sources

        return list(ingest_sources(self.engine, expand_sources([str(s) for s in sources]), progress))

    def documents(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return q.documents(conn)

    def commitments(self, pillar: str | None = None, actor: str | None = None,
                    since: date | None = None) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return q.commitments(conn, pillar=pillar, actor=actor, since=since)

    def commitment(self, commitment_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            return q.commitment(conn, commitment_id)

    def entities(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return q.entities(conn, kind)

    def search(self, text: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return q.search(conn, text)

    def merge(self, keep: int, other: int, by: str | None = None) -> dict[str, Any]:
        from accord.process import merge_commitments

        return self.commitment(merge_commitments(self.engine, keep, other, by))

    def split(self, commitment_id: int, statement_id: int, by: str | None = None) -> dict[str, Any]:
        from accord.process import split_statement

        return self.commitment(split_statement(self.engine, commitment_id, statement_id, by))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
