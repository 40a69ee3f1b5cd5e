"""A ledger of many relations and years, scored by ../shared/gold/score_ledger.py (issue 10's acceptance)."""

import json
import re
import subprocess
import sys
from pathlib import Path

from accord.api import Ledger

SETS = ("seeds", "dev", "dev2", "train")


def summary(shared: Path, ledger_url: str, tmp_path: Path) -> dict[str, float]:
    folders = [str(shared / "corpus" / s) for s in SETS]
    with Ledger(ledger_url) as ledger:
        ledger.ingest(*folders)
        (tmp_path / "documents.json").write_text(json.dumps(ledger.documents(), default=str), "utf-8")
        (tmp_path / "commitments.json").write_text(json.dumps(ledger.commitments(), default=str), "utf-8")
    gold = shared / "gold"
    scored = subprocess.run(
        [sys.executable, str(gold / "score_ledger.py"), str(gold / "documents.json"), str(tmp_path / "documents.json"),
         str(tmp_path / "commitments.json"), str(gold / "merges.json"), str(gold / "merges-years.json")],
        capture_output=True, text=True, check=True)
    line = next(x for x in scored.stdout.splitlines() if x.startswith("SUMMARY"))
    print(scored.stdout)
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}


def test_a_ledger_of_many_relations_meets_issue_10(shared: Path, ledger_url: str, tmp_path: Path) -> None:
    got = summary(shared, ledger_url, tmp_path)
    assert got["missing_docs"] == 0
    assert got["cross_party"] == 0, got
    assert got["parties_acc"] >= 0.95, got
    assert got["date_acc"] >= 0.95, got
    assert got["first_err"] == 0, got
    assert got["reaffirm_err"] <= 1, got
    assert got["must_clean"] >= 0.80, got
