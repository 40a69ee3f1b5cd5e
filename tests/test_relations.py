"""Relations and occasions: merges never cross a relation, two reports of one visit are one occasion,
targets are listed once, evidence comes only from the same relation, parties can be corrected."""

from datetime import date
from pathlib import Path

from accord.api import Ledger

# Two outlets report one visit (a day apart); a year later the partners restate the goal.
VISIT_WIRE = """Kenya and Chile agree to double trade
NAIROBI, March 3, 2026 (Rift Wire) - President William Ruto of Kenya and President Gabriel Boric of Chile agreed to raise bilateral trade to US$2 billion by 2030.
The two presidents also agreed to open direct flights between Nairobi and Santiago.
"""
VISIT_PAPER = """Chile and Kenya set a trade goal
SANTIAGO, March 4, 2026 (Andes Daily) - Chile and Kenya have agreed to lift two-way trade to US$2 billion by 2030, the two governments said after talks between President Boric and President Ruto.
The leaders agreed to launch direct flights linking Santiago and Nairobi.
"""
YEAR_LATER = """Kenya, Chile review trade goal
NAIROBI, April 20, 2027 (Rift Wire) - Kenya and Chile reaffirmed that they will raise bilateral trade to US$2 billion by 2030, ministers of the two countries said after talks in Nairobi.
"""
# Another relation with the same undertaking, word for word: never the same commitment.
OTHER_RELATION = """Ghana and Peru agree to double trade
ACCRA, March 5, 2026 (Coast Wire) - President John Mahama of Ghana and President Dina Boluarte of Peru agreed to raise bilateral trade to US$2 billion by 2030.
"""
# Trade figures of one relation are no evidence for another relation's goal.
FIGURES = """Kenya-Chile trade figures
NAIROBI, May 2, 2027 (Rift Wire) - Bilateral trade between Kenya and Chile stood at US$950 million last year, officials of the two countries said.
"""


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def trade(items: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    return [c for c in items if any(tg["value"] == 2_000_000_000 for tg in c["targets"])]


def test_two_reports_of_one_visit_are_one_occasion_and_a_later_one_a_reaffirmation(
        ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url, today=date(2027, 6, 1)) as ledger:
        ledger.ingest(write(tmp_path, "wire.txt", VISIT_WIRE), write(tmp_path, "paper.txt", VISIT_PAPER),
                      write(tmp_path, "other.txt", OTHER_RELATION))
        docs = {d["source"].rsplit("/", 1)[-1]: d for d in ledger.documents()}
        assert [p["code"] for p in docs["wire.txt"]["parties"]] == ["CHL", "KEN"]
        assert docs["wire.txt"]["relation"] == docs["paper.txt"]["relation"] == "CHL-KEN"
        assert docs["other.txt"]["relation"] == "GHA-PER"
        assert docs["wire.txt"]["occasion"] == docs["paper.txt"]["occasion"] != docs["other.txt"]["occasion"]
        goals = trade(ledger.commitments())
        assert sorted(c["relation"] for c in goals) == ["CHL-KEN", "GHA-PER"]  # never across relations
        kc = next(c for c in goals if c["relation"] == "CHL-KEN")
        assert len(kc["sources"]) == 2 and kc["times_reaffirmed"] == 0 and kc["first_pledged"] == "2026-03-03"
        assert [(tg["value"], len(tg["sources"])) for tg in kc["targets"]] == [(2_000_000_000, 2)]  # once

        ledger.ingest(write(tmp_path, "later.txt", YEAR_LATER))
        kc = next(c for c in trade(ledger.commitments()) if c["relation"] == "CHL-KEN")
        assert len(kc["sources"]) == 3 and kc["occasions"] == 2 and kc["times_reaffirmed"] == 1
        assert kc["first_pledged"] == "2026-03-03"
        assert [tg["value"] for tg in kc["targets"]] == [2_000_000_000]

        relation = ledger.relation("KEN-CHL")  # either order names the relation
        assert relation["relation"] == "CHL-KEN" and relation["occasion_count"] == 2
        assert [o["date"] for o in relation["occasions"]] == ["2026-03-03", "2027-04-20"]
        assert {c["id"] for c in relation["commitments"]} >= {kc["id"]}
        assert all(c["relation"] == "CHL-KEN" for c in relation["commitments"])
        assert [t["value"] for t in relation["totals"] if t["unit"] == "USD"] == [2_000_000_000]


def test_figures_are_evidence_only_within_their_relation(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url, today=date(2027, 6, 1)) as ledger:
        ledger.ingest(write(tmp_path, "other.txt", OTHER_RELATION))
        ledger.ingest(write(tmp_path, "figures.txt", FIGURES))
        assert ledger.review() == []  # Kenya–Chile figures are nothing to Ghana–Peru's goal
        ledger.ingest(write(tmp_path, "wire.txt", VISIT_WIRE))
        ledger.ingest(write(tmp_path, "figures-again.txt", FIGURES.replace("May 2", "May 3") + "\n"))
        pending = ledger.review()
        kc = next(c for c in trade(ledger.commitments()) if c["relation"] == "CHL-KEN")
        assert [p["commitment_id"] for p in pending] == [kc["id"]]
        assert "stood at US$950 million" in pending[0]["evidence"] + pending[0]["reason"]


def test_a_person_corrects_parties_and_the_commitments_follow(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url, today=date(2027, 6, 1)) as ledger:
        ledger.ingest(write(tmp_path, "wire.txt", VISIT_WIRE), write(tmp_path, "paper.txt", VISIT_PAPER))
        paper = next(d for d in ledger.documents() if d["source"].endswith("paper.txt"))
        row = ledger.set_parties(paper["id"], ["gha", "PER"], by="analyst")
        assert (row["relation"], row["parties_by"], row["parties_confidence"]) == ("GHA-PER", "analyst", 1.0)
        assert [p["code"] for p in row["parties"]] == ["GHA", "PER"]
        for c in ledger.commitments():
            relations = {ledger.document(s["document"])["relation"] for s in c["sources"]}
            assert relations == {c["relation"]}, c["text"]
        assert [c["relation"] for c in trade(ledger.commitments())] == ["CHL-KEN", "GHA-PER"]


def test_undated_documents_leave_first_pledged_unknown(ledger_url: str, tmp_path: Path) -> None:
    undated = VISIT_WIRE.replace("NAIROBI, March 3, 2026 (Rift Wire) - ", "")
    with Ledger(ledger_url, today=date(2027, 6, 1)) as ledger:
        ledger.ingest(write(tmp_path, "undated.txt", undated))
        doc = ledger.documents()[0]
        assert doc["published"] is None
        assert all(c["first_pledged"] is None for c in ledger.commitments())


def test_the_seeds_trade_goal_lists_each_target_once(ledger_url: str, shared: Path) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.ingest(*(str(p) for p in sorted((shared / "corpus" / "seeds").glob("*.txt"))))
        goal = next(c for c in ledger.commitments()
                    if any(tg["metric"] == "bilateral trade" for tg in c["targets"]))
        assert sorted(tg["value"] for tg in goal["targets"]) == [5_000_000_000, 10_000_000_000]
        assert (goal["relation"], goal["times_reaffirmed"], goal["occasions"]) == ("LAO-VNM", 0, 1)
        shown = ledger.commitment(goal["id"])
        joined = [r for r in shown["reasons"] if r["matched"] is not None]
        assert joined and all(r["party_check"].startswith("same relation LAO-VNM") for r in joined)
        assert all(r["matched_text"] for r in joined)


def test_bad_parties_are_refused_in_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 'l.db'}"
    assert cli("ingest", write(tmp_path, "wire.txt", VISIT_WIRE), "--db", db, "--quiet").returncode == 0
    for codes, message in (("XYZ,KEN", "unknown party 'XYZ'"), (",", "no parties given")):
        result = cli("documents", "--db", db, "--set-parties", "1", codes)
        assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "no document 9" in cli("documents", "--db", db, "--set-parties", "9", "KEN,CHL").stderr
    fixed = cli("documents", "--db", db, "--set-parties", "1", "ken, chl", "--by", "analyst")
    assert fixed.returncode == 0 and "parties CHL, KEN (relation CHL-KEN" in fixed.stdout
    listed = cli("relations", "--db", db, "--format", "json")
    assert '"relation": "CHL-KEN"' in listed.stdout


def test_an_outlet_given_on_ingest_wins(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 'l.db'}"
    path = write(tmp_path, "wire.txt", VISIT_WIRE)
    assert cli("ingest", path, "--db", db, "--quiet", "--outlet", "Ministry of Trade").returncode == 0
    docs = cli("documents", "--db", db, "--format", "json").stdout
    assert '"outlet": "Ministry of Trade"' in docs and '"published": "2026-03-03"' in docs
    blank = cli("ingest", path, "--db", db, "--outlet", " ")
    assert blank.returncode != 0 and "--outlet" in blank.stderr and "Traceback" not in blank.stderr


SUMMIT_DATED = """Peru and the United States meet at APEC
LIMA, November 15, 2024 (Andes Daily) - President Dina Boluarte of Peru and President Joe Biden of the United States met on the margins of the APEC Summit in Lima and agreed to expand port investment.
"""
SUMMIT_UNDATED = """Boluarte and Biden talk ports at APEC
President Biden of the United States and President Boluarte of Peru, meeting at the APEC Summit, agreed to widen investment in ports.
"""
SUMMIT_NEXT_YEAR = """Peru and the United States meet at APEC again
GYEONGJU, November 1, 2025 (Andes Daily) - President Dina Boluarte of Peru and the President of the United States met at the APEC Summit and agreed to expand port investment.
"""


def test_an_undated_report_of_a_named_summit_joins_its_occasion(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.ingest(write(tmp_path, "dated.txt", SUMMIT_DATED), write(tmp_path, "undated.txt", SUMMIT_UNDATED),
                      write(tmp_path, "next.txt", SUMMIT_NEXT_YEAR))
        docs = {d["source"].rsplit("/", 1)[-1]: d for d in ledger.documents()}
        assert {d["relation"] for d in docs.values()} == {"PER-USA"}
        assert docs["undated.txt"]["published"] is None
        assert docs["undated.txt"]["occasion"] == docs["dated.txt"]["occasion"]  # the same named summit
        assert docs["next.txt"]["occasion"] != docs["dated.txt"]["occasion"]  # the same name a year later
        relation = ledger.relation("USA-PER")
        assert [(o["date"], len(o["documents"])) for o in relation["occasions"]] == [("2024-11-15", 2),
                                                                                     ("2025-11-01", 1)]
