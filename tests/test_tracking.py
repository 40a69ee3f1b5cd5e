"""Tracking: evidence from later documents, append-only history, indicators, flags and diffs."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from accord.api import Ledger
from accord.errors import InputError
from accord.ledger import tables as t
from accord.track.view import totals

FOLLOW_UP = """Laos approves feasibility study for the Vientiane - Vung Ang railway
VIENTIANE, March 10, 2026 (Mekong Wire) - The feasibility study of the Vientiane - Vũng Áng railway was approved by the Lao government on Tuesday, officials said.
Two-way trade between Vietnam and Laos reached US$2.3 billion in 2025, up 12 percent from a year earlier.
The ministers also discussed tourism promotion.
"""

TARGETED = """Cambodia and Thailand agree to lift trade
PHNOM PENH, May 20, 2026 (Kampuchea Daily) - Cambodia and Thailand agreed to raise bilateral trade to US$15 billion by 2028.
The two sides will build the Poipet - Aranyaprathet railway link by 2024.
"""


def seeds(shared: Path) -> list[str]:
    return [str(p) for p in sorted((shared / "corpus" / "seeds").glob("*.txt"))]


def find(items: list[dict], word: str) -> dict:  # type: ignore[type-arg]
    found = [c for c in items if any(word in s["text"] for s in c["sources"])]
    assert len(found) == 1, [c["text"][:50] for c in found]
    return found[0]


def test_follow_up_report_becomes_evidence_and_history_reads_right(ledger_url: str, shared: Path,
                                                                   tmp_path: Path) -> None:
    follow_up = tmp_path / "mekong-wire-2026-03-10.txt"
    follow_up.write_text(FOLLOW_UP, encoding="utf-8")
    with Ledger(ledger_url, today=date(2026, 4, 1)) as ledger:
        ledger.ingest(*seeds(shared))
        ledger.ingest(str(follow_up))
        pending = ledger.review()
        railway = find(ledger.commitments(), "Vientiane - Vũng Áng railway")
        trade = next(c for c in ledger.commitments() if any(tg["metric"] == "bilateral trade" for tg in c["targets"]))
        by_commitment = {c["commitment_id"]: c for c in pending}
        assert set(by_commitment) == {railway["id"], trade["id"]}
        assert (by_commitment[railway["id"]]["suggested"], by_commitment[railway["id"]]["stage"]) == (
            "in_progress", "approved")
        assert "reached US$2.3 billion" in by_commitment[trade["id"]]["evidence"]
        # Nothing moves until a person decides.
        assert ledger.commitment(railway["id"])["status"] == "announced"
        ledger.accept(by_commitment[railway["id"]]["id"], by="analyst")
        ledger.reject(by_commitment[trade["id"]]["id"], by="analyst")
        shown = ledger.commitment(railway["id"])
        assert (shown["status"], shown["status_origin"], shown["stage"]) == ("in_progress", "reviewed", "approved")
        history = shown["history"]
        assert [(h["field"], h["value"], h["observed"], h["origin"]) for h in history] == [
            ("status", "in_progress", "2026-03-10", "reviewed"), ("stage", "approved", "2026-03-10", "reviewed")]
        assert history[0]["evidence"].endswith("was approved by the Lao government on Tuesday, officials said.")
        assert history[0]["source"].startswith("document:")
        assert ledger.commitment(trade["id"])["status"] == "announced"
        assert ledger.review() == []
        # The pledge stated by two reports of one visit: one occasion, so not (yet) reaffirmed.
        assert (trade["times_reaffirmed"], trade["first_pledged"], trade["occasions"]) == (0, "2025-12-01", 1)


def test_status_changes_append_and_supersede(ledger_url: str, tmp_path: Path) -> None:
    doc = tmp_path / "t.txt"
    doc.write_text(TARGETED, encoding="utf-8")
    with Ledger(ledger_url, today=date(2026, 6, 1)) as ledger:
        ledger.ingest(str(doc))
        rail = find(ledger.commitments(), "railway")
        ledger.status(rail["id"], "stalled", "Land clearance halted (ministry briefing)", by="a",
                      observed=date(2026, 5, 25))
        ledger.status(rail["id"], "in_progress", "Correction: clearance resumed on 24 May", by="b",
                      observed=date(2026, 5, 24), source="https://example.org/briefing")
        history = ledger.history(rail["id"])
        assert [(h["value"], h["by"], h["supersedes"]) for h in history] == [
            ("stalled", "a", None), ("in_progress", "b", history[0]["id"])]
        assert ledger.commitment(rail["id"])["status"] == "in_progress"
        with pytest.raises(InputError, match="not a status"):
            ledger.status(rail["id"], "done", "evidence")
        with pytest.raises(InputError, match="cites evidence"):
            ledger.status(rail["id"], "fulfilled", "  ")
        assert len(ledger.history(rail["id"])) == 2


def test_history_cannot_be_rewritten_even_in_the_database(ledger_url: str, tmp_path: Path) -> None:
    doc = tmp_path / "t.txt"
    doc.write_text(TARGETED, encoding="utf-8")
    with Ledger(ledger_url) as ledger:
        ledger.ingest(str(doc))
        rail = find(ledger.commitments(), "railway")
        ledger.status(rail["id"], "stalled", "Land clearance halted", by="a")
        assert not any(hasattr(ledger, name) for name in ("edit_history", "delete_history", "update_status"))
        for statement in (update(t.status_changes).values(value="fulfilled"), delete(t.status_changes)):
            with pytest.raises(DBAPIError, match="append-only"):
                with ledger.engine.begin() as conn:
                    conn.execute(statement)
        assert [h["value"] for h in ledger.history(rail["id"])] == ["stalled"]


def test_cli_status_and_history(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    doc = tmp_path / "t.txt"
    doc.write_text(TARGETED, encoding="utf-8")
    assert cli("ingest", str(doc), "--db", db, "-q").returncode == 0
    bad = cli("status", "1", "finished", "--evidence", "x", "--db", db)
    assert bad.returncode == 2 and "not a status" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    ok = cli("status", "1", "in_progress", "--evidence", "Ministry report of 2026-06-01", "--by", "me",
             "--date", "2026-06-01", "--db", db)
    assert ok.returncode == 0, ok.stderr
    history = cli("history", "1", "--db", db, "--format", "json")
    assert '"value": "in_progress"' in history.stdout and '"origin": "reviewed"' in history.stdout


def test_indicator_csv_gives_progress_to_the_cent_with_pace_and_projection(ledger_url: str, tmp_path: Path) -> None:
    doc = tmp_path / "t.txt"
    doc.write_text(TARGETED, encoding="utf-8")
    csv = tmp_path / "trade.csv"
    csv.write_text(
        "indicator,period,value,source,unit,frequency\n"
        "Cambodia-Thailand bilateral trade,2023,\"9,345,678,901.23\",customs statistics,USD,yearly\n"
        "Cambodia-Thailand bilateral trade,2024,10845678901.23,customs statistics,USD,yearly\n"
        "Cambodia-Thailand bilateral trade,2025,12345678901.23,customs statistics,USD,yearly\n",
        encoding="utf-8")
    with Ledger(ledger_url, today=date(2026, 1, 1)) as ledger:
        ledger.ingest(str(doc))
        trade = next(c for c in ledger.commitments() if c["targets"] and c["targets"][0]["metric"] == "bilateral trade")
        target = trade["targets"][0]
        assert ledger.import_observations(str(csv)) == 3
        assert ledger.import_observations(str(csv)) == 0  # the same rows again add nothing
        ledger.link_target(target["id"], "Cambodia-Thailand bilateral trade")
        progress = next(tg for c in ledger.commitments() for tg in c["targets"] if tg["id"] == target["id"])["progress"]
        remaining = Decimal("15000000000") - Decimal("12345678901.23")
        years_left = Decimal((date(2028, 12, 31) - date(2026, 1, 1)).days) / Decimal("365.25")
        assert progress["latest"] == "12345678901.23"
        assert progress["percent"] == "82.30"
        assert progress["remaining"] == str(remaining) == "2654321098.77"
        assert progress["pace_needed"] == str((remaining / years_left).quantize(Decimal("0.01")))
        assert progress["deadline"] == "2028-12-31"
        assert date(2027, 10, 1) <= date.fromisoformat(progress["projected"]) <= date(2027, 10, 15)
        # The indicator moved the status automatically; a person's status still wins.
        assert ledger.commitment(trade["id"])["status_origin"] == "automatic"
        ledger.status(trade["id"], "stalled", "Border closures cut trade in 2026", by="analyst")
        ledger.observe("Cambodia-Thailand bilateral trade", "2026", "15000000000.00", "customs statistics")
        shown = ledger.commitment(trade["id"])
        assert (shown["status"], shown["status_origin"]) == ("stalled", "reviewed")
        assert [h["value"] for h in shown["history"] if h["origin"] == "automatic"] == ["in_progress", "fulfilled"]


def test_flags_are_computed_not_stored(ledger_url: str, tmp_path: Path) -> None:
    doc = tmp_path / "t.txt"
    doc.write_text(TARGETED, encoding="utf-8")
    with Ledger(ledger_url, today=date(2026, 6, 1)) as ledger:
        ledger.ingest(str(doc))
        rail = find(ledger.commitments(), "railway")
        assert "overdue" in rail["flags"] and "review:abandoned?" in rail["flags"]
        assert rail["status"] == "announced"  # a passed deadline proposes, never sets
        ledger.status(rail["id"], "in_progress", "Tracks laid on 40 km", observed=date(2026, 5, 1))
        ledger.status(rail["id"], "stalled", "Works halted", observed=date(2026, 5, 20))
        assert "disputed" in find(ledger.commitments(), "railway")["flags"]
    with Ledger(ledger_url, today=date(2028, 6, 1)) as later:
        assert "stale" in find(later.commitments(), "railway")["flags"]


def test_staged_targets_count_once_and_diff_of_the_seeds(ledger_url: str, shared: Path) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.ingest(*seeds(shared))
        items = ledger.commitments()
        assert totals(items)[("LAO-VNM", "bilateral trade", "USD")] == 10_000_000_000
        vna, vov = (d["id"] for d in sorted(ledger.documents(), key=lambda d: d["source"]))
        result = ledger.diff(vna, vov)
        only_vov = [s["text"] for r in result["new"] for s in r["b"]]
        only_vna = [s["text"] for r in result["dropped"] for s in r["a"]]
        both = [r["b"][0]["text"] for r in result["continued"]]
        assert any(text.startswith("Cultural, scientific, and technical cooperation") for text in only_vov)
        assert any("Solidarity Year 2027" in text for text in only_vna)
        assert any("US$5 billion" in text for text in both)
        assert len(result["new"]) + len(both) == sum(1 for c in items if any(s["document"] == vov for s in c["sources"]))
