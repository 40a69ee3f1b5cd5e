"""`accord report`: a brief per pillar in md, html, csv and json, with charts."""

import csv
import io
import json
from datetime import date
from pathlib import Path

from accord.api import Ledger

DOC = """Thailand and Cambodia lift trade goal
PHNOM PENH, May 20, 2026 (Kampuchea Daily) - Cambodia and Thailand agreed to raise bilateral trade to US$15 billion by 2028 and then to US$20 billion.
The two sides will build the Poipet - Aranyaprathet railway link and hold a <script>alert(1)</script> culture week.
"""


def ledger_with_progress(tmp_path: Path) -> Ledger:
    doc = tmp_path / "kd-2026-05-20.txt"
    doc.write_text(DOC, encoding="utf-8")
    ledger = Ledger(f"sqlite:///{tmp_path / 'r.db'}", today=date(2026, 6, 1))
    ledger.ingest(str(doc))
    trade = next(c for c in ledger.commitments() if c["targets"])
    ledger.add_indicator("KH-TH trade", "USD")
    ledger.observe("KH-TH trade", "2024", "9000000000", "customs")
    ledger.observe("KH-TH trade", "2025", "12000000000", "customs")
    ledger.link_target(min(t["id"] for t in trade["targets"]), "KH-TH trade")
    rail = next(c for c in ledger.commitments() if "railway" in c["text"])
    ledger.status(rail["id"], "in_progress", "Survey teams deployed", observed=date(2026, 5, 30))
    return ledger


def test_markdown_report_with_charts_beside_it(tmp_path: Path) -> None:
    with ledger_with_progress(tmp_path) as ledger:
        out = tmp_path / "brief.md"
        text = ledger.report("md", output=str(out))
    assert text.startswith("# Commitments report")
    assert "Targets of KHM-THA for bilateral trade: 20,000,000,000 USD in all (staged targets counted once)" in text
    assert "80.00% reached (12,000,000,000.00 in 2025-12-31)" in text
    assert "**in progress** (reviewed)" in text
    for name in ("statuses-by-pillar", "target-progress", "timeline"):
        image = tmp_path / f"brief-{name}.png"
        assert f"]({image.name})" in text
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "(chars " in text and "Kampuchea Daily" in text


def test_html_report_embeds_charts_and_escapes_text(tmp_path: Path) -> None:
    with ledger_with_progress(tmp_path) as ledger:
        page = ledger.report("html")
    assert page.count("src='data:image/png;base64,") == 3
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<h2>Economy trade</h2>" in page


def test_csv_and_json_reports(tmp_path: Path) -> None:
    with ledger_with_progress(tmp_path) as ledger:
        rows = list(csv.DictReader(io.StringIO(ledger.report("csv"))))
        data = json.loads(ledger.report("json", pillar="economy_trade"))
    # Trade moved automatically (its indicator), the railway by a person.
    assert sorted((r["status"], r["status_origin"]) for r in rows) == [("in_progress", "automatic"),
                                                                     ("in_progress", "reviewed")]
    assert data["as_of"] == "2026-06-01" and data["pillar"] == "economy_trade"
    assert data["totals"] == [{"relation": "KHM-THA", "metric": "bilateral trade", "unit": "USD",
                               "value": 20000000000.0}]
    assert all("economy_trade" in c["pillars"] for c in data["commitments"])
