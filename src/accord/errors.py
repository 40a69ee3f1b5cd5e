"""Accord's one error tree; the CLI and the API convert it once, at their edge.

    AccordError                 anything Accord reports to a person
    ├── InputError              the input can't be read as a document (exit 2)
    │   ├── InputNotFound       the path does not exist
    │   ├── InputNotText        binary, or not UTF-8
    │   └── InputTooLarge       over a configured limit
    ├── MachineFault            the disk is full, the ledger locked, the server gone (exit 1; 503)
    └── PipelineError           the NLP pipeline can't be loaded (exit 1)
"""

from __future__ import annotations


class AccordError(Exception):
    """Base of every error Accord raises on purpose; its message says what to do."""

    exit_code = 1


class InputError(AccordError):
    """The input given by the user is unusable."""

    exit_code = 2


class InputNotFound(InputError):
    """A path given on the command line does not exist."""


class InputNotText(InputError):
    """A file is binary or not valid UTF-8."""


class InputTooLarge(InputError):
    """A file or upload is over the configured size limit."""


class MachineFault(AccordError):
    """The disk, a lock or the database server failed, not the input or Accord (web: 503); see `fault`."""


class PipelineError(AccordError):
    """The spaCy pipeline or its data files could not be loaded."""


# Faults of the machine rather than of the input or of Accord: the disk, the lock, the database server.
# Each is said in Accord's own words (never the driver's text, which may quote SQL, parameters or a
# URL), so the CLI prints one line and the web answers 503 rather than an "internal error".
_SQLITE_WORDS = (
    ("database or disk is full", "the disk holding the ledger is full (or the database reached its size limit): "
                                 "nothing of this write was stored; free space and run again"),
    ("database is locked", "the ledger is locked by another writer: let the other run finish, or stop it, "
                           "and try again"),
    ("database table is locked", "the ledger is locked by another writer: let the other run finish, or stop it, "
                                 "and try again"),
    ("attempt to write a readonly database", "the ledger file is read-only: nothing was written; give Accord "
                                             "write access to it and to its folder"),
    ("unable to open database file", "cannot open the ledger file: its folder does not exist or cannot be written"),
    ("disk i/o error", "the disk holding the ledger failed to read or write (disk I/O error): nothing of this "
                       "write was stored; check the disk, then run accord check"),
)
_SQLSTATE_WORDS = {
    "53100": "the database server's disk is full: nothing of this write was stored; free space on the server "
             "and run again",
    "53200": "the database server is out of memory: nothing of this write was stored; try again later",
    "53300": "the database server has too many connections: try again later",
    "57P01": "the database server was shut down during this command: what it was writing was rolled back",
    "57P03": "the database server is starting up or shutting down: try again in a moment",
    "55P03": "the ledger is locked by another writer: let the other run finish, or stop it, and try again",
    "25006": "the database is read-only (a standby, or default_transaction_read_only): nothing was written",
}
_OS_WORDS = {  # errno: what happened, what to do
    28: ("no space left on the disk", "free space and run again"),  # ENOSPC
    122: ("the disk quota is used up", "free space and run again"),  # EDQUOT
    30: ("the file system is read-only", "write somewhere else"),  # EROFS
    27: ("the file is larger than this process may write", "raise the limit (ulimit -f) or write less"),  # EFBIG
    5: ("the disk failed to read or write (I/O error)", "check the disk, then run accord check"),  # EIO
}


def fault(exc: BaseException) -> str | None:
    """`exc` in words when it is a fault of the machine (disk full, locked, connection lost), else None."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        orig = getattr(exc, "orig", None)
        state = getattr(orig, "sqlstate", None) or getattr(exc, "sqlstate", None)
        if isinstance(state, str) and state in _SQLSTATE_WORDS:
            return _SQLSTATE_WORDS[state]
        if isinstance(state, str) and state.startswith("08"):  # connection exceptions
            return "lost the connection to the database server: what this command was writing was rolled back; " \
                   "check that the server is running and try again"
        said = str(orig if orig is not None else exc).lower()
        if type(orig if orig is not None else exc).__module__.startswith("sqlite3"):
            for words, meaning in _SQLITE_WORDS:
                if words in said:
                    return meaning
        if "server closed the connection unexpectedly" in said or "consuming input failed" in said:
            return "lost the connection to the database server: what this command was writing was rolled back; " \
                   "check that the server is running and try again"
        if isinstance(exc, OSError) and exc.errno in _OS_WORDS:
            where = f" (writing {exc.filename})" if exc.filename else ""
            what, todo = _OS_WORDS[exc.errno]
            return f"{what}{where}: {todo}"
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return None
