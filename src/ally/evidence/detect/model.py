"""The shipped linear model, scored in plain Python (no numpy, no pickle, nothing downloaded).

``model.json.gz`` holds the vocabulary's IDF values and, per head, a bias, a weight per feature
and the decision threshold chosen on validation data. ``train.py`` writes it; ``vectorise`` is
shared with training so both sides compute identical vectors.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ally.evidence.errors import EvidenceError

MODEL_PATH = Path(__file__).with_name("model.json.gz")
RULE_SCALE = 0.6
"""Lexicon rule features sit outside the TF-IDF normalisation, at this fixed strength."""


def vectorise(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """Sublinear TF-IDF, L2-normalised, for known terms; rules as fixed-strength flags."""
    vector: dict[str, float] = {}
    for name, count in counts.items():
        weight = idf.get(name)
        if weight is not None:
            vector[name] = (1.0 + math.log(count)) * weight
    norm = math.sqrt(sum(value * value for value in vector.values()))
    if norm:
        for name in vector:
            vector[name] /= norm
    for name in counts:
        if name.startswith("r:"):
            vector[name] = RULE_SCALE
    return vector


@dataclass(frozen=True)
class Head:
    """One logistic-regression output (toxicity or identity attack)."""

    name: str
    bias: float
    threshold: float

    def probability(self, z: float) -> float:
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def calibrated(self, probability: float) -> float:
        """Map the probability so that this head's threshold lands on 0.5, the flag line."""
        t = self.threshold
        if probability < t:
            return 0.5 * probability / t
        return 0.5 + 0.5 * (probability - t) / (1.0 - t)


class LinearModel:
    """All heads scored in one pass: one dictionary look-up per feature."""

    def __init__(
        self, idf: dict[str, float], heads: list[Head], weights: dict[str, list[float]]
    ) -> None:
        self.idf = idf
        self.heads = heads
        zeros = [0.0] * len(heads)
        self.terms = {name: (value, *weights.get(name, zeros)) for name, value in idf.items()}
        self.rules = {name: tuple(w) for name, w in weights.items() if name.startswith("r:")}

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> LinearModel:
        try:
            with gzip.open(path, "rb") as handle:
                data: dict[str, Any] = json.loads(handle.read())
            heads = [
                Head(name, float(head["bias"]), float(head["threshold"]))
                for name, head in data["heads"].items()
            ]
            if len(heads) != 2:
                raise ValueError("format 1 has exactly two heads")
            weights: dict[str, list[float]] = {}
            for index, head_data in enumerate(data["heads"].values()):
                for name, value in head_data["weights"].items():
                    weights.setdefault(name, [0.0] * len(heads))[index] = float(value)
            return cls({k: float(v) for k, v in data["idf"].items()}, heads, weights)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise EvidenceError(
                f"The abuse-detection model ({path.name}) is missing or damaged ({type(error).__name__}); "
                "reinstall Ally or run python -m ally.evidence.detect.train."
            ) from error

    def raw(self, counts: Counter[str]) -> list[float]:
        """Each head's linear score z (before the sigmoid), exactly as ``vectorise`` defines it.

        Written for speed (the hot loop of the detector): one look-up per feature and the two
        heads of format 1 unrolled.
        """
        first = second = squares = 0.0
        get = self.terms.get
        log = math.log
        for name, count in counts.items():
            entry = get(name)
            if entry is None:
                continue
            idf, w_first, w_second = entry
            value = idf if count == 1 else (1.0 + log(count)) * idf
            squares += value * value
            first += value * w_first
            second += value * w_second
        norm = math.sqrt(squares) or 1.0
        z = [self.heads[0].bias + first / norm, self.heads[1].bias + second / norm]
        for name in counts:
            rule = self.rules.get(name)
            if rule is not None:
                z[0] += RULE_SCALE * rule[0]
                z[1] += RULE_SCALE * rule[1]
        return z

    def scores(self, counts: Counter[str]) -> dict[str, float]:
        """Calibrated score per head (0.5 = that head's flag line)."""
        z = self.raw(counts)
        return {
            head.name: head.calibrated(head.probability(z[i])) for i, head in enumerate(self.heads)
        }
