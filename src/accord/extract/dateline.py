"""Where a statement's own words begin: after a dateline ("PHNOM PENH, May 20 - ") or an outlet's tag.

A light module (no spaCy) so that the ledger's readers can title a commitment without loading the pipeline.
"""

from __future__ import annotations

import re

# "VIENTIANE, Dec 1 (Reuters) - ", "BEIJING, April 9 (Xinhua) -- ", "date 2025-12-02 HÀ NỘI - ", "VOV.VN - "
DATELINE = re.compile(
    r"(?:date\s+\S+\s+)?(?:[A-ZÀ-Ỹ][A-ZÀ-Ỹ .'’/]+|[A-Z][a-z]+(?=\s\())(?:,\s*[^-–—\n(]{1,25})?"
    r"\s*(?:\([^)]{1,30}\))?\s*(?:-{1,2}|–|—)\s"
)


def body_start(text: str) -> int:
    """The offset in `text` where its words begin, past a leading dateline; 0 when it has none.

    A dateline that would leave nothing, or only a fragment, is not one: the text is kept whole.
    """
    m = DATELINE.match(text)
    if m is None:
        return 0
    rest = text[m.end():]
    if len(rest.split()) < 3:
        return 0
    return m.end()
