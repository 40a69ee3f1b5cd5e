"""Shared fixtures: the real pipeline (once per session), the shared corpus, PostgreSQL, Chromium, the CLI.

Three resources live outside the checkout. A test that needs a missing one skips with a one-line
reason, and the run ends with the list of what was skipped and why; where ACCORD_REQUIRE_<RESOURCE>=1
(CI sets all three) the same test fails instead, so nothing is skipped silently there.
"""

from __future__ import annotations

import functools
import re
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from spacy.language import Language

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ACCORD_SHARED", ROOT.parent / "shared"))
POSTGRES_URL = os.environ.get("ACCORD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CHROMIUM = Path(os.environ.get("ACCORD_CHROMIUM", "/usr/bin/chromium"))
HOW = {
    "shared": "put the labelled corpus at ../shared beside the checkout or set ACCORD_SHARED",
    "postgres": "run PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth) or set ACCORD_TEST_POSTGRES_URL",
    "browser": "install Debian's chromium package or set ACCORD_CHROMIUM",
}


def need(resource: str, problem: str) -> NoReturn:
    """Skip the test for a missing resource, or fail it where ACCORD_REQUIRE_<RESOURCE>=1."""
    variable = f"ACCORD_REQUIRE_{resource.upper()}"
    if os.environ.get(variable) == "1":
        pytest.fail(f"{problem}, and {variable}=1: {HOW[resource]}", pytrace=False)
    pytest.skip(f"{problem}: {HOW[resource]}")


@functools.cache
def postgres_problem() -> str | None:
    """Why POSTGRES_URL can't be used, from one real connection (once per session), or None."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    shown = make_url(POSTGRES_URL).render_as_string(hide_password=True)
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:  # any reason at all (refused, auth, driver) means the same: no server to test on
        said = str(getattr(e, "orig", None) or e).strip()  # the driver's words, without SQLAlchemy's wrapping
        first = said.splitlines()[0] if said else type(e).__name__
        return f"no PostgreSQL at {shown} ({first})"
    finally:
        engine.dispose()
    return None


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """What was skipped and why, one line per reason, so a partial run never passes for a full one."""
    reasons: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        if isinstance(report.longrepr, tuple):
            reasons[report.longrepr[2].removeprefix("Skipped: ")] += 1
    if reasons:
        terminalreporter.section("skipped, by reason")
        for reason, count in reasons.most_common():
            terminalreporter.line(f"{count:4d}  {reason}")


@pytest.fixture(scope="session")
def nlp() -> Language:
    from accord.extract.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "gold" / "score.py").exists():
        need("shared", f"no shared corpus and gold labels at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL server to create test databases on."""
    problem = postgres_problem()
    if problem:
        need("postgres", problem)
    return POSTGRES_URL


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        need("browser", f"no Chromium at {CHROMIUM}")
    return CHROMIUM


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


@pytest.fixture(scope="session")
def int8_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder holding the int8 embedding model, made once for the whole test run."""
    from accord.resolve import embed

    folder = tmp_path_factory.mktemp("accord-cache")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ACCORD_EMBEDDING_INT8", "1")
        env.setenv("ACCORD_CACHE_DIR", str(folder))
        embed._int8.cache_clear()
        try:
            embed.embed(["made once"])
        finally:
            embed._int8.cache_clear()
    return folder


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty ledger database: a SQLite file, and a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    base: str = request.getfixturevalue("postgres_url")
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


def job_finished(client: Any, url: str) -> dict[str, Any]:
    """The ingest job at `url` once it is done or failed (a worker thread runs it), polled for 300 s at most
    (a bound, not a timing test: a process's first ingest loads the models, slow on a busy machine)."""
    import time

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(url).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"the job at {url} did not finish in 300 s")


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def page_client(url: str, **settings: Any) -> Any:
    """A TestClient of the web app over the ledger at `url`, asking for pages (user ana, password pw)."""
    from fastapi.testclient import TestClient

    from accord.config import Settings
    from accord.web import create_app

    app = create_app(Settings(database_url=url, users={"ana": "pw"}, secret_key="k", **settings))
    return TestClient(app, headers={"accept": "text/html"}, follow_redirects=False)


def csrf(client: Any, path: str = "/login") -> str:
    """The session's CSRF token, as the form on `path` carries it."""
    found = CSRF.search(client.get(path).text)
    assert found is not None
    return found.group(1)


def sign_in(client: Any, name: str = "ana") -> str:
    """Sign `name` in (password pw); the session's new CSRF token."""
    response = client.post("/login", data={"name": name, "password": "pw", "next": "/", "csrf": csrf(client)})
    assert response.status_code == 303
    return csrf(client, "/")
