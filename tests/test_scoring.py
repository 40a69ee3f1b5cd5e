"""The dev-set scores of issue 2, measured the way the issue measures them.

`accord extract` runs over each corpus folder, its JSONL goes to one file per
document, and ../shared/gold/score.py scores it. Below a floor, the test fails.
"""

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult

FLOORS = {
    "seeds": {"commitment": 0.95, "type_accuracy": 0.90, "pillars": 0.85, "mentions": 0.85, "targets": 1.0},
    "dev": {"commitment": 0.90, "type_accuracy": 0.85, "pillars": 0.80, "mentions": 0.80, "targets": 0.85},
}


def score(cli: Callable[..., CliResult], shared: Path, which: str, out: Path) -> dict[str, object]:
    docs = shared / "corpus" / which
    gold = shared / "gold" if which == "seeds" else shared / "gold" / "dev"
    result = cli("extract", str(docs), "--format", "jsonl", "-j", "2")
    assert result.returncode == 0, result.stderr
    per_doc: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        row = json.loads(line)
        per_doc.setdefault(Path(row.pop("document")).name, []).append(json.dumps(row, ensure_ascii=False))
    for name, rows in per_doc.items():
        (out / f"{name}.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    scored = subprocess.run(
        [sys.executable, str(shared / "gold" / "score.py"), str(gold), str(docs), str(out), "--json"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(scored.stdout)


@pytest.mark.parametrize("which", ["seeds", "dev"])
def test_dev_set_scores_meet_the_floors(cli: Callable[..., CliResult], shared: Path, tmp_path: Path,
                                         which: str) -> None:
    result = score(cli, shared, which, tmp_path)
    assert result["offsets_bad"] == 0
    measured = {k: (result[k][2] if isinstance(result[k], list) else result[k]) for k in FLOORS[which]}
    print(which, measured)
    below = {k: v for k, v in measured.items() if v < FLOORS[which][k]}
    assert not below, f"{which}: below the floors {FLOORS[which]}: {below}"
