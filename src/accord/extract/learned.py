"""Accord's learned components at prediction time: linear models over sparse features.

A model is a JSON file under `accord/data/models/`, written by `make train`
(`accord.extract.training`): the feature names it knows, one weight per
feature and label, a bias per label, a temperature that calibrates its
probabilities, and (for multi-label models) a threshold per label. Reading a
model needs numpy only; scikit-learn is a training-time dependency.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from accord.errors import PipelineError

Features = dict[str, float]
MODEL_NAMES = ("types", "pillars", "targets")
_FOLDER = "models"


@dataclass(slots=True)
class LinearModel:
    """Softmax (one label per input) or one-vs-rest sigmoid (any number of labels)."""

    kind: Literal["softmax", "sigmoid"]
    labels: list[str]
    index: dict[str, int]
    weights: npt.NDArray[np.float64]  # (features, labels)
    bias: npt.NDArray[np.float64]  # (labels,)
    temperature: float = 1.0
    thresholds: list[float] | None = None

    def probabilities(self, features: Features) -> npt.NDArray[np.float64]:
        """Calibrated probability of each label."""
        rows, values = [], []
        for name, value in features.items():
            row = self.index.get(name)
            if row is not None:
                rows.append(row)
                values.append(value)
        z = self.bias + np.asarray(values, dtype=np.float64) @ self.weights[rows] if rows else self.bias.copy()
        z = z / self.temperature
        if self.kind == "softmax":
            z -= z.max()
            e = np.exp(z)
            return np.asarray(e / e.sum())
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def best(self, features: Features) -> tuple[str, float]:
        """The most probable label and its probability (softmax)."""
        p = self.probabilities(features)
        k = int(p.argmax())
        return self.labels[k], float(p[k])

    def chosen(self, features: Features, at_least_one: bool = True) -> list[tuple[str, float]]:
        """Labels over their thresholds, most probable first (sigmoid); with `at_least_one`, never none."""
        p = self.probabilities(features)
        limits = self.thresholds or [0.5] * len(self.labels)
        picked = [k for k in range(len(self.labels)) if p[k] >= limits[k]]
        if not picked and at_least_one:
            picked = [int(p.argmax())]
        return [(self.labels[k], float(p[k])) for k in sorted(picked, key=lambda k: -p[k])]

    def to_json(self) -> dict[str, Any]:
        """A plain, deterministic form: features in sorted order, weights rounded to 6 digits."""
        names = sorted(self.index)
        return {
            "kind": self.kind, "labels": self.labels, "temperature": round(self.temperature, 6),
            "thresholds": None if self.thresholds is None else [round(t, 6) for t in self.thresholds],
            "bias": [round(float(b), 6) for b in self.bias],
            "weights": {n: [round(float(w), 6) for w in self.weights[self.index[n]]] for n in names},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        names = list(data["weights"])
        weights = np.array([data["weights"][n] for n in names], dtype=np.float64).reshape(len(names), -1)
        return cls(kind=data["kind"], labels=list(data["labels"]), index={n: i for i, n in enumerate(names)},
                   weights=weights, bias=np.array(data["bias"], dtype=np.float64),
                   temperature=float(data["temperature"]), thresholds=data.get("thresholds"))


@dataclass(frozen=True, slots=True)
class Models:
    """The three learned components: statement types, pillars, and which amounts are targets."""

    types: LinearModel
    pillars: LinearModel
    targets: LinearModel


@cache
def shipped_models() -> Models:
    """The models committed under `accord/data/models`, read once per process."""
    root = resources.files("accord.data").joinpath(_FOLDER)
    loaded: dict[str, LinearModel] = {}
    for name in MODEL_NAMES:
        try:
            loaded[name] = LinearModel.from_json(json.loads(root.joinpath(f"{name}.json").read_text("utf-8")))
        except (OSError, ValueError, KeyError) as exc:
            raise PipelineError(f"the trained model {_FOLDER}/{name}.json could not be read ({exc}); "
                                "run `make train` to rebuild it") from None
    return Models(**loaded)
