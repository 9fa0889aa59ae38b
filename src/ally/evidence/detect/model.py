"""The shipped linear model, scored in plain Python (no numpy, no pickle, nothing downloaded).

``model.json.gz`` holds, per category, a bias, the decision threshold chosen by cross-validation
on the training half of Ally's own labelled messages, and sparse weights: each feature lists only
the categories it moves. ``train.py`` writes it (with scikit-learn, at build time only);
``features`` is shared with training so both sides compute the same features.

Features are the message's words and word pairs, the categories whose rules matched
(``r:threat``) and a few context marks (``x:you`` when the reader is addressed, ``x:if`` for a
condition, ``x:strong`` for swearing, ``x:friendly`` for laughter or affection).
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from ally.evidence.detect.concepts import concept_features
from ally.evidence.errors import EvidenceError

MODEL_PATH = Path(__file__).with_name("model.json.gz")
FORMAT = 2
SECOND_PERSON = frozenset(
    [
        "you",
        "your",
        "you're",
        "youre",
        "yourself",
        "u",
        "ur",
        "ya",
        "yours",
        "tu",
        "te",
        "ti",
        "tus",
        "contigo",
        "usted",
        "vos",
    ]
)
CONDITION = re.compile(r"\b(?:if|unless|or else|or|si|o)\b")
SHOWN_FROM = 0.3
"""Calibrated scores under this are read as 0: they flag nothing, add nothing to the rules'
scores (which count the model from 0.35 up) and are not worth showing."""


def features(
    tokens: list[str], hits: Iterable[str], strong: bool, friendly: bool, conditional: bool
) -> list[str]:
    """The model's features for one message (deduplicated, order irrelevant)."""
    names = concept_features(tokens)
    names.update(tokens)
    names.update(map(" ".join, pairwise(tokens)))
    if not SECOND_PERSON.isdisjoint(tokens):
        names.add("x:you")
    if strong:
        names.add("x:strong")
    if friendly:
        names.add("x:friendly")
    if conditional:
        names.add("x:if")
    return list(names)


@dataclass(frozen=True)
class Head:
    """One category's logistic regression output."""

    category: str
    bias: float
    threshold: float

    @property
    def negligible(self) -> float:
        """The linear score under which the calibrated score is below ``SHOWN_FROM``."""
        probability = SHOWN_FROM * 2 * self.threshold
        return math.log(probability / (1.0 - probability))

    def calibrated(self, z: float) -> float:
        """Probability mapped so that this head's threshold lands on 0.5, the flag line."""
        probability = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        t = self.threshold
        if probability < t:
            return 0.5 * probability / t
        return 0.5 + 0.5 * (probability - t) / (1.0 - t)


class LinearModel:
    """All categories scored in one pass over the features: one dictionary look-up each."""

    def __init__(self, heads: list[Head], weights: dict[str, tuple[tuple[int, float], ...]]):
        self.heads = heads
        self.weights = weights
        self.bias = tuple(head.bias for head in heads)
        self.cutoffs = tuple(head.negligible for head in heads)
        self.rows: dict[str, tuple[float, ...]] = {}
        for name, pairs in weights.items():
            row = [0.0] * len(heads)
            for index, weight in pairs:
                row[index] = weight
            self.rows[name] = tuple(row)
        """Each feature's weights for every head, so a message's scores are column sums."""

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> LinearModel:
        try:
            with gzip.open(path, "rb") as handle:
                data: dict[str, Any] = json.loads(handle.read())
            if data.get("format") != FORMAT:
                raise ValueError(f"model format {data.get('format')!r}, expected {FORMAT}")
            heads = [
                Head(str(head["category"]), float(head["bias"]), float(head["threshold"]))
                for head in data["heads"]
            ]
            weights = {
                str(name): tuple((int(index), float(value)) for index, value in pairs)
                for name, pairs in data["weights"].items()
            }
            return cls(heads, weights)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError) as error:
            raise EvidenceError(
                f"The harassment-detection model ({path.name}) is missing or damaged "
                f"({type(error).__name__}); reinstall Ally or run python -m ally.evidence.detect.train."
            ) from error

    def raw(self, names: Iterable[str]) -> list[float]:
        """Each head's linear score z (before the sigmoid): the bias plus the column sums of the
        message's feature rows (summed in C by ``zip`` and ``sum``, not one by one)."""
        found = list(filter(None, map(self.rows.get, names)))
        found.append(self.bias)
        return list(map(sum, zip(*found, strict=True)))

    def scores(self, names: Iterable[str]) -> dict[str, float]:
        """Calibrated score per category (0.5 = that category's flag line) for these features;
        categories under ``SHOWN_FROM`` are left out (read as 0)."""
        return {
            head.category: round(head.calibrated(value), 3)
            for head, value, cutoff in zip(self.heads, self.raw(names), self.cutoffs, strict=True)
            if value > cutoff
        }
