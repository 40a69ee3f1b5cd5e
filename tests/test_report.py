"""`accord report`: each commitment under each of its pillars, with evidence and history, in md, html, csv,
json and pdf; charts as files beside Markdown, inline in HTML; hostile texts shown, never run."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pypdf
import pytest

from accord.api import Ledger
from conftest import CliResult

Cli = Callable[..., CliResult]
TODAY = date(2026, 6, 1)
CHARTS = ("statuses-by-pillar", "target-progress", "timeline")

# Written for these tests: a pledge with two pillars (and a <script> in it), one that a spreadsheet would
# run as a formula (and a Markdown link to javascript:), a trade target; then a report of progress.
PLEDGES = """Kenya and Chile sign trade and culture accords
NAIROBI, April 2, 2026 (Savanna Post) - Kenya and Chile agreed to raise bilateral trade to US$800 million by 2029.
The two sides will build the Mombasa - Malaba railway link and hold a <script>alert(1)</script> culture week.
=HYPERLINK("http://evil.example","x") The two sides agreed to open a [joint](javascript:alert(1)) training centre for nurses by 2027.
"""
FOLLOW_UP = """Kenya and Chile review railway plans
NAIROBI, May 12, 2026 (Savanna Post) - Kenyan and Chilean officials met in Nairobi on Monday.
The feasibility study of the Mombasa - Malaba railway link was approved by the Kenyan government, officials said.
"""
RAILWAY, NURSES, TRADE = "Mombasa - Malaba railway", "training centre for nurses", "bilateral trade"


def _find(items: list[dict], words: str) -> dict:  # type: ignore[type-arg]
    found = [c for c in items if words in c["text"]]
    assert len(found) == 1, [c["text"] for c in items]
    return found[0]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One ledger for the module, built once and only read by the tests: two documents, a person's accepted
    evidence, a recorded status with its source, and a target tracked by an indicator."""
    folder = tmp_path_factory.mktemp("report")
    for name, text in (("savanna-2026-04-02.txt", PLEDGES), ("savanna-2026-05-12.txt", FOLLOW_UP)):
        (folder / name).write_text(text, encoding="utf-8")
    url = f"sqlite:///{folder / 'ledger.db'}"
    with Ledger(url, today=TODAY) as ledger:
        ledger.ingest(str(folder / "savanna-2026-04-02.txt"))
        ledger.ingest(str(folder / "savanna-2026-05-12.txt"))
        items = ledger.commitments()
        railway, nurses, trade = (_find(items, w) for w in (RAILWAY, NURSES, TRADE))
        [candidate] = ledger.review()
        assert candidate["commitment_id"] == railway["id"]
        ledger.accept(candidate["id"], by="A. Analyst")
        ledger.status(nurses["id"], "stalled", "Ministry: no site chosen yet", source="https://health.example/notice",
                      observed=date(2026, 5, 20), by="B. Reviewer")
        ledger.add_indicator("KE-CL trade", "USD")
        ledger.observe("KE-CL trade", "2024", "300000000", "customs 2024")
        ledger.observe("KE-CL trade", "2025", "400000000", "customs 2025")
        ledger.link_target(trade["targets"][0]["id"], "KE-CL trade")
    return url


def _report(db: str, fmt: str, pillar: str | None = None) -> str:
    """The report as the CLI makes it, to standard output."""
    from accord.report import write_report

    with Ledger(db, today=TODAY) as ledger:
        written = write_report(ledger, fmt, pillar=pillar)
    assert written.body is not None and written.files == []
    return written.body.decode()


def _json(db: str, pillar: str | None = None) -> dict:  # type: ignore[type-arg]
    return json.loads(_report(db, "json", pillar))  # type: ignore[no-any-return]


def test_report_lists_each_commitment_under_each_of_its_pillars(db: str) -> None:
    data = _json(db)
    listed = [(g["pillar"], g["label"], [c["text"].split(" ")[-1] for c in g["commitments"]]) for g in data["pillars"]]
    assert listed == [("economy_trade", "Economy & trade", ["2029."]),
                      ("infrastructure_transport", "Infrastructure & transport", ["week."]),
                      ("education_training", "Education & training", ["2027."]),
                      ("culture_people", "Culture & people", ["week."])]
    only = _json(db, "culture_people")
    assert [(g["pillar"], len(g["commitments"])) for g in only["pillars"]] == [("culture_people", 1)]
    assert only["pillar"] == "culture_people" and only["as_of"] == "2026-06-01"


def test_report_includes_accepted_evidence_observations_and_status_history(db: str) -> None:
    data = _json(db)
    by_text = {c["text"]: c for g in data["pillars"] for c in g["commitments"]}
    railway, nurses, trade = (_find(list(by_text.values()), w) for w in (RAILWAY, NURSES, TRADE))
    [quote] = railway["evidence"]
    assert (quote["kind"], quote["by"], quote["title"], quote["published"], quote["suggested"], quote["stage"]) == (
        "document", "A. Analyst", "Kenya and Chile review railway plans", "2026-05-12", "in_progress", "approved")
    assert quote["text"] == ("The feasibility study of the Mombasa - Malaba railway link was approved by the Kenyan "
                             "government, officials said.")
    assert FOLLOW_UP[quote["start"]:quote["end"]] == quote["text"]
    assert [(h["field"], h["value"], h["observed"], h["by"], h["origin"], h["source"]) for h in railway["history"]] == [
        ("status", "in_progress", "2026-05-12", "A. Analyst", "reviewed", "document:2"),
        ("stage", "approved", "2026-05-12", "A. Analyst", "reviewed", "document:2")]
    assert [(h["value"], h["observed"], h["by"], h["evidence"], h["source"]) for h in nurses["history"]] == [
        ("stalled", "2026-05-20", "B. Reviewer", "Ministry: no site chosen yet", "https://health.example/notice")]
    assert (nurses["status"], nurses["status_by"]) == ("stalled", "B. Reviewer")
    assert [(e["period"], e["value"], e["source"]) for e in trade["evidence"]] == [
        ("2024-12-31", 300000000.0, "customs 2024"), ("2025-12-31", 400000000.0, "customs 2025")]
    assert trade["targets"][0]["indicator"]["name"] == "KE-CL trade"
    assert [h["origin"] for h in trade["history"]] == ["automatic"]
    # The same, as people read it.
    for text in (_report(db, "md"), _report(db, "html").replace("&#x27;", "'")):
        assert "2026-05-20: status → stalled, by B. Reviewer (reviewed" in text
        assert "“Ministry: no site chosen yet” (source: https://health.example/notice)" in text
        assert "2026-05-12: stage → approved, by A. Analyst (reviewed" in text
        assert "Kenya and Chile review railway plans, 2026-05-12, chars 131–244, accepted by A. Analyst" in text
        assert "KE-CL trade: 400,000,000.00 USD for 2025-12-31 (source: customs 2025)" in text


def test_markdown_on_standard_output_carries_no_images(db: str, cli: Cli) -> None:
    done = cli("report", "--db", db.removeprefix("sqlite:///"))
    assert done.returncode == 0, done.stderr
    assert "base64" not in done.stdout and "![" not in done.stdout and "data:" not in done.stdout
    assert "`accord report --format md --out DIR` writes them as PNG files into DIR" in done.stdout
    assert done.stdout.startswith("# Commitments report\n") and len(done.stdout) < 10_000
    headings = re.findall(r"^## (.+)$|^### \d+\. (.{24})", done.stdout, flags=re.MULTILINE)
    assert headings == [("Economy & trade (1)", ""), ("", "NAIROBI, April 2, 2026 ("),
                        ("Infrastructure & transport (1)", ""), ("", "The two sides will build"),
                        ("Education & training (1)", ""), ("", "=HYPERLINK(\"http://evil."),
                        ("Culture & people (1)", ""), ("", "The two sides will build")]  # under both of its pillars


def test_markdown_with_a_folder_writes_its_charts_there_and_links_them(db: str, cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "brief"
    done = cli("report", "--db", db, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["report-statuses-by-pillar.png", "report-target-progress.png",
                                                     "report-timeline.png", "report.md"]
    text = (out / "report.md").read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links == [f"report-{name}.png" for name in CHARTS]
    for link in links:
        assert (out / link).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "base64" not in text
    assert done.stdout == f"report written to {out / 'report.md'}, charts: " + ", ".join(links) + "\n"
    # A second run replaces nothing without --force, and says so.
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    again = cli("report", "--db", db, "--out", str(out))
    assert (again.returncode, again.stdout) == (2, "")
    assert again.stderr == (f"accord: error: {out / 'report.md'} exists: name another file, or pass --force to "
                            "replace it\n")
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    assert cli("report", "--db", db, "--out", str(out), "--force").returncode == 0


def test_markdown_file_beside_its_charts_through_the_python_api(db: str, tmp_path: Path) -> None:
    with Ledger(db, today=TODAY) as ledger:  # Ledger.report, as before: the charts beside the file it names
        text = ledger.report("md", output=str(tmp_path / "brief.md"))
    for name in CHARTS:
        assert f"![{name.replace('-', ' ')}](brief-{name}.png)" in text
        assert (tmp_path / f"brief-{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Targets of CHL-KEN for bilateral trade: 800,000,000 USD in all (staged targets counted once)" in text
    assert "50.00% reached (400,000,000.00 in 2025-12-31)" in text
    assert "Kenya and Chile review railway plans, 2026-05-12, chars 131–244, accepted by A. Analyst" in text  # evidence too


def test_csv_has_one_row_per_pillar_of_each_commitment(db: str, cli: Cli, tmp_path: Path) -> None:
    done = cli("report", "--db", db, "--format", "csv", "-o", str(tmp_path / "brief.csv"))
    assert done.returncode == 0, done.stderr
    with (tmp_path / "brief.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["pillar"], r["status"], r["status_by"]) for r in rows] == [
        ("economy_trade", "in_progress", ""), ("infrastructure_transport", "in_progress", "A. Analyst"),
        ("education_training", "stalled", "B. Reviewer"), ("culture_people", "in_progress", "A. Analyst")]
    assert rows[1]["id"] == rows[3]["id"] and rows[1]["text"] == rows[3]["text"]
    assert "accepted by A. Analyst" in rows[1]["evidence"] and "stage → approved" in rows[1]["history"]
    assert "(source: https://health.example/notice)" in rows[2]["history"]
    assert rows[0]["evidence"] == ("KE-CL trade: 300,000,000.00 USD for 2024-12-31 (source: customs 2024) | "
                                   "KE-CL trade: 400,000,000.00 USD for 2025-12-31 (source: customs 2025)")


def test_json_report_is_one_document(db: str, cli: Cli) -> None:
    done = cli("report", "--db", db, "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert sorted(data) == ["as_of", "pillar", "pillars", "summary", "totals"]
    assert data["totals"] == [{"relation": "CHL-KEN", "metric": "bilateral trade", "unit": "USD",
                               "value": 800000000.0}]
    first = data["pillars"][0]["commitments"][0]
    assert sorted(first) == ["actors", "deadline", "evidence", "first_pledged", "flags", "history", "id",
                             "last_seen", "parties", "pillars", "relation", "sources", "stage", "status",
                             "status_by", "status_origin", "targets", "text", "times_reaffirmed"]
    assert first["parties"] == ["CHL", "KEN"] and first["sources"][0]["outlet"] == "Savanna Post"


def test_html_report_is_one_self_contained_page(db: str, cli: Cli, tmp_path: Path) -> None:
    page_path = tmp_path / "brief.html"
    done = cli("report", "--db", db, "--format", "html", "-o", str(page_path))
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["brief.html"]  # no chart files, no leftovers
    page = page_path.read_text(encoding="utf-8")
    assert page.count("src='data:image/png;base64,") == 3
    assert re.findall(r"(?:src|href)=['\"](?!data:)", page) == []  # nothing fetched from elsewhere
    assert "<script" not in page and "<link" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<h2>Culture &amp; people (1)</h2>" in page and "<h2>Infrastructure &amp; transport (1)</h2>" in page


def test_hostile_texts_are_shown_never_run(db: str) -> None:
    page, md, table = _report(db, "html"), _report(db, "md"), _report(db, "csv")
    # HTML: the commitment's <script> is text.
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # Markdown: no raw HTML, no live link, on one line.
    assert "<script>" not in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "[joint](javascript" not in md and r"\[joint\](javascript:alert(1))" in md
    # CSV: a cell starting with = is quoted so a spreadsheet shows it instead of running it.
    rows = list(csv.DictReader(io.StringIO(table)))
    nurses = next(r for r in rows if r["pillar"] == "education_training")
    assert nurses["text"].startswith("'=HYPERLINK(")
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values())


def test_pdf_report_prints_through_chromium(db: str, cli: Cli, chromium: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdfium2

    monkeypatch.setenv("ACCORD_CHROMIUM", str(chromium))
    target = tmp_path / "brief.pdf"
    done = cli("report", "--db", db, "--format", "pdf", "-o", str(target))
    assert (done.returncode, done.stdout) == (0, f"report written to {target}\n"), done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["brief.pdf"]
    assert target.read_bytes()[:5] == b"%PDF-"
    text = " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(target).pages)
    for heading in ("Commitments report", "Economy & trade (1)", "Infrastructure & transport (1)",
                    "Education & training (1)", "Culture & people (1)"):
        assert heading in text
    assert "hold a <script>alert(1)</script> culture week" in text
    assert "Ministry: no site chosen yet" in text
    document = pypdfium2.PdfDocument(target)
    try:
        image = document[0].render(scale=1).to_pil().convert("L")
    finally:
        document.close()
    shades = image.histogram()  # pixels by grey level, 0 (black) to 255 (white)
    dark = sum(shades[:96])
    assert image.size[0] > 500 and 2_000 < dark < sum(shades) // 2  # text and charts drawn, not a blank page


def test_pdf_without_chromium_says_what_to_install(db: str, cli: Cli, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_CHROMIUM", str(tmp_path / "no-chromium"))
    done = cli("report", "--db", db, "--format", "pdf", "-o", str(tmp_path / "brief.pdf"))
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"accord: error: no Chromium at {tmp_path / 'no-chromium'} to print the PDF: install "
                           "Debian's chromium package (apt-get install chromium) or set ACCORD_CHROMIUM to a "
                           "Chromium or Chrome binary\n")
    assert [p.name for p in tmp_path.iterdir()] == []


def test_a_failed_print_leaves_no_file(db: str, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "bin" / "chromium"
    broken.parent.mkdir()
    broken.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("ACCORD_CHROMIUM", str(broken))
    done = cli("report", "--db", db, "--format", "pdf", "--out", str(tmp_path / "out"))
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "accord: error: Chromium could not print the PDF (exit 3): cannot open display\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]


def test_report_usage_errors(db: str, cli: Cli, tmp_path: Path) -> None:
    for args in (("--format", "docx"), ("--pillar", "trade")):
        done = cli("report", "--db", db, *args)
        assert (done.returncode, done.stdout) == (2, ""), args
    folder = tmp_path / "a-folder"
    folder.mkdir()
    done = cli("report", "--db", db, "-o", str(folder))
    assert (done.returncode, done.stderr) == (2, f"accord: error: {folder} is a folder: name the report file "
                                                 "(or use --out DIR)\n")
