"""The sector words and names of `data/pillars.yaml`: the pillar model's lexicon features.

`hits` says which pillars' strong and weak words a sentence uses; the trained
pillar model (`accord.extract.learned`) weighs them with the sentence's words.
`tag` is the rules alone, kept as a baseline for `make score`.
"""

from __future__ import annotations

import re
from typing import Any

_DEFAULT = "political"


class PillarTagger:
    """Tags a sentence with every pillar whose words it uses; `political` when none."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.order = list(config)
        self.strong: dict[str, re.Pattern[str]] = {}
        self.weak: dict[str, re.Pattern[str]] = {}
        for pillar, spec in config.items():
            self.strong[pillar] = _compile(spec.get("terms") or [], spec.get("names") or [])
            if spec.get("weak_terms"):
                self.weak[pillar] = _compile(spec["weak_terms"], [])

    def hits(self, text: str) -> list[str]:
        """"strong:<pillar>" / "weak:<pillar>" for every pillar whose words `text` uses, and
        "rule:<pillar>" for the pillars the rules alone would give (`tag`)."""
        strong = [p for p in self.order if self.strong[p].search(text)]
        weak = [p for p in self.order if p in self.weak and self.weak[p].search(text)]
        rule = strong or weak[:1] or [_DEFAULT]
        return [f"strong:{p}" for p in strong] + [f"weak:{p}" for p in weak] + [f"rule:{p}" for p in rule]

    def tag(self, text: str, mentions: list[tuple[int, int, str]]) -> list[str]:
        found = [p for p in self.order if self.strong[p].search(text)]
        if not found:
            # Weak words decide only when no sector word does, and the first
            # pillar in file order with one wins ("partnership" before "global").
            found = [p for p in self.order if p in self.weak and self.weak[p].search(text)][:1]
        return found or [_DEFAULT]


def _compile(terms: list[str], names: list[str]) -> re.Pattern[str]:
    parts = []
    if terms:
        parts.append(r"(?i:(?<![\w-])(?:" + "|".join(terms) + r")(?![\w-]))")
    if names:
        parts.append(r"(?<![\w-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-])")
    return re.compile("|".join(parts) if parts else r"(?!x)x")
