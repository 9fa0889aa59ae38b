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
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain, pairwise, product, repeat
from pathlib import Path
from typing import Any

from ally.evidence.detect.concepts import (
    CLASS_OF,
    CLASSES,
    concept_features,
    neighbour_names,
    presence_names,
)
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
CONDITION_WORDS = frozenset(["if", "unless", "or", "si", "o"])
"""``CONDITION`` finds something only in a message with one of these words."""
MARKS = ("x:you", "x:strong", "x:friendly", "x:if")
"""Context marks: the reader addressed, swearing, banter, a condition."""
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
    marks = (not SECOND_PERSON.isdisjoint(tokens), strong, friendly, conditional)
    names.update(name for name, on in zip(MARKS, marks, strict=True) if on)
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


WIDTH = 64
"""Bits per head in a packed row (see ``LinearModel``)."""
UNITS = 100_000
"""Weights are stored with 4 decimals and biases with 5 (``train.py``), so in units of 1e-5 they
are exact integers, and summing them is exact too."""
OFFSET = 1 << (WIDTH - 2)
"""Added to every head's bias, so that every field of a message's sum is positive (a message
would need hundreds of billions of features to leave the field)."""


def pack(values: Iterable[float], offset: int = 0) -> int:
    """One integer holding every head's value (in units of 1e-5) in its own ``WIDTH``-bit field.
    Adding packed rows adds every field at once, so a message's scores are one ``sum`` of
    integers, done in C; a field of a row may be negative, the fields of a sum that includes the
    packed biases (with ``OFFSET``) never are, and ``unpack`` reads them in C too."""
    total = 0
    for index, value in enumerate(values):
        total += (round(value * UNITS) + offset) << (WIDTH * index)
    return total


def unpack(total: int, count: int) -> tuple[int, ...]:
    """The fields of a sum of packed rows that includes the packed biases, still offset."""
    return struct.unpack(f"<{count}Q", total.to_bytes(count * WIDTH // 8, "little"))


class LinearModel:
    """All categories scored in one pass over the features: one dictionary look-up each.

    Each feature's weights for every head are packed into one integer (``pack``), so a message's
    linear scores are the sum of its features' integers plus the packed biases. Word pairs are
    looked up as pairs, and the concept features (``concepts.py``) are worked out once per
    combination of word classes and cached, so the detector builds no feature names for a
    message (``linear``)."""

    def __init__(self, heads: list[Head], weights: dict[str, tuple[tuple[int, float], ...]]):
        self.heads = heads
        self.weights = weights
        self.bias = pack((head.bias for head in heads), OFFSET)
        self.cutoffs = tuple(round(head.negligible * UNITS) + OFFSET for head in heads)
        self.packed: dict[str | tuple[str, str], int] = {}
        for name, pairs in weights.items():
            row = [0.0] * len(heads)
            for index, weight in pairs:
                row[index] = weight
            self.packed[name] = pack(row)
        self.packed.update(
            {
                (first, second): self.packed[name]
                for name in weights
                for first, _, second in [name.partition(" ")]
                if second
            }
        )
        """Word pairs are looked up as pairs too (a message's pairs come as tuples)."""
        self.marks = {
            flags: sum(
                self.packed.get(name, 0) for name, on in zip(MARKS, flags, strict=True) if on
            )
            for flags in product((False, True), repeat=len(MARKS))
        }
        """The packed weights of the context marks, for each combination of them."""
        self.neighbours = {
            (first, second): frozenset(
                name
                for name in neighbour_names(CLASSES[first], CLASSES[second])
                if name in self.packed
            )
            for first in range(len(CLASSES))
            for second in range(len(CLASSES))
        }
        """The model's features for two neighbouring words, by the words' classes."""
        self.together: dict[frozenset[str], int] = {}
        self.by_classes: dict[frozenset[int], int] = {}
        """The same, by the set of word classes in a message (most messages share a few)."""

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
        """Each head's linear score z (before the sigmoid): the bias plus the weights of the
        features ``names`` (each counted once)."""
        total = self.bias + sum(map(self.packed.get, set(names), repeat(0)))
        return [(field - OFFSET) / UNITS for field in unpack(total, len(self.heads))]

    def linear(
        self, tokens: list[str], you: bool, strong: bool, friendly: bool, conditional: bool
    ) -> int:
        """The packed linear scores of ``features(tokens, ...)`` (``raw`` of those features gives
        the same), without building the features' names."""
        get = self.packed.get
        zero = repeat(0)
        total = self.bias + self.marks[(you, strong, friendly, conditional)]
        words: set[str | tuple[str, str]] = {*tokens, *pairwise(tokens)}  # words and word pairs
        total += sum(map(get, words, zero))
        classes = list(map(CLASS_OF.get, tokens, zero))
        if not any(classes):
            return total
        places = [place for place, found in enumerate(classes) if found]
        if len(places) > 1:  # neighbours: only two words that both have a class give features
            neighbours = self.neighbours
            names: set[str] = set()
            last = len(classes) - 1
            for place in places:
                here = classes[place]
                if place < last and classes[place + 1]:
                    names.update(neighbours[here, classes[place + 1]])
                if place < last - 1 and classes[place + 2]:
                    names.update(neighbours[here, classes[place + 2]])
            total += sum(map(get, names, zero))
        kinds = frozenset(classes)
        together = self.by_classes.get(kinds)
        if together is None:
            together = self._together(
                frozenset(chain.from_iterable(map(CLASSES.__getitem__, kinds)))
            )
            if len(self.by_classes) < 100_000:
                self.by_classes[kinds] = together
        return total + together

    def _together(self, present: frozenset[str]) -> int:
        """The packed weights of the concepts present and of each pair of them (cached)."""
        together = self.together.get(present)
        if together is None:
            together = sum(self.packed.get(name, 0) for name in presence_names(present))
            if len(self.together) < 100_000:
                self.together[present] = together
        return together

    def scores(self, names: Iterable[str]) -> dict[str, float]:
        """Calibrated score per category (0.5 = that category's flag line) for these features;
        categories under ``SHOWN_FROM`` are left out (read as 0)."""
        return self.calibrate(self.bias + sum(map(self.packed.get, set(names), repeat(0))))

    def calibrate(self, total: int) -> dict[str, float]:
        """Calibrated scores from packed linear scores (see ``scores``)."""
        found = {}
        for head, field, cutoff in zip(
            self.heads, unpack(total, len(self.heads)), self.cutoffs, strict=True
        ):
            if field > cutoff:
                found[head.category] = round(head.calibrated((field - OFFSET) / UNITS), 3)
        return found
