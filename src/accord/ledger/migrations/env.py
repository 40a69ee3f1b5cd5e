"""Alembic environment: runs on the connection Accord hands it (see ledger.store.upgrade)."""

from alembic import context

from accord.ledger.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
