"""`accord extract` as a user runs it: formats, folders, and every kind of bad input."""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import CliResult

Cli = Callable[..., CliResult]
TEXT = (
    "Bangkok and Vientiane deepen rail links\n"
    "VIENTIANE, March 3 - Thailand and Laos agreed to extend the Nong Khai - Vientiane railway. "
    "They set a goal of US$10 billion in two-way trade by 2030.\n"
)


def test_jsonl_is_the_output_contract(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "talks.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = cli("extract", str(path), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["type"] for r in rows] == ["other", "commitment", "commitment"]
    for r in rows:
        assert TEXT[r["start"] : r["end"]] == r["text"]
        assert set(r) >= {"start", "end", "text", "type", "pillars", "mentions", "targets", "actors", "confidence"}
    assert rows[2]["targets"][0]["value"] == 10_000_000_000
    assert ("Nong Khai - Vientiane railway", "project") in [(m["text"], m["kind"]) for m in rows[1]["mentions"]]


def test_json_and_table_formats(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "talks.txt"
    path.write_text(TEXT, encoding="utf-8")
    rows = json.loads(cli("extract", str(path), "--format", "json").stdout)
    assert [r["document"] for r in rows] == [str(path)] * 3
    table = cli("extract", str(path), "--format", "table")
    assert table.returncode == 0
    assert "commitment" in table.stdout and "Nong Khai" in table.stdout


def test_folder_means_its_txt_files_in_order(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("The two sides agreed to meet.\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("The two sides held talks.\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored\n", encoding="utf-8")
    result = cli("extract", str(tmp_path), "--format", "jsonl")
    docs = [json.loads(line)["document"] for line in result.stdout.splitlines()]
    assert docs == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]


def assert_one_line_error(result: CliResult, fragment: str) -> None:
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in result.stderr


def test_missing_path(cli: Cli, tmp_path: Path) -> None:
    assert_one_line_error(cli("extract", str(tmp_path / "nope.txt")), "no such file")


def test_non_utf8_file(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "cp1252.txt"
    path.write_bytes("Thái Lan và Lào đã thống nhất.".encode("cp1258", errors="replace") + b"\x81\xfe")
    assert_one_line_error(cli("extract", str(path)), "not UTF-8")


def test_binary_file(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "archive.txt"
    path.write_bytes(bytes(range(256)) * 10)
    assert_one_line_error(cli("extract", str(path)), "binary file")


def test_bad_file_in_a_list_stops_before_any_output(cli: Cli, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("The two sides agreed to meet.\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02")
    assert_one_line_error(cli("extract", str(good), str(bad)), "binary file")


def test_empty_file_has_no_statements(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("")
    result = cli("extract", str(path), "--format", "jsonl")
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


def test_unknown_format_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("x\n")
    result = cli("extract", str(path), "--format", "xml")
    assert result.returncode == 2 and "Traceback" not in result.stderr and "--format" in result.stderr


def peak_rss_kb(args: list[str], stdout: int = subprocess.DEVNULL) -> tuple[int, int]:
    """Exit status and peak resident memory (KB) of one `accord` process."""
    proc = subprocess.Popen([sys.executable, "-m", "accord", *args], stdout=stdout, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return proc.returncode, usage.ru_maxrss


def test_50_mb_file_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_text(TEXT, encoding="utf-8")
    big = tmp_path / "big.txt"
    # 50 MB: mostly indentation, with a sentence on every line, so the whole file
    # passes through the reader and the pipeline without taking minutes.
    line = " " * 10_000 + "The two sides agreed to expand trade.\n"
    with big.open("w", encoding="utf-8") as f:
        for _ in range(50_000_000 // len(line) + 1):
            f.write(line)
    assert big.stat().st_size > 50_000_000
    code_small, rss_small = peak_rss_kb(["extract", str(small), "--format", "jsonl"])
    out = tmp_path / "out.jsonl"
    with out.open("w") as f:
        code_big, rss_big = peak_rss_kb(["extract", str(big), "--format", "jsonl"], stdout=f.fileno())
    assert code_small == 0 and code_big == 0
    with out.open() as f:
        assert sum(1 for _ in f) == 50_000_000 // len(line) + 1
    # Reading the file whole would add at least its 50 MB; streaming adds a few.
    assert rss_big - rss_small < 30_000


SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_read_commands_refuse_a_ledger_that_is_not_there(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    for args in (("commitments",), ("show", "1"), ("documents",), ("search", "trade"), ("history", "1"),
                 ("report",), ("status", "1", "stalled", "--evidence", "x"), ("users", "list")):
        done = cli(*args, "--db", str(missing))
        assert (done.returncode, done.stdout) == (2, ""), args
        assert done.stderr == f"accord: error: no ledger at {missing}: check --db (`accord ingest` creates one)\n"
        assert not missing.exists(), args  # not created empty
    made = cli("ingest", str(SAMPLES), "--db", str(missing), "--quiet")  # a plain path is a SQLite file
    assert made.returncode == 0 and missing.exists(), made.stderr
    listed = cli("commitments", "--format", "json", "--db", str(missing))
    assert listed.returncode == 0 and json.loads(listed.stdout), listed.stderr


def test_pillar_and_status_must_be_ones_that_exist(cli: Cli, tmp_path: Path) -> None:
    db = str(tmp_path / "ledger.db")
    assert cli("ingest", str(SAMPLES), "--db", db, "--quiet").returncode == 0
    for args, said in ((("--pillar", "economy"), "'economy' is not a pillar: use one of political, "),
                       (("--status", "done"), "'done' is not a status: use one of announced, in_progress")):
        done = cli("commitments", *args, "--db", db)
        assert done.returncode == 2 and said in " ".join(done.stderr.replace("│", " ").split()), done.stderr
    assert cli("report", "--pillar", "trade", "--db", db).returncode == 2
    announced = json.loads(cli("commitments", "--status", "announced", "--format", "json", "--db", db).stdout)
    assert announced and {c["status"] for c in announced} == {"announced"}
    assert json.loads(cli("commitments", "--status", "stalled", "--format", "json", "--db", db).stdout) == []
    trade = json.loads(cli("commitments", "--pillar", "economy_trade", "--format", "json", "--db", db).stdout)
    assert trade and all("economy_trade" in c["pillars"] for c in trade)


def test_ledger_addresses_as_people_write_them(ledger_url: str, cli: Cli) -> None:
    """A plain path is a SQLite file; postgres:// (as libpq and hosts write it) is PostgreSQL with psycopg."""
    from sqlalchemy.engine import make_url

    if ledger_url.startswith("sqlite:///"):
        given = ledger_url.removeprefix("sqlite:///")
    else:
        given = make_url(ledger_url).set(drivername="postgres").render_as_string(hide_password=False)
        assert given.startswith("postgres://")
    made = cli("ingest", str(SAMPLES), "--db", given, "--quiet")
    assert made.returncode == 0, made.stderr
    listed = cli("commitments", "--format", "json", "--db", given)
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) >= 3, listed.stderr
