"""The report as CSV: one row per pillar a commitment belongs to, for a spreadsheet."""

from __future__ import annotations

import io
from typing import Any

from accord.report.brief import evidence_line, history_line, progress_line, source_line

COLUMNS = ("pillar", "id", "text", "status", "status_origin", "status_by", "stage", "flags", "relation", "parties",
           "first_pledged", "last_seen", "times_reaffirmed", "deadline", "targets", "sources", "evidence", "history")


def csv_text(doc: dict[str, Any]) -> str:
    """Lists are joined with " | "; a text a spreadsheet would run as a formula is quoted (`export.write_csv`)."""
    from accord.export import write_csv

    rows = [_row(group["pillar"], c) for group in doc["pillars"] for c in group["commitments"]]
    buffer = io.StringIO()
    if rows:
        write_csv(rows, buffer)
    else:
        buffer.write(",".join(COLUMNS) + "\r\n")  # the header alone: an empty report still parses
    return buffer.getvalue()


def _row(pillar: str, c: dict[str, Any]) -> dict[str, Any]:
    row = {k: c.get(k) for k in COLUMNS if k != "pillar"}
    row.update(
        pillar=pillar, flags="; ".join(c["flags"]), parties="; ".join(c["parties"]),
        status_by=c.get("status_by") or "", stage=c.get("stage") or "", relation=c.get("relation") or "",
        first_pledged=c["first_pledged"] or "", last_seen=c.get("last_seen") or "", deadline=c.get("deadline") or "",
        targets=" | ".join(progress_line(t) for t in c["targets"]),
        sources=" | ".join(f"{source_line(s)}: “{s['text']}”" for s in c["sources"]),
        evidence=" | ".join(evidence_line(e) for e in c["evidence"]),
        history=" | ".join(history_line(h) for h in c["history"]),
    )
    return {k: row[k] for k in COLUMNS}
