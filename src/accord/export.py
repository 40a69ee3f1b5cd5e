"""Rendering shared by the CLI and (later) the API: JSON Lines, JSON and tables."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from accord.model import Statement

FORMATS = ("jsonl", "json", "table")


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> None:
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_json(rows: Iterable[dict[str, Any]], out: IO[str]) -> None:
    """A JSON array written item by item, so a long stream is never held whole."""
    out.write("[")
    for i, row in enumerate(rows):
        out.write(("\n" if i == 0 else ",\n") + json.dumps(row, ensure_ascii=False))
    out.write("\n]\n")


def statement_table(path: str, statements: list[Statement]) -> Any:
    """A rich Table of one document's statements for people to read."""
    from rich.table import Table

    table = Table(title=path, show_lines=True, expand=True)
    table.add_column("offsets", style="dim", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("conf", justify="right", no_wrap=True)
    table.add_column("statement", ratio=3)
    table.add_column("pillars", ratio=1, min_width=16, overflow="fold")
    table.add_column("mentions · targets", ratio=2)
    colours = {"commitment": "bold green", "position": "cyan", "assessment": "yellow", "event": "magenta"}
    for s in statements:
        details = [f"{m.text} [dim]{m.kind}[/]" for m in s.mentions]
        details += [
            f"[bold]target[/] {t.metric}: {t.value:,.0f} {t.unit}" + (f" ({t.deadline})" if t.deadline else "")
            for t in s.targets
        ]
        table.add_row(
            f"{s.start}–{s.end}", f"[{colours.get(s.type, 'dim')}]{s.type}[/]", f"{s.confidence:.2f}",
            s.text, ", ".join(s.pillars), "\n".join(details),
        )
    return table
