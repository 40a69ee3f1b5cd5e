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


# Grouped 5-fold cross-validation (issue 9): what predicts unseen text. These floors are the
# figures measured today, a little below; issue 9's goals (commitment 0.90, type 0.82, pillars
# 0.80, targets 0.80) are not reached yet, and the floors rise with the models.
CV_FLOORS = {"commitment_f1": 0.84, "type_acc": 0.76, "pillars_f1": 0.74, "mentions_f1": 0.87,
             "targets_f1": 0.80}
CV_ECE_CEILING = 0.08


def test_cross_validated_scores_meet_the_floors(shared: Path, tmp_path: Path) -> None:
    """Each fold's models are trained without its documents (the full training, ~1 minute)."""
    from accord.extract import training

    score_module = training._score_module(shared)
    docs = training.labelled_documents(shared)
    examples = training.read_examples(docs, score_module)
    total, per_fold = training.cross_validate(docs, examples, score_module, tmp_path)
    measured = training.figures(total)
    print("cross-validated", measured)
    assert len(per_fold) == training.FOLDS and total["sentences"] == 1127 and total["offsets_bad"] == 0
    below = {k: v for k, v in measured.items() if k in CV_FLOORS and v < CV_FLOORS[k]}
    assert not below, f"below the cross-validated floors {CV_FLOORS}: {below}"
    assert measured["ece"] <= CV_ECE_CEILING


def test_training_is_deterministic_and_matches_the_shipped_models(shared: Path, tmp_path: Path) -> None:
    """`make train` writes the committed models again: the same features, labels and thresholds, and the same
    weights up to the last rounded digits (floating-point sums differ by a hair between BLAS builds)."""
    import json
    from importlib import resources

    from accord.extract import training

    training.main(["train", str(shared), "--out", str(tmp_path)])
    shipped = resources.files("accord.data").joinpath("models")
    for name in training.MODEL_NAMES:
        new = json.loads((tmp_path / f"{name}.json").read_text("utf-8"))
        old = json.loads(shipped.joinpath(f"{name}.json").read_text("utf-8"))
        assert (new["kind"], new["labels"], new["thresholds"]) == (old["kind"], old["labels"], old["thresholds"]), name
        assert set(new["weights"]) == set(old["weights"]), name
        assert abs(new["temperature"] - old["temperature"]) < 1e-3, name
        drift = max(abs(a - b) for f in new["weights"] for a, b in zip(new["weights"][f], old["weights"][f]))
        drift = max([drift] + [abs(a - b) for a, b in zip(new["bias"], old["bias"])])
        assert drift < 1e-3, f"{name}: weights differ by {drift} from the shipped model (run `make train`)"
