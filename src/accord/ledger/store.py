"""Opening a ledger (creating or upgrading its schema) and writing to it.

Every write is one transaction: a document with all its statements,
mentions, targets, entities and commitment placements lands whole or not at
all; a person's merge or split likewise.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, select, update
from sqlalchemy.exc import ArgumentError, OperationalError

from accord.config import masked_url
from accord.errors import AccordError, InputError
from accord.ledger import tables as t
from accord.model import StatementKey

DEFAULT_URL = "sqlite:///accord.db"


class LedgerError(AccordError):
    """The ledger can't be opened or written."""


class NotFound(InputError):
    """An id given by the user names nothing in the ledger."""


def open_engine(url: str) -> Engine:
    """An engine on `url` with the schema at the latest revision."""
    shown = masked_url(url)  # every message names the ledger without its password
    try:
        engine = create_engine(url, future=True)
    except (ArgumentError, ImportError, ValueError) as exc:  # ValueError: a port that is not a number
        raise LedgerError(f"cannot open ledger {shown!r}: {str(exc).replace(url, shown)}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        upgrade(engine)
    except OperationalError as exc:
        raise LedgerError(f"cannot open ledger {shown!r}: {str(exc.orig).replace(url, shown)}") from None
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def upgrade(engine: Engine) -> None:
    """Run Alembic migrations up to head on `engine`."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(resources.files("accord.ledger") / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as conn:
        if MigrationContext.configure(conn).get_current_revision() == head:
            return
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as conn:
        yield conn


def now() -> datetime:
    return datetime.now(UTC)


def insert_id(conn: Connection, table: Any, values: dict[str, Any]) -> int:
    result = conn.execute(insert(table).values(**values).returning(table.c.id))
    return int(result.scalar_one())


def document_exists(conn: Connection, sha256: str) -> int | None:
    row = conn.execute(select(t.documents.c.id).where(t.documents.c.sha256 == sha256)).first()
    return int(row[0]) if row else None


def record_decision(conn: Connection, kind: str, a: StatementKey, b: StatementKey, by: str | None) -> None:
    first, second = sorted((str(a), str(b)))
    conn.execute(insert(t.decisions).values(kind=kind, a_key=first, b_key=second, by=by, created_at=now()))


def move_statement(conn: Connection, statement_id: int, commitment_id: int) -> None:
    conn.execute(update(t.statements).where(t.statements.c.id == statement_id).values(commitment_id=commitment_id))


def refresh_pillars(conn: Connection, commitment_id: int) -> None:
    """A commitment's pillars are the union of its statements' pillars."""
    rows = conn.execute(select(t.statements.c.pillars).where(t.statements.c.commitment_id == commitment_id))
    pillars = sorted({p for (ps,) in rows for p in (ps if isinstance(ps, list) else json.loads(ps))})
    conn.execute(update(t.commitments).where(t.commitments.c.id == commitment_id).values(pillars=pillars))


def add_pillars(conn: Connection, commitment_id: int, pillars: set[str]) -> None:
    """A statement joined: its pillars join the commitment's (no need to read every source)."""
    row = conn.execute(select(t.commitments.c.pillars).where(t.commitments.c.id == commitment_id)).first()
    current = set(row[0] if row else [])
    if not pillars <= current:
        conn.execute(update(t.commitments).where(t.commitments.c.id == commitment_id)
                     .values(pillars=sorted(current | pillars)))


def count(conn: Connection, table: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
