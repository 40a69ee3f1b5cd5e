"""CLI tables at the widths people's terminals have: every exact value (id, status, date, number, pillar, type)
shown whole, text wrapped between words, and --wide printing each row on one line."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

STATEMENT = (
    "Joint Statement of the Republic of Korea and the Kingdom of Norway\n\n"
    "Oslo, 4 March 2025\n\n"
    "The Republic of Korea and the Kingdom of Norway held talks in Oslo on strengthening their partnership "
    "in clean shipping and offshore wind.\n\n"
    "The two sides agreed to invest US$15,000,000,000 in green hydrogen ports by 2030-12-31.\n\n"
    "Norway pledged to open a maritime training centre in Busan by the end of 2027.\n"
)
INVESTMENT = "The two sides agreed to invest US$15,000,000,000 in green hydrogen ports by 2030-12-31."


def accord(*args: str, columns: int | None = None) -> str:
    """`accord ARGS...` in a fresh process with its stdout piped, as `cli` runs it, on a terminal COLUMNS wide
    (rich reads COLUMNS); its stdout, after checking it succeeded."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS", "LINES")}
    env["PYTHONWARNINGS"] = "ignore"
    if columns is not None:
        env["COLUMNS"] = str(columns)
    done = subprocess.run([sys.executable, "-m", "accord", *args], capture_output=True, text=True, timeout=300,
                          env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A ledger of one joint statement, with a status recorded on its investment; built once, only read."""
    folder = tmp_path_factory.mktemp("width")
    text = folder / "statement.txt"
    text.write_text(STATEMENT, encoding="utf-8")
    db = str(folder / "ledger.db")
    accord("ingest", str(text), "--db", db, "--quiet")
    items = json.loads(accord("commitments", "--db", db, "--format", "json"))
    investment = next(c for c in items if c["text"] == INVESTMENT)
    accord("status", str(investment["id"]), "in_progress", "--evidence", "The port authority opened the first tender",
           "--date", "2026-05-12", "--by", "A. Analyst", "--db", db)
    return {"db": db, "text": str(text),
            "commitments": json.loads(accord("commitments", "--db", db, "--format", "json")),
            "statements": json.loads(accord("extract", str(text), "--format", "json"))}


def words(output: str) -> set[str]:
    return set(output.split())


def assert_fits(output: str, columns: int) -> None:
    assert output.strip()
    assert max(len(line) for line in output.splitlines()) <= columns, output


@pytest.mark.parametrize("columns", [80, 120])
def test_commitments_show_every_exact_value_whole(ledger: dict[str, Any], columns: int) -> None:
    out = accord("commitments", "--db", ledger["db"], columns=columns)
    assert_fits(out, columns)
    shown = words(out)
    assert len(ledger["commitments"]) == 2
    for c in ledger["commitments"]:
        assert {c["relation"], c["status"], c["first_pledged"], c["last_seen"], *c["pillars"]} <= shown, out
        assert set(c["text"].split()) <= shown, out  # wrapped between words, never inside one
    assert {"in_progress", "announced", "infrastructure_transport", "US$15,000,000,000", "2030-12-31."} <= shown
    investment = next(c for c in ledger["commitments"] if c["text"] == INVESTMENT)
    if columns == 80:  # too narrow for eight columns with their exact values: one record per commitment
        assert re.search(rf"(?m)^id +{investment['id']} *$", out), out
        assert re.search(r"(?m)^status +in_progress *$", out), out
    else:  # a table: the id, relation, start of the title, first pillar, status and deadline on the row's first line
        assert re.search(rf"(?m)^ *{investment['id']} +KOR-NOR +The two sides .* economy_trade +in_progress +"
                         r"2030-12-31 +2025-03-04 +0 *$", out), out


@pytest.mark.parametrize("columns", [80, 120])
def test_extract_table_shows_offsets_types_and_the_target_whole(ledger: dict[str, Any], columns: int) -> None:
    out = accord("extract", ledger["text"], "--format", "table", columns=columns)
    assert_fits(out, columns)
    shown = words(out)
    assert len(ledger["statements"]) == 5
    for s in ledger["statements"]:
        assert {f"{s['start']}–{s['end']}", s["type"], f"{s['confidence']:.2f}", *s["pillars"]} <= shown, out
        assert set(s["text"].split()) <= shown, out
    assert "15,000,000,000" in shown  # the target's value, formatted


@pytest.mark.parametrize("columns", [80, 120])
def test_history_show_documents_and_search_keep_dates_and_numbers_whole(ledger: dict[str, Any],
                                                                         columns: int) -> None:
    investment = next(c for c in ledger["commitments"] if c["text"] == INVESTMENT)
    history = accord("history", str(investment["id"]), "--db", ledger["db"], columns=columns)
    assert_fits(history, columns)
    assert {"in_progress", "2026-05-12", "reviewed"} <= words(history), history
    shown = accord("show", str(investment["id"]), "--db", ledger["db"], columns=columns)
    assert {"in_progress", "15,000,000,000", "2025-03-04", "USD", "KOR-NOR"} <= words(shown), shown
    documents = accord("documents", "--db", ledger["db"], columns=columns)
    assert_fits(documents, columns)
    assert {"2025-03-04", "KOR", "NOR", "Oslo"} <= words(documents), documents
    found = accord("search", "hydrogen", "--db", ledger["db"], columns=columns)
    assert_fits(found, columns)
    assert {"commitment", "US$15,000,000,000", "2030-12-31."} <= words(found), found


def test_without_wide_long_text_wraps_within_the_terminal(ledger: dict[str, Any]) -> None:
    out = accord("commitments", "--db", ledger["db"], columns=80)
    assert INVESTMENT not in out  # 87 characters: wrapped in 80 columns
    assert INVESTMENT.split()[-1] in words(out)


@pytest.mark.parametrize("command", [["commitments"], ["search", "hydrogen"], ["documents"]])
def test_wide_prints_each_row_on_one_line(ledger: dict[str, Any], command: list[str]) -> None:
    out = accord(*command, "--db", ledger["db"], "--wide", columns=80)
    if command[0] == "documents":
        row = next(line for line in out.splitlines() if "Joint Statement of the Republic of Korea and the "
                                                         "Kingdom of Norway" in line)
        assert {"2025-03-04", "Oslo", "KOR;", "NOR"} <= words(row), out
        return
    row = next(line for line in out.splitlines() if INVESTMENT in line)
    assert len(row) > 80
    if command[0] == "commitments":
        assert {"KOR-NOR", "economy_trade;", "infrastructure_transport", "in_progress", "2025-03-04"} <= words(row)
    else:
        assert {"commitment", "Joint", "Norway"} <= words(row)


def test_extract_wide_prints_each_statement_on_one_line(ledger: dict[str, Any]) -> None:
    out = accord("extract", ledger["text"], "--format", "table", "--wide", columns=80)
    row = next(line for line in out.splitlines() if INVESTMENT in line)
    assert {"228–315", "commitment", "0.99", "15,000,000,000"} <= words(row) and "infrastructure_transport" in row, out


@settings(max_examples=60, deadline=None)
@given(width=st.integers(min_value=60, max_value=220), ids=st.lists(st.integers(1, 10**9), min_size=1, max_size=4),
       text=st.text(st.sampled_from("abcdefghij ,.-"), min_size=0, max_size=300))
def test_rows_table_never_cuts_an_exact_value_at_any_width(width: int, ids: list[int], text: str) -> None:
    from io import StringIO

    from rich.console import Console

    from accord.export import rows_table

    rows = [{"id": i, "relation": "KOR-NOR", "text": text, "pillars": ["economy_trade", "infrastructure_transport"],
             "status": "in_progress", "first_pledged": "2025-03-04", "value": f"{i * 1000:,}"} for i in ids]
    out = StringIO()
    Console(file=out, width=width).print(rows_table("t", rows, list(rows[0])))
    shown = words(out.getvalue())
    assert max(len(line) for line in out.getvalue().splitlines()) <= width
    for r in rows:
        assert {str(r["id"]), "KOR-NOR", "economy_trade", "infrastructure_transport", "in_progress", "2025-03-04",
                r["value"]} <= shown
        assert set(text.split()) <= shown or any(len(w) > 20 for w in text.split())  # only a longer word folds
