"""Train the detector's model from Ally's own labelled messages and write it into the package.

Run from a checkout of the repository (needs the ``bench`` extra: scikit-learn)::

    python -m ally.evidence.detect.train --data benchmarks/data/harassment

Only the *train* half of the set is read (the ``split`` column); the test half is what
``benchmarks/detect.py`` reports on and is never used here. The set was written for Ally and is
under the project's licence, so the weights are too (``docs/detection.md`` explains why no
third-party labelled data is used for training).

One logistic regression per category (one against the rest, benign messages count against
every category) over the features of ``model.features``: words, word pairs, which categories'
rules matched and a few context marks. Each category's decision threshold is chosen from
out-of-fold predictions (five folds of the train half), never from the test half. The output is
plain JSON (no pickle: loading it runs no code), gzip-compressed, with only non-zero weights.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from pathlib import Path
from typing import Any

from ally.evidence.detect.model import FORMAT, MODEL_PATH

C_VALUE = 2.0
MIN_WEIGHT = 0.03
"""Smaller weights are dropped: they change no decision and cost time on every message."""
MIN_THRESHOLD = 0.6
FOLDS = 5
FILES = ("en.tsv", "es.tsv", "extra-train.tsv")
"""The labelled set's two languages (only their train half is read) and extra messages written
for training only (all marked ``train``; never part of an evaluation)."""
WHERE = (
    "The labelled messages are in the Ally repository, in benchmarks/data/harassment/ (en.tsv, "
    "es.tsv); run this from a checkout of the repository or pass --data."
)


def load(root: Path, split: str) -> list[tuple[str, str]]:
    """(text, label) rows of one split of Ally's labelled set."""
    rows: list[tuple[str, str]] = []
    for name in FILES:
        path = root / name
        if not path.is_file():
            raise SystemExit(f"{path} not found. {WHERE}")
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            rows += [(row["text"], row["label"]) for row in reader if row["split"] == split]
    return rows


def message_features(text: str) -> list[str]:
    """The features the shipped detector computes for ``text`` (same code path)."""
    from ally.evidence.detect import Detector

    return Detector(model_path=None).model_features(text)


def vectorise(documents: list[list[str]]) -> tuple[Any, list[str]]:
    from scipy.sparse import csr_matrix

    names = sorted({name for document in documents for name in document})
    columns = {name: index for index, name in enumerate(names)}
    rows, cols = [], []
    for row, document in enumerate(documents):
        for name in document:
            rows.append(row)
            cols.append(columns[name])
    matrix = csr_matrix(([1.0] * len(rows), (rows, cols)), shape=(len(documents), len(names)))
    return matrix, names


def fit(x: Any, labels: list[int]) -> Any:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C_VALUE, class_weight="balanced", max_iter=5000)
    model.fit(x, labels)
    return model


def out_of_fold(x: Any, labels: list[int]) -> list[float]:
    """Each message's probability from a model that did not see it (stratified folds)."""
    from sklearn.model_selection import StratifiedKFold

    probabilities = [0.0] * len(labels)
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=23)
    for train_rows, held_rows in folds.split(x, labels):
        model = fit(x[train_rows], [labels[i] for i in train_rows])
        for row, probability in zip(
            held_rows, model.predict_proba(x[held_rows])[:, 1], strict=True
        ):
            probabilities[row] = float(probability)
    return probabilities


def best_threshold(labels: list[int], probabilities: list[float]) -> float:
    """The threshold with the best F1 on out-of-fold predictions, at least MIN_THRESHOLD."""
    best = (-1.0, MIN_THRESHOLD)
    for step in range(int(MIN_THRESHOLD * 100), 96, 2):
        threshold = step / 100
        predicted = [p >= threshold for p in probabilities]
        tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
        fp = sum(1 for y, p in zip(labels, predicted, strict=True) if not y and p)
        fn = sum(1 for y, p in zip(labels, predicted, strict=True) if y and not p)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best[0]:
            best = (f1, threshold)
    return best[1]


def train(root: Path) -> dict[str, Any]:
    from ally.evidence.detect import CATEGORIES

    rows = load(root, "train")
    documents = [message_features(text) for text, _ in rows]
    x, names = vectorise(documents)
    heads: list[dict[str, Any]] = []
    weights: dict[str, list[list[float]]] = {}
    for index, category in enumerate(CATEGORIES):
        labels = [int(label == category) for _, label in rows]
        threshold = best_threshold(labels, out_of_fold(x, labels))
        model = fit(x, labels)
        heads.append(
            {
                "category": category,
                "bias": round(float(model.intercept_[0]), 5),
                "threshold": threshold,
            }
        )
        for name, weight in zip(names, model.coef_[0], strict=True):
            if abs(weight) >= MIN_WEIGHT:
                weights.setdefault(name, []).append([index, round(float(weight), 4)])
    return {
        "format": FORMAT,
        "trained_on": "Ally's own labelled messages, train half (benchmarks/data/harassment)",
        "examples": len(rows),
        "heads": heads,
        "weights": weights,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("benchmarks/data/harassment"))
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        raise SystemExit(f"{args.data} is not a folder. {WHERE}")
    model = train(args.data)
    payload = json.dumps(model, separators=(",", ":"), sort_keys=True).encode()
    with args.out.open("wb") as raw, gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as handle:
        handle.write(payload)  # no name or time in the header: the same data, the same bytes
    for head in model["heads"]:
        print(f"{head['category']:18} threshold {head['threshold']}")
    print(f"{model['examples']} examples; wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main(sys.argv[1:])
