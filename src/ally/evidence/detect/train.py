"""Train the detector's model from labelled tweets and write it into the package.

Run from the repository root (needs the ``bench`` extra: scikit-learn)::

    python -m ally.evidence.detect.train --data PATH/TO/tweeteval/datasets

The data is not in the repository: clone https://github.com/cardiffnlp/tweeteval and pass its
``datasets`` folder (the ``offensive`` and ``hate`` subsets are used; see their terms).

Two heads share one vocabulary: *toxicity* (TweetEval "offensive", from OLID) and *identity*
(TweetEval "hate", from HatEval). Each is a logistic regression over TF-IDF features plus the
lexicon rules (see ``features.py``), with features scaled by naive-Bayes ratios (NB-LR). Its
decision threshold is chosen on the validation split;
the head is then refit on train + validation. The official test split is never used here —
``benchmarks/detect.py`` reports on it. The output is plain JSON (no pickle: loading it runs
no code), gzip-compressed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

from ally.evidence.detect.features import features, prepare
from ally.evidence.detect.model import MODEL_PATH, RULE_SCALE

HEADS = {"toxicity": "offensive", "identity": "hate"}
MIN_DF = 3
C_VALUE = 1.0


def load_split(root: Path, subset: str, split: str) -> tuple[list[str], list[int]]:
    texts = (root / subset / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(value) for value in (root / subset / f"{split}_labels.txt").read_text().split()]
    if len(texts) != len(labels):
        raise SystemExit(f"{subset}/{split}: {len(texts)} texts but {len(labels)} labels")
    return texts, labels


def vocabulary(documents: list[Counter[str]]) -> dict[str, float]:
    """Smoothed IDF (as scikit-learn computes it) for terms in at least MIN_DF documents."""
    df: Counter[str] = Counter()
    for counts in documents:
        df.update(name for name in counts if not name.startswith("r:"))
    n = len(documents)
    return {
        name: math.log((1 + n) / (1 + count)) + 1 for name, count in df.items() if count >= MIN_DF
    }


def matrix(documents: list[Counter[str]], columns: dict[str, int], idf: dict[str, float]) -> Any:
    """The same vectors ``model.py`` computes, as a scipy sparse matrix for scikit-learn."""
    from scipy.sparse import csr_matrix

    from ally.evidence.detect.model import vectorise

    rows, cols, values = [], [], []
    for row, counts in enumerate(documents):
        for name, value in vectorise(counts, idf).items():
            if name in columns:
                rows.append(row)
                cols.append(columns[name])
                values.append(value)
    return csr_matrix((values, (rows, cols)), shape=(len(documents), len(columns)))


def nb_ratios(x: Any, labels: list[int]) -> Any:
    """Naive-Bayes log-count ratios per feature (Wang & Manning's NB-LR): how much more often
    a feature appears in abusive than in other messages. Scaling features by them before the
    logistic regression helps on short texts; the ratios are folded into the exported weights."""
    import numpy as np

    present = (x > 0).astype(float)
    y = np.asarray(labels)
    positive = np.asarray(present[y == 1].sum(0)).ravel() + 1.0
    negative = np.asarray(present[y == 0].sum(0)).ravel() + 1.0
    return np.log((positive / positive.sum()) / (negative / negative.sum()))


def fit_head(x: Any, labels: list[int]) -> tuple[Any, Any]:
    """Fit NB-LR; returns the model and the per-feature ratios it was fitted with."""
    from scipy.sparse import diags
    from sklearn.linear_model import LogisticRegression

    ratios = nb_ratios(x, labels)
    model = LogisticRegression(C=C_VALUE, max_iter=3000, class_weight="balanced")
    model.fit(x @ diags(ratios), labels)
    return model, ratios


def best_threshold(labels: list[int], probabilities: list[float]) -> tuple[float, float]:
    from sklearn.metrics import f1_score

    candidates = [step / 100 for step in range(20, 81, 2)]
    scored = [(f1_score(labels, [p >= t for p in probabilities]), t) for t in candidates]
    f1, threshold = max(scored)
    return float(threshold), float(f1)


def train(root: Path) -> dict[str, Any]:
    from scipy.sparse import diags

    splits = {
        (head, split): load_split(root, subset, split)
        for head, subset in HEADS.items()
        for split in ("train", "val")
    }
    docs = {key: [features(prepare(text)) for text in texts] for key, (texts, _) in splits.items()}
    idf = vocabulary(docs["toxicity", "train"] + docs["identity", "train"])
    rule_names = sorted(
        {
            name
            for group in docs.values()
            for counts in group
            for name in counts
            if name.startswith("r:")
        }
    )
    names = sorted(idf) + rule_names
    columns = {name: index for index, name in enumerate(names)}
    heads: dict[str, Any] = {}
    for head in HEADS:
        train_x = matrix(docs[head, "train"], columns, idf)
        val_x = matrix(docs[head, "val"], columns, idf)
        train_y, val_y = splits[head, "train"][1], splits[head, "val"][1]
        probe, probe_ratios = fit_head(train_x, train_y)
        threshold, val_f1 = best_threshold(
            val_y, list(probe.predict_proba(val_x @ diags(probe_ratios))[:, 1])
        )
        final, ratios = fit_head(
            matrix(docs[head, "train"] + docs[head, "val"], columns, idf), train_y + val_y
        )
        weights = final.coef_[0] * ratios
        heads[head] = {
            "bias": round(float(final.intercept_[0]), 6),
            "threshold": threshold,
            "validation_f1": round(val_f1, 4),
            "weights": {
                name: round(float(weights[i]), 5)
                for name, i in columns.items()
                if abs(weights[i]) >= 1e-5
            },
        }
    return {
        "format": 1,
        "trained_on": "TweetEval offensive + hate (train and validation splits)",
        "rule_scale": RULE_SCALE,
        "idf": {name: round(value, 5) for name, value in idf.items()},
        "heads": heads,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        required=True,
        help="TweetEval's datasets folder (git clone https://github.com/cardiffnlp/tweeteval)",
    )
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    model = train(args.data)
    payload = json.dumps(model, separators=(",", ":"), sort_keys=True).encode()
    with gzip.GzipFile(args.out, "wb", mtime=0) as handle:
        handle.write(payload)
    for head, data in model["heads"].items():
        print(f"{head}: threshold {data['threshold']}, validation F1 {data['validation_f1']}")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
