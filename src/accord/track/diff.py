"""What changed between two documents: commitments new in B, repeated from A, dropped since A.

For two outlets' reports of the same event the same lists read as what one
reported that the other did not.
"""

from __future__ import annotations

from typing import Any


def diff(commitments: list[dict[str, Any]], a: int, b: int) -> dict[str, list[dict[str, Any]]]:
    """`commitments` as the ledger lists them (with sources); `a`, `b` document ids."""
    new, repeated, dropped = [], [], []
    for c in commitments:
        in_a = [s for s in c["sources"] if s["document"] == a]
        in_b = [s for s in c["sources"] if s["document"] == b]
        row = {"commitment": c["id"], "pillars": c["pillars"]}
        if in_a and in_b:
            changed = in_a[0]["text"] != in_b[0]["text"]
            repeated.append({**row, "a": in_a[0]["text"], "b": in_b[0]["text"], "wording_changed": changed})
        elif in_b:
            new.append({**row, "b": in_b[0]["text"]})
        elif in_a:
            dropped.append({**row, "a": in_a[0]["text"]})
    return {"new": new, "repeated": repeated, "dropped": dropped}
