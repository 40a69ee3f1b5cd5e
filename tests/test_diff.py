"""Diffs: two occasions of a relation (by year, date or id) or two documents; new, dropped and continued
commitments, wording word by word, target changes; the CLI, the Python API and /api/v1/diff agree."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from accord.api import Ledger
from accord.config import Settings
from accord.errors import InputError
from accord.ledger import NotFound
from accord.track.diff import target_changes, word_diff
from accord.web import create_app

# Norway and Uruguay meet in 2026 and again in 2027: the trade goal is raised and moved, the research
# committee is restated word for word, the consulate is not mentioned again, the trade fair is new.
FIRST = """Norway and Uruguay sign a fisheries and trade plan
OSLO, June 9, 2026 (Fjord Post) - Norway and Uruguay agreed to raise bilateral trade to US$2 billion by 2030, the two governments said after talks in Oslo.
The two sides will set up a joint committee on salmon farming research.
Norway will open a consulate in Montevideo by the end of next year.
"""
SECOND = """Uruguay and Norway lift their trade goal
MONTEVIDEO, July 14, 2027 (River Plate Herald) - Uruguay and Norway agreed to raise bilateral trade to US$3 billion by 2032, the two governments said after talks in Montevideo.
The two sides will set up a joint committee on salmon farming research.
Uruguay will host a Nordic trade fair in Punta del Este in 2028.
"""
# Another relation altogether.
ELSEWHERE = """Kenya and Chile agree on direct flights
NAIROBI, March 3, 2026 (Rift Wire) - Kenya and Chile agreed to open direct flights between Nairobi and Santiago by 2027.
"""
# A second Norway-Uruguay meeting in 2027: "2027" no longer names one occasion.
AUTUMN = """Norway and Uruguay discuss shipping
OSLO, November 20, 2027 (Fjord Post) - Norway and Uruguay agreed to open a direct shipping line between Bergen and Montevideo by 2029.
"""

TRADE_WORDS = [
    {"op": "delete", "text": "OSLO, June 9, 2026 (Fjord Post)"},
    {"op": "insert", "text": "MONTEVIDEO, July 14, 2027 (River Plate Herald)"},
    {"op": "equal", "text": "-"},
    {"op": "insert", "text": "Uruguay and"},
    {"op": "equal", "text": "Norway"},
    {"op": "delete", "text": "and Uruguay"},
    {"op": "equal", "text": "agreed to raise bilateral trade to"},
    {"op": "delete", "text": "US$2"},
    {"op": "insert", "text": "US$3"},
    {"op": "equal", "text": "billion by"},
    {"op": "delete", "text": "2030,"},
    {"op": "insert", "text": "2032,"},
    {"op": "equal", "text": "the two governments said after talks in"},
    {"op": "delete", "text": "Oslo."},
    {"op": "insert", "text": "Montevideo."},
]
TRADE_TARGET = {
    "metric": "bilateral trade", "unit": "USD", "change": "changed",
    "a": {"value": 2_000_000_000, "deadline": "by 2030", "statement": 2},
    "b": {"value": 3_000_000_000, "deadline": "by 2032", "statement": 6},
    "said": "bilateral trade: value changed 2 → 3 billion USD; deadline 2030 → 2032",
}


def write(folder: Path, *texts: tuple[str, str]) -> list[str]:
    paths = []
    for name, text in texts:
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(str(folder / name))
    return paths


def corpus(folder: Path) -> list[str]:
    return write(folder, ("fjord-2026-06-09.txt", FIRST), ("herald-2027-07-14.txt", SECOND),
                 ("rift-2026-03-03.txt", ELSEWHERE))


@pytest.fixture()
def ledger(ledger_url: str, tmp_path: Path) -> Iterator[Ledger]:
    with Ledger(ledger_url) as lg:
        lg.ingest(*corpus(tmp_path))
        yield lg


def texts(rows: list[dict[str, Any]], side: str) -> list[list[str]]:
    return [[s["text"] for s in row[side]] for row in rows]


def test_diff_of_two_occasions_by_year(ledger: Ledger) -> None:
    result = ledger.diff(2026, "2027", relation="URY-NOR")
    assert result["relation"] == "NOR-URY"
    assert (result["a"]["kind"], result["a"]["date"], result["b"]["date"]) == ("occasion", "2026-06-09", "2027-07-14")
    assert result["a"]["documents"] == [{"id": 1, "title": "Norway and Uruguay sign a fisheries and trade plan",
                                         "outlet": "Fjord Post", "published": "2026-06-09"}]
    assert result["b"]["label"] == (f"occasion #{result['b']['id']} of NOR-URY, 2027-07-14: "
                                    "Uruguay and Norway lift their trade goal (River Plate Herald)")
    assert texts(result["new"], "b") == [["Uruguay will host a Nordic trade fair in Punta del Este in 2028."]]
    assert texts(result["dropped"], "a") == [["Norway will open a consulate in Montevideo by the end of next year."]]
    trade, committee = result["continued"]
    assert (trade["wording_changed"], committee["wording_changed"]) == (True, False)
    assert trade["words"] == TRADE_WORDS
    assert trade["targets"] == [TRADE_TARGET]
    assert committee["words"] == [{"op": "equal",
                                   "text": "The two sides will set up a joint committee on salmon farming research."}]
    assert committee["targets"] == []
    assert [s["document"] for s in trade["a"] + trade["b"]] == [1, 2]
    # Occasion ids and dates name the same sides; two document ids give the same lists.
    by_id = ledger.diff(f"#{result['a']['id']}", "2027-07-14", relation="NOR-URY")
    by_document = ledger.diff(1, 2)
    assert (by_document["a"]["kind"], by_document["a"]["label"]) == (
        "document", "document 1: Norway and Uruguay sign a fisheries and trade plan (Fjord Post), 2026-06-09")
    for other in (by_id, by_document):
        assert {k: other[k] for k in ("new", "dropped", "continued")} == {
            k: result[k] for k in ("new", "dropped", "continued")}


def test_diff_refuses_bad_sides_in_one_line(ledger: Ledger, tmp_path: Path) -> None:
    cases: list[tuple[Callable[[], object], type[Exception], str]] = [
        (lambda: ledger.diff(1, 3), InputError,
         "document 1 is of NOR-URY but document 3 is of CHL-KEN: a diff compares documents of one relation"),
        (lambda: ledger.diff(1, 99), NotFound, "no document 99"),
        (lambda: ledger.diff("2026", "x"), InputError, "B: 'x' is not a document id"),
        (lambda: ledger.diff(2025, 2027, relation="NOR-URY"), NotFound,
         "A: no occasion of NOR-URY in 2025; its occasions are of 2026, 2027"),
        (lambda: ledger.diff(2026, 2027, relation="USA-JPN"), NotFound, "no relation 'USA-JPN' in the ledger"),
        (lambda: ledger.diff("2026", "27", relation="NOR-URY"), InputError,
         "B: '27' is not a year (2026), a month (2026-04), a date (2026-04-10) or an occasion id ('#12')"),
        (lambda: ledger.diff("2026-13", "2027", relation="NOR-URY"), InputError, "A: '2026-13' is not a year"),
        (lambda: ledger.diff("2026-02-30", "2027", relation="NOR-URY"), InputError, "A: '2026-02-30' is not a date"),
        (lambda: ledger.diff("#999", "2027", relation="NOR-URY"), NotFound, "A: no occasion #999 of NOR-URY"),
    ]
    for call, kind, message in cases:
        with pytest.raises(kind) as caught:
            call()
        assert str(caught.value).startswith(message), str(caught.value)
        assert "\n" not in str(caught.value)
    ledger.ingest(*write(tmp_path, ("fjord-2027-11-20.txt", AUTUMN)))
    with pytest.raises(InputError) as caught:
        ledger.diff(2026, 2027, relation="NOR-URY")
    occasions = [o for o in ledger.relation("NOR-URY")["occasions"] if o["date"].startswith("2027")]
    assert str(caught.value) == (
        f"B: NOR-URY has 2 occasions in 2027: #{occasions[0]['id']} 2027-07-14 (Uruguay and Norway lift their trade "
        f"goal (River Plate Herald)), #{occasions[1]['id']} 2027-11-20 (Norway and Uruguay discuss shipping "
        f"(Fjord Post)); give a date or an occasion id ('#{occasions[0]['id']}')")
    assert ledger.diff(2026, "2027-07", relation="NOR-URY")["continued"][0]["targets"] == [TRADE_TARGET]


def test_diff_api_answers_documents_and_occasions(ledger: Ledger, ledger_url: str) -> None:
    settings = Settings(database_url=ledger_url, api_tokens=("s3cret",), max_upload_bytes=20_000, secret_key="k")
    with TestClient(create_app(settings)) as client:
        by_year = client.get("/api/v1/diff?relation=NOR-URY&a=2026&b=2027")
        assert by_year.status_code == 200
        assert by_year.json() == json.loads(json.dumps(ledger.diff(2026, 2027, relation="NOR-URY")))
        by_document = client.get("/api/v1/diff?a=1&b=2").json()
        assert by_document["continued"][0]["targets"] == [TRADE_TARGET]
        for path, status, message in (
                ("/api/v1/diff?a=1&b=3", 422, "document 1 is of NOR-URY but document 3 is of CHL-KEN"),
                ("/api/v1/diff?a=1&b=99", 404, "no document 99"),
                ("/api/v1/diff?relation=NOR-URY&a=2025&b=2027", 404, "A: no occasion of NOR-URY in 2025"),
                ("/api/v1/diff?relation=USA-JPN&a=2026&b=2027", 404, "no relation 'USA-JPN'"),
                ("/api/v1/diff?relation=NOR-URY&a=soon&b=2027", 422, "A: 'soon' is not a year"),
                ("/api/v1/diff?a=1", 422, "b: Field required")):
            response = client.get(path)
            assert response.status_code == status, path
            error = response.json()["error"]
            assert (error["status"], error["message"].startswith(message)) == (status, True), error


CliRun = Callable[..., CompletedProcess[str]]


def test_diff_cli_table_json_and_errors(cli: CliRun, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert cli("ingest", *corpus(tmp_path), "--db", db, "--quiet").returncode == 0
    table = cli("diff", "--relation", "URY-NOR", "2026", "2027", "--db", db)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[:2] == [
        "A  occasion #1 of NOR-URY, 2026-06-09: Norway and Uruguay sign a fisheries and trade plan (Fjord Post)",
        "B  occasion #2 of NOR-URY, 2027-07-14: Uruguay and Norway lift their trade goal (River Plate Herald)"]
    assert lines[3:12] == [
        "new in B (1)",
        "  commitment 4 (economy_trade)",
        "    B (document 2): Uruguay will host a Nordic trade fair in Punta del Este in 2028.",
        "",
        "dropped since A (1)",
        "  commitment 3 (economy_trade)",
        "    A (document 1): Norway will open a consulate in Montevideo by the end of next year.",
        "",
        "continued (2)"]
    assert lines[15] == (
        "    words: [-OSLO, June 9, 2026 (Fjord Post)-]{+MONTEVIDEO, July 14, 2027 (River Plate Herald)+} - "
        "{+Uruguay and+} Norway [-and Uruguay-] agreed to raise bilateral trade to [-US$2-]{+US$3+} billion by "
        "[-2030,-]{+2032,+} the two governments said after talks in [-Oslo.-]{+Montevideo.+}")
    assert lines[16] == "    target bilateral trade: value changed 2 → 3 billion USD; deadline 2030 → 2032"
    assert lines[17:] == [
        "  commitment 2 (science_technology)",
        "    A (document 1): The two sides will set up a joint committee on salmon farming research.",
        "    B (document 2): The two sides will set up a joint committee on salmon farming research."]
    as_json = cli("diff", "1", "2", "--db", db, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    parsed = json.loads(as_json.stdout)
    assert (parsed["a"]["id"], parsed["b"]["id"], parsed["continued"][0]["words"]) == (1, 2, TRADE_WORDS)
    for args, message in (
            (["1", "3"], "accord: error: document 1 is of NOR-URY but document 3 is of CHL-KEN: "
                         "a diff compares documents of one relation"),
            (["--relation", "NOR-URY", "2025", "2027"], "accord: error: A: no occasion of NOR-URY in 2025; "
                                                        "its occasions are of 2026, 2027 (see `accord relations NOR-URY`)"),
            (["--relation", "NOR-URY", "2026", "next"], "accord: error: B: 'next' is not a year (2026), a month "
                                                        "(2026-04), a date (2026-04-10) or an occasion id ('#12'); "
                                                        "document ids go without a relation"),
            (["--relation", "NOR-XYZ", "2026", "2027"], "accord: error: no relation 'NOR-XYZ' in the ledger"),
            (["2026", "2027"], "accord: error: no document 2026 (see `accord documents`; to compare occasions, "
                               "give a relation)")):
        failed = cli("diff", *args, "--db", db)
        assert (failed.returncode, failed.stdout, failed.stderr) == (2, "", message + "\n"), args


def test_target_changes_pair_exact_then_by_metric() -> None:
    def tg(value: float, deadline: str | None, metric: str = "bilateral trade", unit: str = "USD") -> dict[str, Any]:
        return {"metric": metric, "unit": unit, "value": value, "deadline": deadline, "statement": 1}

    changes = target_changes([tg(5e9, "by 2025"), tg(10e9, "by 2030"), tg(12, None, "forest cover", "%")],
                             [tg(10e9, "by 2030"), tg(950e6, "by 2026"), tg(2, "by 2035", "emissions cut", "%")])
    assert [c["said"] for c in changes] == [
        "bilateral trade: unchanged, 10 billion USD by 2030",
        "bilateral trade: value changed 5 billion → 950 million USD; deadline 2025 → 2026",
        "forest cover: target dropped, 12 %",
        "emissions cut: target added, 2 % by 2035"]
    moved = target_changes([tg(2e9, "by 2030")], [tg(2e9, "by 2032")])
    assert [(c["change"], c["said"]) for c in moved] == [("changed", "bilateral trade: deadline 2030 → 2032")]


words = st.lists(st.text(st.characters(blacklist_categories=["Z", "C"]), min_size=1, max_size=6), max_size=12)


@given(words, words)
def test_word_diff_ops_rebuild_both_wordings(old: list[str], new: list[str]) -> None:
    a, b = " ".join(old), " ".join(new)
    ops = word_diff(a, b)
    assert " ".join(op["text"] for op in ops if op["op"] != "insert").split() == a.split()
    assert " ".join(op["text"] for op in ops if op["op"] != "delete").split() == b.split()
    assert all(op["text"] for op in ops)
