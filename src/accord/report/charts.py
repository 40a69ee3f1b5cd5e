"""The report's charts as PNG images: statuses by pillar, target progress, a timeline of pledges and evidence."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from accord.report.brief import commitments_of

STATUS_COLOURS = {"announced": "#9aa5b1", "in_progress": "#2f80ed", "partial": "#f2c94c", "stalled": "#eb5757",
                  "fulfilled": "#27ae60", "abandoned": "#4f4f4f"}
NAMES = ("statuses-by-pillar", "target-progress", "timeline")


def charts(doc: dict[str, Any]) -> dict[str, bytes]:
    """PNG bytes by chart name (of NAMES); a chart with nothing to show is left out."""
    import matplotlib

    matplotlib.use("Agg")  # files only: never a window
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    out: dict[str, bytes] = {}
    groups = [g for g in doc["pillars"] if g["commitments"]]
    if groups:
        labels = [g["label"] for g in groups][::-1]  # barh draws bottom-up: the first pillar on top
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(groups) + 1.2))
        left = [0] * len(groups)
        for status, colour in STATUS_COLOURS.items():
            counts = [sum(1 for c in g["commitments"] if c["status"] == status) for g in groups][::-1]
            if any(counts):
                ax.barh(labels, counts, left=left, color=colour, label=status.replace("_", " "))
                left = [a + b for a, b in zip(left, counts)]
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts of commitments
        ax.set_title("Commitments by pillar and status")
        ax.legend(loc="lower right", fontsize=8)
        out["statuses-by-pillar"] = _png(fig)
    items = commitments_of(doc)
    tracked = [(f"{c['id']}: {t['metric']}", float(t["progress"]["percent"])) for c in items for t in c["targets"]
               if t.get("progress") and t["progress"].get("percent") is not None]
    if tracked:
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(tracked) + 1.2))
        names, reached = [n for n, _ in tracked], [min(p, 100) for _, p in tracked]
        ax.barh(names, reached, color="#2f80ed")
        ax.barh(names, [100 - r for r in reached], left=reached, color="#e4e7eb")
        ax.set_xlim(0, 100)
        ax.set_title("Targets: share reached (%)")
        out["target-progress"] = _png(fig)
    pledges = [date.fromisoformat(c["first_pledged"]) for c in items if c["first_pledged"]]
    evidence = [date.fromisoformat(h["observed"]) for c in items for h in c["history"] if h["observed"]]
    if pledges:
        fig, ax = plt.subplots(figsize=(8, 2.2))
        ax.scatter(pledges, [1] * len(pledges), marker="|", s=300, color="#1f2933",  # type: ignore[arg-type]
                   label="pledged or restated")
        if evidence:
            ax.scatter(evidence, [0] * len(evidence), marker="o", color="#27ae60",  # type: ignore[arg-type]
                       label="evidence")
        ax.axvline(date.fromisoformat(doc["as_of"]), color="#b42318", linewidth=1)  # type: ignore[arg-type]
        ax.set_yticks([0, 1], ["evidence", "pledges"])
        ax.set_title("Timeline of pledges and evidence")
        fig.autofmt_xdate()
        out["timeline"] = _png(fig)
    return out


def _png(fig: Any) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})  # the same bytes for the same data
    plt.close(fig)
    return buffer.getvalue()
