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


def write_csv(rows: list[dict[str, Any]], out: IO[str]) -> None:
    """Flat CSV: lists joined with '; ', nested records as JSON, texts that would run as formulas quoted."""
    import csv

    if not rows:
        return
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})


def _cell(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = "; ".join(value)
    elif isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    return _inert(value) if isinstance(value, str) else value


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    """A cell a spreadsheet won't run as a formula (OWASP's CSV injection advice): a text starting with
    = + - @ tab or CR gets a leading single quote. Numbers stay numbers: they are not strings here."""
    return "'" + text if text.startswith(FORMULA_START) else text


_SHORT = {"id", "kind", "published", "status", "documents", "first_seen", "last_seen", "statements", "mentions",
          "type", "language", "commitment_id", "document"}


def rows_table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> Any:
    """A rich Table of `columns` of `rows`."""
    from rich.table import Table

    table = Table(title=title, expand=True, show_lines=True)
    for c in columns:
        if c in ("text", "title", "aliases"):
            table.add_column(c, overflow="fold", ratio=4, min_width=24)
        else:
            table.add_column(c, overflow="fold", ratio=1, no_wrap=c in _SHORT)
    for row in rows:
        table.add_row(*[str(_cell(row.get(c, "")) if row.get(c) is not None else "") for c in columns])
    return table


def commitment_panel(item: dict[str, Any]) -> Any:
    """`accord show`: the commitment, each source with document, date and offsets, and why they merged."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table

    parties = ", ".join(f"{p['name']} ({p['code']})" for p in item.get("parties", [])) or "unknown parties"
    head = (f"[bold]Commitment {item['id']}[/] · {item['status']} · {', '.join(item['pillars'])}\n"
            f"{item['text']}\nrelation {item.get('relation') or '-'} · {parties}\n"
            f"first pledged {item.get('first_pledged') or 'unknown (undated sources)'} · "
            f"reaffirmed {item.get('times_reaffirmed', 0)}× · {item.get('occasions', 0)} occasion(s) in "
            f"{item['documents']} document(s) · last seen {item['last_seen']} · "
            f"actors: {', '.join(item['actors']) or '-'}")
    sources = Table(title="sources", expand=True)
    for c in ("statement", "document", "published", "offsets", "text"):
        sources.add_column(c, overflow="fold")
    for s in item["sources"]:
        sources.add_row(str(s["statement"]), f"{s['document']} {s['title'] or ''}", s["published"] or "",
                        f"{s['start']}–{s['end']}", s["text"])
    parts: list[Any] = [head, sources]
    if item["targets"]:
        targets = Table(title="targets", expand=True)
        for c in ("metric", "value", "unit", "deadline", "stated in"):
            targets.add_column(c)
        for tg in item["targets"]:
            stated = ", ".join(f"statement {s['statement']}" for s in tg.get("sources", [])) or str(tg["statement"])
            targets.add_row(tg["metric"], f"{tg['value']:,}", tg["unit"], tg["deadline"] or "", stated)
        parts.append(targets)
    reasons = Table(title="why these statements are one commitment", expand=True)
    for c in ("statement", "matched", "rule", "score", "detail", "party check"):
        reasons.add_column(c, overflow="fold")
    for r in item.get("reasons", []):
        matched = "-" if r.get("matched") is None else f"{r['matched']}: {r.get('matched_text') or ''}"
        reasons.add_row(str(r["statement"]), matched, r["rule"],
                        f"{r['score']:.2f}" if r["score"] is not None else "", r["detail"], r.get("party_check", ""))
    parts.append(reasons)
    return Panel(Group(*parts))


def diff_text(result: dict[str, Any]) -> Any:
    """`accord diff` as a person reads it; words deleted [-red-] and inserted {+green+}, as git's word diff."""
    from rich.text import Text

    out = Text()
    for side in ("a", "b"):
        out.append(f"{side.upper()}  {result[side]['label']}\n", style="bold")
    for key, title, sides in (("new", "new in B", "b"), ("dropped", "dropped since A", "a"),
                              ("continued", "continued", "ab")):
        out.append(f"\n{title} ({len(result[key])})\n", style="bold")
        for row in result[key]:
            changed = ", wording changed" if row.get("wording_changed") else ""
            out.append(f"  commitment {row['commitment']} ({', '.join(row['pillars']) or 'no pillar'}){changed}\n")
            for side in sides:
                for s in row[side]:
                    out.append(f"    {side.upper()} (document {s['document']}): {s['text']}\n")
            if row.get("wording_changed"):
                out.append("    words:")
                for i, op in enumerate(row["words"]):
                    replaced = i > 0 and op["op"] == "insert" and row["words"][i - 1]["op"] == "delete"
                    form, style = {"equal": ("{}", ""), "delete": ("[-{}-]", "red"),
                                   "insert": ("{{+{}+}}", "green")}[op["op"]]
                    out.append(("" if replaced else " ") + form.format(op["text"]), style=style)
                out.append("\n")
            for tg in row["targets"]:
                out.append(f"    target {tg['said']}\n")
    return out

