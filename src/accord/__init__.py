"""Accord: a ledger of commitments read from diplomatic texts.

The public Python API; importing it loads nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from accord.api import Ledger
    from accord.model import Mention, Statement, Target


def __getattr__(name: str) -> object:
    """`accord.Ledger` without importing SQLAlchemy at `import accord`."""
    if name == "Ledger":
        from accord.api import Ledger

        return Ledger
    raise AttributeError(name)


def extract_text(text: str) -> list[Statement]:
    """Statements of a text: type, pillars, mentions, targets, actors, all with offsets."""
    from accord.extract import extract_text as _extract_text

    return _extract_text(text)


__all__ = ["__version__", "extract_text", "Ledger", "Mention", "Statement", "Target"]
