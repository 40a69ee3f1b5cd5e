"""Alembic environment: runs on the connection Accord hands it (see ledger.store.upgrade).

That connection is already inside the write transaction, so every revision and the version row
commit together, or none do.
"""

import os
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo

from accord.ledger.tables import metadata

# A test-only pause, so that tests/test_concurrency.py can kill a first migration at a known point (after
# the first revision, before the commit) rather than at a guessed delay: the variable names a file to
# create once paused. Unset, as everywhere outside that test, it costs one dictionary lookup.
PAUSE = "ACCORD_TEST_MIGRATION_PAUSE"


def _pause_for_test(ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any],
                    run_args: Mapping[str, Any]) -> None:
    marker = os.environ.get(PAUSE)
    if marker and not Path(marker).exists():
        Path(marker).touch()
        time.sleep(60)


connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  on_version_apply=_pause_for_test)
with context.begin_transaction():
    context.run_migrations()
