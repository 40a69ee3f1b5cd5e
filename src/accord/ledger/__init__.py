"""The ledger: SQLAlchemy tables, Alembic migrations, writes, and the shared read queries."""

from accord.ledger.store import DEFAULT_URL, LedgerError, NotFound, open_engine, transaction
from accord.ledger.write import statement_key, write_document

__all__ = ["DEFAULT_URL", "LedgerError", "NotFound", "open_engine", "statement_key", "transaction", "write_document"]
