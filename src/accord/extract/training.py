"""Train Accord's learned models on labelled documents, and measure them as unseen text would.

    python -m accord.extract.training train SHARED [--out DIR]   (make train)
    python -m accord.extract.training score SHARED                (make score)

The labelled documents are those of `SHARED/gold` (seeds), `gold/dev` and
`gold/train`. Each statement the pipeline reads is aligned with the gold
sentence it overlaps (as `gold/score.py` aligns them); its features come from
the rules (`accord.extract.features`), its labels from the gold. Three linear
models are fitted with scikit-learn (L2 logistic regression, lbfgs — no
randomness, so the same data gives the same files): statement types
(softmax), pillars (one sigmoid per pillar) and which amounts are targets (a
sigmoid). Their calibration — the types' temperature, the pillars' and
targets' thresholds — comes from predictions on documents each model did not
see (grouped cross-validation inside the training documents).

`score` prints the shipped models' tables on the seeds and dev sets and the
figure that predicts unseen text: 5-fold cross-validation grouped by
document, each fold's models trained (and calibrated) without its test
documents, scored by `gold/score.py` on real `accord extract` output, with
the expected calibration error of `confidence`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from accord.extract.learned import MODEL_NAMES, Features, LinearModel, Models

SETS = (("seeds", "gold", "corpus/seeds"), ("dev", "gold/dev", "corpus/dev"), ("train", "gold/train", "corpus/train"))
FOLDS = 5
INNER_FOLDS = 4
# Chosen by grouped cross-validation over the 44 documents (docs/decisions.md); fixed so `make train` repeats.
CONFIG = {"types_c": 0.5, "pillars_c": 1.0, "targets_c": 1.0, "min_count": 2}
TYPES = ["commitment", "position", "assessment", "event", "other"]


@dataclass(slots=True)
class LabelledDocument:
    set: str
    name: str
    text: str
    gold_file: Path
    docs_dir: Path


@dataclass(slots=True)
class Example:
    """One statement read by the pipeline, with the labels of the gold sentence it aligns with."""

    doc: str
    features: Features
    type: str
    pillars: list[str]
    amounts: list[tuple[Features, bool]] = field(default_factory=list)
    text: str = ""


def _score_module(shared: Path) -> ModuleType:
    path = shared / "gold" / "score.py"
    spec = importlib.util.spec_from_file_location("accord_gold_score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"no scorer at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def labelled_documents(shared: Path) -> list[LabelledDocument]:
    out = []
    for set_name, gold, corpus in SETS:
        for gold_file in sorted((shared / gold).glob("*.txt.json")):
            name = gold_file.name[: -len(".json")]
            docs_dir = shared / corpus
            out.append(LabelledDocument(set_name, name, (docs_dir / name).read_text("utf-8"), gold_file, docs_dir))
    if not out:
        raise SystemExit(f"no labelled documents under {shared}/gold")
    return out


def read_examples(docs: Sequence[LabelledDocument], score: ModuleType) -> list[Example]:
    """Every aligned statement of `docs` with its features and gold labels."""
    from accord.extract.pipeline import load_pipeline
    from accord.extract.statements import STATEMENTS_KEY
    from accord.ingest import iter_text_blocks

    nlp = load_pipeline(trained=False)
    analyzer: Any = nlp.get_pipe("accord_statements")  # a StatementAnalyzer
    analyzer.keep_features = True
    out: list[Example] = []
    try:
        for d in docs:
            _, _, gold = score.load_gold(d.gold_file, d.docs_dir)
            blocks = [(o, b) for o, b in iter_text_blocks(d.text) if b.strip()]
            for (offset, _), doc in zip(blocks, nlp.pipe([b for _, b in blocks])):
                for r in doc.user_data[STATEMENTS_KEY]:
                    g = _aligned(gold, r["start"] + offset, r["end"] + offset)
                    if g is None:
                        continue
                    text = d.text[r["start"] + offset : r["end"] + offset]
                    out.append(Example(d.name, r["features"], g["type"], sorted(g["pillars"]),
                                       _label_amounts(r["amounts"], g["targets"]), text))
    finally:
        analyzer.keep_features = False
    return out


def _aligned(gold: list[dict[str, Any]], start: int, end: int) -> dict[str, Any] | None:
    best, best_overlap = None, 0
    for g in gold:
        overlap = min(end, g["end"]) - max(start, g["start"])
        if overlap > best_overlap and overlap >= 0.5 * min(end - start, g["end"] - g["start"]):
            best, best_overlap = g, overlap
    return best


def _label_amounts(amounts: list[tuple[Any, Features]], targets: list[dict[str, Any]]) -> list[tuple[Features, bool]]:
    """An amount is a target when a gold target of its sentence has its unit and value (score.py's match)."""
    used: set[int] = set()
    out = []
    for amount, features in amounts:
        hit = next((k for k, t in enumerate(targets) if k not in used
                    and str(amount.unit).upper() == str(t["unit"]).upper()
                    and abs(amount.value - t["value"]) <= 0.01 * t["value"]), None)
        if hit is not None:
            used.add(hit)
        out.append((features, hit is not None))
    return out


# -- fitting -------------------------------------------------------------------------------------

def _vocabulary(rows: Sequence[Features], min_count: int) -> dict[str, int]:
    counts: Counter[str] = Counter(name for row in rows for name in row)
    names = sorted(n for n, c in counts.items() if c >= min_count)
    return {n: i for i, n in enumerate(names)}


def _matrix(rows: Sequence[Features], index: dict[str, int]) -> Any:
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]  # ships no stubs

    data, cols, ptr = [], [], [0]
    for row in rows:
        for name, value in sorted(row.items()):
            col = index.get(name)
            if col is not None:
                cols.append(col)
                data.append(value)
        ptr.append(len(cols))
    return csr_matrix((np.array(data, dtype=np.float64), np.array(cols, dtype=np.int64), np.array(ptr)),
                      shape=(len(rows), len(index)))


def _logistic(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]  # ships no stubs

    return LogisticRegression(C=c, max_iter=5000, tol=1e-6)


def fit_softmax(rows: Sequence[Features], labels: Sequence[str], c: float, min_count: int) -> LinearModel:
    index = _vocabulary(rows, min_count)
    model = _logistic(c).fit(_matrix(rows, index), list(labels))
    classes = [str(x) for x in model.classes_]
    weights, bias = model.coef_.T.copy(), model.intercept_.copy()
    if len(classes) == 2:  # scikit-learn keeps one row for two classes
        weights = np.hstack([-weights / 2, weights / 2])
        bias = np.array([-bias[0] / 2, bias[0] / 2])
    return LinearModel("softmax", classes, index, weights, bias)


def fit_sigmoids(rows: Sequence[Features], label_sets: Sequence[Sequence[str]], labels: Sequence[str], c: float,
                 min_count: int) -> LinearModel:
    index = _vocabulary(rows, min_count)
    x = _matrix(rows, index)
    weights = np.zeros((len(index), len(labels)))
    bias = np.zeros(len(labels))
    for k, label in enumerate(labels):
        y = np.array([label in s for s in label_sets])
        if y.all() or not y.any():
            bias[k] = 20.0 if y.all() else -20.0
            continue
        model = _logistic(c).fit(x, y)
        weights[:, k], bias[k] = model.coef_[0], model.intercept_[0]
    return LinearModel("sigmoid", list(labels), index, weights, bias)


def _pillar_labels(examples: Sequence[Example]) -> list[str]:
    from accord.model import Pillar

    return [p.value for p in Pillar]


def fit_raw(examples: Sequence[Example]) -> Models:
    """The three models fitted on `examples`, uncalibrated."""
    typed = fit_softmax([e.features for e in examples], [e.type for e in examples], CONFIG["types_c"],
                        int(CONFIG["min_count"]))
    sectored = [e for e in examples if e.type != "other"]
    pillars = fit_sigmoids([e.features for e in sectored], [e.pillars for e in sectored], _pillar_labels(examples),
                           CONFIG["pillars_c"], int(CONFIG["min_count"]))
    amounts = [a for e in examples for a in e.amounts]
    targets = fit_sigmoids([f for f, _ in amounts], [["target"] if y else [] for _, y in amounts], ["target"],
                           CONFIG["targets_c"], int(CONFIG["min_count"]))
    return Models(typed, pillars, targets)


def _folds(docs: Sequence[str], n: int) -> list[list[str]]:
    """Documents in `n` groups of about equal size, the same groups every time (largest first, to the smallest)."""
    sizes = Counter(docs)
    groups: list[list[str]] = [[] for _ in range(n)]
    totals = [0] * n
    for name in sorted(sizes, key=lambda d: (-sizes[d], d)):
        k = totals.index(min(totals))
        groups[k].append(name)
        totals[k] += sizes[name]
    return groups


def fit(examples: Sequence[Example]) -> Models:
    """Models fitted on all of `examples`, calibrated on what inner folds did not see."""
    names = [e.doc for e in examples]
    type_logits, type_gold, pillar_p, pillar_gold, target_p, target_gold = [], [], [], [], [], []
    for held in _folds(names, INNER_FOLDS):
        held_set = set(held)
        models = fit_raw([e for e in examples if e.doc not in held_set])
        for e in examples:
            if e.doc not in held_set:
                continue
            type_logits.append(np.log(np.maximum(models.types.probabilities(e.features), 1e-300)))
            type_gold.append(models.types.labels.index(e.type) if e.type in models.types.labels else -1)
            if e.type != "other":
                pillar_p.append(models.pillars.probabilities(e.features))
                pillar_gold.append([label in e.pillars for label in models.pillars.labels])
            for f, y in e.amounts:
                target_p.append(models.targets.probabilities(f)[0])
                target_gold.append(y)
    final = fit_raw(examples)
    final.types.temperature = _temperature(np.array(type_logits), np.array(type_gold))
    final.pillars.thresholds = _thresholds(np.array(pillar_p), np.array(pillar_gold), at_least_one=True)
    final.targets.thresholds = _thresholds(np.array(target_p)[:, None], np.array(target_gold)[:, None],
                                           at_least_one=False)
    return final


def _temperature(logits: npt.NDArray[np.float64], gold: npt.NDArray[np.int64]) -> float:
    """The temperature that makes the held-out probabilities honest (least negative log-likelihood)."""
    from scipy.optimize import minimize_scalar  # type: ignore[import-untyped]  # ships no stubs

    keep = gold >= 0
    z, y = logits[keep], gold[keep]

    def nll(log_t: float) -> float:
        s = z / math.exp(log_t)
        s = s - s.max(axis=1, keepdims=True)
        return float(-(s[np.arange(len(y)), y] - np.log(np.exp(s).sum(axis=1))).mean())

    return float(math.exp(minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded").x))


def _thresholds(p: npt.NDArray[np.float64], gold: npt.NDArray[np.bool_], at_least_one: bool) -> list[float]:
    """Per label, the threshold that maximises the F1 of all labels together, one label at a time."""
    grid = [round(0.05 * k, 2) for k in range(2, 17)]
    limits = [0.5] * p.shape[1]

    def f1(limits: list[float]) -> float:
        chosen = p >= np.array(limits)
        if at_least_one:
            none = ~chosen.any(axis=1)
            chosen[none, p[none].argmax(axis=1)] = True
        tp = float((chosen & gold).sum())
        fp, fn = float((chosen & ~gold).sum()), float((~chosen & gold).sum())
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    for _ in range(2):
        for k in range(p.shape[1]):
            best = max(grid, key=lambda t: (f1(limits[:k] + [t] + limits[k + 1 :]), -abs(t - 0.5)))
            limits[k] = best
    return limits


def save(models: Models, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in MODEL_NAMES:
        model: LinearModel = getattr(models, name)
        (out / f"{name}.json").write_text(json.dumps(model.to_json(), sort_keys=True, separators=(",", ":")) + "\n",
                                          "utf-8")


# -- scoring -------------------------------------------------------------------------------------

def _write_predictions(docs: Sequence[LabelledDocument], models: Models | None, out: Path) -> None:
    from accord.extract import extract_text
    from accord.extract.pipeline import load_pipeline

    nlp = load_pipeline(trained=models is None)
    analyzer: Any = nlp.get_pipe("accord_statements")  # a StatementAnalyzer
    saved = analyzer.models
    if models is not None:
        analyzer.models = models
    try:
        for d in docs:
            lines = [json.dumps(s.to_dict(), ensure_ascii=False) for s in extract_text(d.text, nlp)]
            (out / f"{d.name}.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    finally:
        analyzer.models = saved


def _score(docs: Sequence[LabelledDocument], pred: Path, score: ModuleType) -> dict[str, Any]:
    """gold/score.py over `docs`, with their gold and texts linked side by side."""
    with tempfile.TemporaryDirectory() as tmp:
        gold_dir, docs_dir = Path(tmp, "gold"), Path(tmp, "docs")
        gold_dir.mkdir()
        docs_dir.mkdir()
        for d in docs:
            (gold_dir / d.gold_file.name).symlink_to(d.gold_file.resolve())
            (docs_dir / d.name).symlink_to((d.docs_dir / d.name).resolve())
        result: dict[str, Any] = score.score(str(gold_dir), str(docs_dir), str(pred))
        result["calibration"] = _calibration_pairs(docs, pred, score)
        return result


def _calibration_pairs(docs: Sequence[LabelledDocument], pred: Path, score: ModuleType) -> list[tuple[float, bool]]:
    """(confidence, type right?) of the statement that best overlaps each gold sentence."""
    pairs = []
    for d in docs:
        _, _, gold = score.load_gold(d.gold_file, d.docs_dir)
        preds = score.load_pred(pred / f"{d.name}.jsonl")
        for g in gold:
            over = [(min(p["end"], g["end"]) - max(p["start"], g["start"]), p) for p in preds]
            over = [(o, p) for o, p in over if o > 0]
            if over:
                p = max(over, key=lambda x: x[0])[1]
                pairs.append((float(p["confidence"]), p["type"] == g["type"]))
    return pairs


def ece(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> tuple[float, list[tuple[float, float, float, int]]]:
    """Expected calibration error over equal-width bins, and the table (low, mean confidence, accuracy, n)."""
    table = []
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in pairs if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if not inside:
            continue
        conf = sum(c for c, _ in inside) / len(inside)
        acc = sum(ok for _, ok in inside) / len(inside)
        total += len(inside) * abs(acc - conf)
        table.append((lo, conf, acc, len(inside)))
    return (total / len(pairs) if pairs else 0.0), table


def figures(result: dict[str, Any]) -> dict[str, float]:
    return {"commitment_f1": result["commitment"][2], "type_acc": result["type_accuracy"],
            "pillars_f1": result["pillars"][2], "mentions_f1": result["mentions"][2],
            "targets_f1": result["targets"][2], "ece": ece(result["calibration"])[0]}


def cross_validate(docs: Sequence[LabelledDocument], examples: Sequence[Example], score: ModuleType,
                   out: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Grouped `FOLDS`-fold cross-validation: predictions of each fold by models that never saw it."""
    per_fold = []
    by_name = {d.name: d for d in docs}
    for k, held in enumerate(_folds([e.doc for e in examples], FOLDS)):
        held_set = set(held)
        models = fit([e for e in examples if e.doc not in held_set])
        test = [by_name[n] for n in sorted(held_set)]
        _write_predictions(test, models, out)
        fold = _score(test, out, score)
        fold["fold"], fold["documents"] = k + 1, len(test)
        per_fold.append(fold)
    return _score(docs, out, score), per_fold


def _row(label: str, f: dict[str, float]) -> str:
    return (f"| {label} | {f['commitment_f1']:.3f} | {f['type_acc']:.3f} | {f['pillars_f1']:.3f} | "
            f"{f['mentions_f1']:.3f} | {f['targets_f1']:.3f} | {f['ece']:.3f} |")


def report(shared: Path, as_json: Path | None) -> dict[str, Any]:
    score = _score_module(shared)
    docs = labelled_documents(shared)
    examples = read_examples(docs, score)
    header = "| set | commitment F1 | type acc | pillars F1 | mentions F1 | targets F1 | ECE |\n|---|---|---|---|---|---|---|"
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp)
        print("Shipped models (trained on all labelled documents, these included):")
        print(header)
        _write_predictions(docs, None, pred)
        for set_name in ("seeds", "dev", "train"):
            f = figures(_score([d for d in docs if d.set == set_name], pred, score))
            out[set_name] = f
            print(_row(set_name, f))
    with tempfile.TemporaryDirectory() as tmp:
        total, per_fold = cross_validate(docs, examples, score, Path(tmp))
        print(f"\nUnseen text: {FOLDS}-fold cross-validation grouped by document over {len(docs)} documents "
              f"({total['sentences']} sentences); each fold's models trained without its documents:")
        print(header)
        for fold in per_fold:
            f = figures(fold)
            print(_row(f"fold {fold['fold']} ({fold['documents']} docs, {fold['sentences']} sentences)", f))
        f = figures(total)
        out["cv"] = f
        out["cv_folds"] = [figures(fold) for fold in per_fold]
        print(_row("**all folds**", f))
        for set_name in ("seeds", "dev", "train"):  # the same unseen predictions, one labelled set at a time
            part = figures(_score([d for d in docs if d.set == set_name], Path(tmp), score))
            out[f"cv_{set_name}"] = part
            print(_row(f"of which {set_name}", part))
        print("\nCalibration of `confidence` (cross-validated predictions; ECE "
              f"{f['ece']:.3f}):\n| confidence | mean | type accuracy | statements |\n|---|---|---|---|")
        for lo, conf, acc, n in ece(total["calibration"])[1]:
            print(f"| {lo:.1f}–{lo + 0.1:.1f} | {conf:.3f} | {acc:.3f} | {n} |")
        print("\nconfusion (gold -> predicted), cross-validated:")
        for g, row in total["confusion"].items():
            print(f"  {g:11s} " + " ".join(f"{p}={n}" for p, n in row.items() if n))
    if as_json is not None:
        as_json.write_text(json.dumps(out, indent=1) + "\n", "utf-8")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m accord.extract.training", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="fit the models on all labelled documents and write them")
    train.add_argument("shared", type=Path)
    train.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "data" / "models")
    scoring = sub.add_parser("score", help="the shipped models' tables and grouped cross-validation")
    scoring.add_argument("shared", type=Path)
    scoring.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if not (args.shared / "gold" / "score.py").exists():
        raise SystemExit(f"no labelled data at {args.shared} (expected {args.shared}/gold/score.py)")
    if args.command == "train":
        score = _score_module(args.shared)
        examples = read_examples(labelled_documents(args.shared), score)
        models = fit(examples)
        save(models, args.out)
        sizes = ", ".join(f"{n}.json {(args.out / f'{n}.json').stat().st_size / 1e6:.1f} MB" for n in MODEL_NAMES)
        print(f"trained on {len({e.doc for e in examples})} documents, {len(examples)} statements: {sizes}")
    else:
        report(args.shared, args.json)


if __name__ == "__main__":
    main(sys.argv[1:])
