"""Opening a ledger (creating or upgrading its schema) and writing to it.

Every write is one transaction: a document with all its statements,
mentions, targets, entities and commitment placements lands whole or not at
all; a person's merge or split likewise.

Writers take turns. `transaction()` is the ledger-wide write lock: on
PostgreSQL a transaction-scoped advisory lock, on SQLite a transaction begun
`IMMEDIATE`. Two ingest runs, or an ingest and a person's correction, so never
resolve against a ledger the other is changing. Reads (`engine.connect()`)
take no lock and wait on no writer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from sqlalchemy import Connection, Engine, RootTransaction, create_engine, event, func, insert, select, update
from sqlalchemy.exc import ArgumentError, OperationalError

from accord.config import masked_url
from accord.errors import AccordError, InputError
from accord.ledger import tables as t
from accord.model import StatementKey

DEFAULT_URL = "sqlite:///accord.db"


def ledger_url(given: str) -> str:
    """`given` as a SQLAlchemy URL: a plain path ("accord.db", "/data/ledger.db") is a SQLite file, and
    "postgres://" or "postgresql://" (as Heroku, libpq and most hosts write them) use the psycopg driver."""
    if "://" not in given:
        return f"sqlite:///{given}"
    scheme, rest = given.split("://", 1)
    if scheme.lower() in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return given

# Any one bigint, the same in every Accord process: the key of PostgreSQL's advisory write lock
# ("Accord" in ASCII). Nothing else in a database Accord shares is expected to take it.
WRITE_LOCK_KEY = 0x4163636F7264
# How long a writer waits for another before giving up in words. A writer holds the lock for one
# document's resolve-and-write or one person's correction (seconds), so a full minute means a stuck one.
WRITE_WAIT_S = 60.0
# SQLite's own busy wait per attempt (it retries inside, sleeping a few milliseconds at a time).
BUSY_TIMEOUT_MS = 10_000
_WRITE = "accord_write"  # the execution option that tells SQLite's "begin" hook to begin IMMEDIATE


class LedgerError(AccordError):
    """The ledger can't be opened or written."""


class LedgerLocked(LedgerError):
    """Another writer held the ledger's write lock for longer than `WRITE_WAIT_S`: try again later."""


class NotFound(InputError):
    """An id given by the user names nothing in the ledger."""


def open_engine(url: str) -> Engine:
    """An engine on `url` with the schema at the latest revision."""
    shown = masked_url(url)  # every message names the ledger without its password
    try:
        engine = create_engine(url, future=True, connect_args=_connect_args(url))
    except (ArgumentError, ImportError, ValueError) as exc:  # ValueError: a port that is not a number
        raise LedgerError(f"cannot open ledger {shown!r}: {str(exc).replace(url, shown)}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    try:
        upgrade(engine)
    except OperationalError as exc:
        raise LedgerError(f"cannot open ledger {shown!r}: {str(exc.orig).replace(url, shown)}") from None
    return engine


def _connect_args(url: str) -> dict[str, Any]:
    """PostgreSQL without JIT compilation, unless the URL sets its own options. The planner compiles a query
    it estimates costly (a search of two common words, a count it thinks large) for 5 to 10 ms, then runs
    it in one: every read Accord makes is short, and none gains from it."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except ArgumentError:
        return {}  # create_engine says what is wrong with it
    if parsed.get_backend_name() != "postgresql" or "options" in parsed.query:
        return {}
    return {"options": "-c jit=off"}


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Take transactions over from pysqlite (SQLAlchemy's documented recipe, with `_sqlite_begin`).

    Left to itself pysqlite begins a transaction only before INSERT/UPDATE/DELETE and runs DDL outside
    any, so a migration killed half-way left tables without the version row that says they exist (a
    ledger that never opened again). With `isolation_level = None` it begins nothing; SQLAlchemy's
    "begin" event emits BEGIN itself, and DDL, data and Alembic's version row commit together.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # outside any transaction, where SQLite honours it
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait on the writer, nor it on them
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """BEGIN IMMEDIATE for `transaction()` (the write lock, taken before anything is read); a plain
    deferred BEGIN for reads, which take no lock in WAL mode."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def upgrade(engine: Engine) -> None:
    """Run Alembic migrations up to head on `engine`.

    Under the write lock and in one transaction: of two processes opening a new ledger at once one
    migrates and the other finds it at head, and a migration killed half-way leaves nothing behind.
    """
    from alembic import command

    config = _migrations()
    latest = head()
    with engine.connect() as conn:
        if revision(conn) == latest:
            return
    with transaction(engine) as conn:
        if revision(conn) == latest:  # another process migrated while this one waited for the lock
            return
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def head() -> str | None:
    """The latest schema revision this Accord knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_migrations()).get_current_head()


def revision(conn: Connection) -> str | None:
    """The schema revision of the ledger on `conn` (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _migrations() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("accord.ledger") / "migrations"))
    return config


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction under the ledger-wide write lock; committed on success, else rolled back.

    Every write goes through here (ingest's resolve-and-write, merges, splits, parties, statuses,
    indicators, migrations), so the lock is the transaction itself rather than a second thing to
    remember: a writer always decides on what the last one committed, and no two writers interleave
    (which split identical statements across commitments and raced on unique keys). Waits up to
    `WRITE_WAIT_S` for another writer, then raises LedgerError. Reads use `engine.connect()`.
    """
    with engine.connect() as conn, _begin_write(conn):
        yield conn


def _begin_write(conn: Connection) -> RootTransaction:
    if conn.dialect.name == "postgresql":
        # READ COMMITTED (the default): each statement after the lock sees every commit made before it
        # was granted. Under REPEATABLE READ the snapshot would predate the wait.
        trans = conn.begin()
        try:
            # lock_timeout bounds the wait for the advisory lock like any other; both end with the transaction
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(WRITE_WAIT_S * 1000)}ms'")
            conn.execute(select(func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))
        except OperationalError as exc:
            trans.rollback()
            if "lock timeout" not in str(exc.orig):
                raise
            raise _locked() from None
        return trans
    conn.execution_options(**{_WRITE: True})
    deadline, pause = time.monotonic() + WRITE_WAIT_S, 0.05
    while True:
        try:
            return conn.begin()  # BEGIN IMMEDIATE, which waits BUSY_TIMEOUT_MS for the lock itself
        except OperationalError as exc:
            if "locked" not in str(exc.orig) and "busy" not in str(exc.orig):
                raise
            if time.monotonic() + pause > deadline:
                raise _locked() from None
        time.sleep(pause)
        pause = min(pause * 2, 1.0)


def _locked() -> LedgerLocked:
    return LedgerLocked(f"the ledger is locked by another writer (waited {WRITE_WAIT_S:.0f} s): "
                       "let the other run finish, or stop it, and try again")


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


def add_pillars(conn: Connection, joined: dict[int, set[str]]) -> None:
    """Statements joined commitments: their pillars join each commitment's (no need to read every
    source), read in one query and written only where a commitment gains one."""
    if not joined:
        return
    C = t.commitments
    current = {int(i): set(ps or []) for i, ps in conn.execute(select(C.c.id, C.c.pillars).where(C.c.id.in_(sorted(joined))))}
    for commitment_id, pillars in sorted(joined.items()):
        have = current.get(commitment_id, set())
        if not pillars <= have:
            conn.execute(update(C).where(C.c.id == commitment_id).values(pillars=sorted(have | pillars)))


def commitments_of(conn: Connection, relation: str | None) -> set[int]:
    """The ids of the commitments of one relation (None: those whose relation is unknown)."""
    column = t.commitments.c.relation
    return {int(i) for (i,) in conn.execute(select(t.commitments.c.id).where(
        column.is_(None) if relation is None else column == relation))}


def relation_count(conn: Connection, relation: str) -> int:
    """How many commitments `relation` holds, as the kept totals say (one row's read)."""
    C = t.commitment_counts
    return int(conn.execute(select(C.c.n).where(C.c.field == "relation", C.c.value == relation)).scalar() or 0)


def last_statement_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(t.statements.c.id), 0))).scalar_one())


def documents_stored(conn: Connection, hashes: list[str]) -> dict[str, int]:
    """Which of these texts (by SHA-256) the ledger holds, and as which document."""
    out: dict[str, int] = {}
    for part in chunks(hashes):
        rows = conn.execute(select(t.documents.c.sha256, t.documents.c.id).where(t.documents.c.sha256.in_(part)))
        out.update({str(sha): int(doc) for sha, doc in rows})
    return out


def chunks(items: list[Any], size: int = 500) -> list[list[Any]]:
    """`items` in lists of at most `size`, for look-ups by a list of values: within every database's
    limit on bound parameters, however long the list."""
    return [items[i:i + size] for i in range(0, len(items), size)]


def count(conn: Connection, table: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
