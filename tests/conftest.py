"""Shared fixtures: the real pipeline (once per session), the shared corpus, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
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
