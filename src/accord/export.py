"""Rendering shared by the CLI and (later) the API: JSON Lines, JSON and tables."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal

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


def statement_table(path: str, statements: list[Statement], wide: bool = False) -> ListTable:
    """One document's statements for people to read (`accord extract`)."""
    from rich.text import Text

    colours = {"commitment": "bold green", "position": "cyan", "assessment": "yellow", "event": "magenta"}
    rows: list[dict[str, Any]] = []
    for s in statements:
        details = [Text.assemble(m.text, " ", (m.kind, "dim")) for m in s.mentions]
        details += [Text.assemble(("target", "bold"), f" {t.metric}: {t.value:,.0f} {t.unit}"
                                  + (f" ({t.deadline})" if t.deadline else "")) for t in s.targets]
        rows.append({"offsets": f"{s.start}–{s.end}", "type": Text(s.type, colours.get(s.type, "dim")),
                     "conf": f"{s.confidence:.2f}", "statement": s.text, "pillars": list(s.pillars),
                     "mentions · targets": details})
    columns = [Column("offsets", style="dim"), Column("type"), Column("conf", justify="right"),
               Column("statement", "text", ratio=3), Column("pillars"), Column("mentions · targets", "text", ratio=2)]
    return ListTable(path, rows, columns, wide)


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


# How `rows_table` shows a field it is not told about: long prose takes the width left, by ratio; names wrap
# between words; everything else (ids, statuses, dates, numbers, codes, pillars, types) is exact.
_TEXT_RATIOS = {"text": 3, "title": 2, "evidence": 2, "detail": 2, "description": 2, "reason": 1}
_NAMES = {"outlet", "place", "name", "aliases", "by", "source", "label", "user", "unit", "metric"}


def rows_table(title: str, rows: list[dict[str, Any]], columns: list[str], wide: bool = False) -> ListTable:
    """`columns` of `rows` for people to read, each field shown as its kind asks (see `Column`)."""
    return ListTable(title, rows, [_column(c) for c in columns], wide)


def _column(key: str) -> Column:
    if key in _TEXT_RATIOS:
        return Column(key, "text", ratio=_TEXT_RATIOS[key])
    return Column(key, "name" if key in _NAMES else "exact")


@dataclass(frozen=True)
class Column:
    """How a table shows one field of its rows.

    `exact` values (ids, statuses, dates, numbers, codes, pillars, types) are never broken: the column is as
    wide as its longest value, a list one item a line. `name`s wrap between words. `text` (statements,
    evidence) takes the width that is left, shared by `ratio`, and wraps between words.
    """

    key: str
    kind: Literal["exact", "name", "text"] = "exact"
    ratio: int = 1
    style: str = ""
    justify: Literal["left", "right"] | None = None  # None: right when every value is a number


TEXT_MIN = 20  # narrower than this, prose reads as a column of fragments: the rows are shown as records instead
GAP = 3  # between two columns: padding, a space for a rule, padding (rich's SIMPLE_HEAD box without edges)


class ListTable:
    """Rows as a table that fits the width it is given, or, where even the exact columns and the narrowest
    readable text do not fit, each row as a record of `field  value` lines (as psql's expanded display).
    Either way no exact value is ever cut. `wide`: every column in full, one line a row, however wide
    (`natural_width` says how wide: print it on a console that wide).
    """

    def __init__(self, title: str, rows: list[dict[str, Any]], columns: list[Column], wide: bool = False) -> None:
        self.title, self.columns, self.wide = title, columns, wide
        self.cells = [[_lines(row.get(c.key), one_line=wide) for c in columns] for row in rows]
        self.headers = [c.key.replace("_", " ") for c in columns]
        self.justify = [c.justify or ("right" if rows and all(_is_number(r.get(c.key)) for r in rows) else "left")
                        for c in columns]

    def natural_width(self) -> int:
        """The width of the table with every value on one line: what `wide` prints."""
        widths = self._natural_widths()
        return sum(widths) + GAP * (len(widths) - 1)

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        if self.wide:
            yield self._table(self._natural_widths(), wrap=False)
            return
        widths = self._fitted_widths(options.max_width)
        yield self._table(widths, wrap=True) if widths is not None else self._records(options.max_width)

    def _by_column(self) -> list[tuple[list[list[Any]], str]]:
        return [([row[i] for row in self.cells], h) for i, h in enumerate(self.headers)]

    def _natural_widths(self) -> list[int]:
        return [max([_longest_line(lines) for lines in column] + [len(h)]) for column, h in self._by_column()]

    def _fitted_widths(self, width: int) -> list[int] | None:
        """Widths that show every exact value whole and give each text column at least TEXT_MIN (or all it
        needs, if less), or None when the width can't."""
        natural, widths, flexible = [], [], []
        for i, (column, header) in enumerate(self._by_column()):
            longest = max([_longest_line(lines) for lines in column] + [0])
            word = max([_longest_word(lines) for lines in column] + [_longest_word([header])])
            kind = self.columns[i].kind
            if kind == "exact":
                natural.append(max(longest, word))
                widths.append(natural[-1])
                continue
            natural.append(max(longest, word, 1))
            floor = TEXT_MIN if kind == "text" else min(word, TEXT_MIN)
            widths.append(min(natural[-1], max(floor, 1)))
            flexible.append(i)
        spare = width - GAP * (len(widths) - 1) - sum(widths)
        if spare < 0:
            return None
        while spare > 0:  # share what is left by ratio until every column has all it needs
            growing = [i for i in flexible if widths[i] < natural[i]]
            if not growing:
                break
            total = sum(self.columns[i].ratio for i in growing)
            budget = spare
            for i in growing:
                add = min(max(1, budget * self.columns[i].ratio // total), natural[i] - widths[i], spare)
                widths[i] += add
                spare -= add
        return widths

    def _table(self, widths: list[int], wrap: bool) -> Any:
        from rich import box
        from rich.table import Table

        # Light rules (a line under the header, a blank line between wrapped rows) leave the width to the values.
        table = Table(title=self.title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                      show_lines=wrap and len(self.cells) > 1)
        for c, header, justify, w in zip(self.columns, self.headers, self.justify, widths, strict=True):
            table.add_column(header, width=w, style=c.style, justify=justify, overflow="fold", no_wrap=not wrap)
        for row in self.cells:
            table.add_row(*[_text(lines) for lines in row])
        return table

    def _records(self, width: int) -> Any:
        from rich import box
        from rich.table import Table

        keys = max(len(h) for h in self.headers)
        table = Table(title=self.title, show_header=False, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        table.add_column(width=keys, style="bold", no_wrap=True)
        table.add_column(width=max(width - keys - GAP, 1), overflow="fold")
        for n, row in enumerate(self.cells):
            for i, (header, lines) in enumerate(zip(self.headers, row, strict=True)):
                table.add_row(header, _text(lines), end_section=i == len(row) - 1 and n < len(self.cells) - 1)
        return table


def _lines(value: Any, one_line: bool) -> list[Any]:
    """A value as the lines a cell shows: a list one item a line (or '; '-joined on one line), a record as
    JSON, None as nothing; rich Text (already styled) kept as it is."""
    from rich.text import Text

    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, (str, Text)) for v in value):
        if one_line:
            return [Text("; ").join(Text(v) if isinstance(v, str) else v for v in value)] if value else []
        return [Text(v) if isinstance(v, str) else v for v in value]
    if isinstance(value, Text):
        return [value]
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return [" ".join(text.split())] if one_line else [text]


def _text(lines: list[Any]) -> Any:
    from rich.text import Text

    return Text("\n").join(Text(line) if isinstance(line, str) else line for line in lines)


def _plain(line: Any) -> str:
    return line if isinstance(line, str) else str(line.plain)


def _longest_line(lines: list[Any]) -> int:
    from rich.cells import cell_len

    return max((cell_len(part) for line in lines for part in _plain(line).split("\n")), default=0)


def _longest_word(lines: list[Any]) -> int:
    from rich.cells import cell_len

    return max((cell_len(word) for line in lines for word in _plain(line).split()), default=0)


def _is_number(value: Any) -> bool:
    """A number, or no value: a column of counts with gaps is still right-aligned."""
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def commitment_panel(item: dict[str, Any]) -> Any:
    """`accord show`: the commitment, each source with document, date and offsets, and why they merged."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    parties = ", ".join(f"{p['name']} ({p['code']})" for p in item.get("parties", [])) or "unknown parties"
    head = Text.assemble(
        (f"Commitment {item['id']}", "bold"),
        f" · {item['status']} · {', '.join(item['pillars'])}\n{item['text']}\n"
        f"relation {item.get('relation') or '-'} · {parties}\n"
        f"first pledged {item.get('first_pledged') or 'unknown (undated sources)'} · "
        f"reaffirmed {item.get('times_reaffirmed', 0)}× · {item.get('occasions', 0)} occasion(s) in "
        f"{item['documents']} document(s) · last seen {item['last_seen']} · "
        f"actors: {', '.join(item['actors']) or '-'}")
    sources = [{"statement": s["statement"], "document": f"{s['document']} {s['title'] or ''}".strip(),
                "published": s["published"], "offsets": f"{s['start']}–{s['end']}", "text": s["text"]}
               for s in item["sources"]]
    parts: list[Any] = [head, ListTable("sources", sources, [
        Column("statement"), Column("document", "name"), Column("published"), Column("offsets"),
        Column("text", "text", ratio=3)])]
    if item["targets"]:
        targets = [{"metric": tg["metric"], "value": f"{tg['value']:,}", "unit": tg["unit"], "deadline": tg["deadline"],
                    "stated in": [f"statement {s['statement']}" for s in tg.get("sources", [])]
                    or [f"statement {tg['statement']}"]} for tg in item["targets"]]
        parts.append(ListTable("targets", targets, [
            Column("metric", "name"), Column("value", justify="right"), Column("unit", "name"), Column("deadline"),
            Column("stated in")]))
    reasons = [{"statement": r["statement"],
                "matched": "-" if r.get("matched") is None else f"{r['matched']}: {r.get('matched_text') or ''}",
                "rule": r["rule"], "score": f"{r['score']:.2f}" if r["score"] is not None else "",
                "detail": r["detail"], "party check": r.get("party_check", "")} for r in item.get("reasons", [])]
    parts.append(ListTable("why these statements are one commitment", reasons, [
        Column("statement"), Column("matched", "text"), Column("rule"), Column("score", justify="right"),
        Column("detail", "text", ratio=2), Column("party check", "name")]))
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

