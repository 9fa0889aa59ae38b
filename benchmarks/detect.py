"""Abuse detection figures: precision, recall and F1 on held-out tweets, and messages per second.

Run: .venv/bin/python benchmarks/detect.py --data PATH/TO/tweeteval/datasets
(TweetEval is not in the repository: https://github.com/cardiffnlp/tweeteval; or set
ALLY_TWEETEVAL to that folder)
(needs the ``bench`` extra: ``pip install -e '.[bench]'`` for alt-profanity-check.)

The reference is alt-profanity-check, an offline profanity classifier, scored on the same
official TweetEval test splits in the same run. Ally's detector never saw these splits: its
model is trained on the train and validation splits only (``ally.evidence.detect.train``).

* offensive (OLID): a message counts as flagged by Ally if any category is over the flag line.
* hate (HatEval): Ally's identity-attack category against the hate label.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ally.evidence.detect import Detector

ROOT = Path(__file__).resolve().parents[1]


def load(root: Path, subset: str) -> tuple[list[str], list[int]]:
    texts = (root / subset / "test_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(value) for value in (root / subset / "test_labels.txt").read_text().split()]
    return texts, labels


def prf(truth: Sequence[int], predicted: Sequence[bool]) -> tuple[float, float, float]:
    tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t and p)
    fp = sum(1 for t, p in zip(truth, predicted, strict=True) if not t and p)
    fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def timed(function: Callable[[], list[bool]]) -> tuple[list[bool], float]:
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=os.environ.get("ALLY_TWEETEVAL"),
        help="TweetEval's datasets folder (git clone https://github.com/cardiffnlp/tweeteval)",
    )
    args = parser.parse_args()
    if args.data is None:
        parser.error("give --data (or ALLY_TWEETEVAL): the TweetEval datasets folder")

    from profanity_check import predict  # the reference, imported here so Ally never needs it

    detector = Detector()
    print(f"{'split':10} {'system':22} {'precision':>9} {'recall':>7} {'F1':>6}  {'msg/s':>8}")
    f1_gaps = []
    for subset in ("offensive", "hate"):
        texts, truth = load(args.data, subset)
        if subset == "offensive":
            ours, ours_s = timed(
                lambda texts=texts: [a.flagged for a in detector.assess_many(texts)]
            )
        else:
            ours, ours_s = timed(
                lambda texts=texts: [
                    a.scores["identity"] >= 0.5 for a in detector.assess_many(texts)
                ]
            )
        ref, ref_s = timed(lambda texts=texts: [bool(v) for v in predict(texts)])
        rows = (("Ally detector", ours, ours_s), ("alt-profanity-check", ref, ref_s))
        results = {}
        for name, predicted, seconds in rows:
            p, r, f1 = prf(truth, predicted)
            results[name] = f1
            print(f"{subset:10} {name:22} {p:9.3f} {r:7.3f} {f1:6.3f}  {len(texts) / seconds:8.0f}")
        gap = 100 * (results["Ally detector"] - results["alt-profanity-check"])
        f1_gaps.append(gap)
        print(
            f"{subset:10} F1 difference: {gap:+.1f} points (n={len(texts)}, positives={sum(truth)})"
        )

    sample = (load(args.data, "offensive")[0] + load(args.data, "hate")[0]) * 2
    start, cpu = time.perf_counter(), time.process_time()
    for _ in detector.assess_many(sample):
        pass
    rate = len(sample) / (time.perf_counter() - start)
    cpu_rate = len(sample) / (time.process_time() - cpu)
    print(
        f"throughput: {cpu_rate:.0f} messages per CPU-second, one core (wall clock: {rate:.0f}/s)"
    )
    print(
        f"{len(sample)} messages; targets: >= 1,000 messages/s and F1 >= +10 points "
        f"(offensive {f1_gaps[0]:+.1f}, hate {f1_gaps[1]:+.1f})"
    )


if __name__ == "__main__":
    main()
