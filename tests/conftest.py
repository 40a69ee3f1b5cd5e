"""Shared fixtures: the real pipeline (once per session), the shared corpus, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from spacy.language import Language

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ACCORD_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def nlp() -> Language:
    from accord.extract.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "gold" / "score.py").exists():
        pytest.fail(f"the shared corpus and gold labels are missing at {SHARED}")
    return SHARED


CliResult = subprocess.CompletedProcess[str]


@pytest.fixture()
def cli() -> Callable[..., CliResult]:
    """Run `accord ARGS...` as a user would, in a fresh process."""

    def run(*args: str, timeout: float = 300) -> CliResult:
        return subprocess.run(
            [sys.executable, "-m", "accord", *args], capture_output=True, text=True, timeout=timeout,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )

    return run


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty ledger database: a SQLite file, and a new PostgreSQL database when
    ACCORD_TEST_POSTGRES_URL is set (CI sets it; there a missing server fails, never skips)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    base = os.environ.get("ACCORD_TEST_POSTGRES_URL")
    if not base:
        if os.environ.get("CI"):
            pytest.fail("ACCORD_TEST_POSTGRES_URL must be set in CI: the ledger tests run on PostgreSQL too")
        pytest.skip("set ACCORD_TEST_POSTGRES_URL to run the ledger tests on PostgreSQL")
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"accord_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
