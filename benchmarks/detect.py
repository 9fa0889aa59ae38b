"""Harassment detection figures: Ally's own labelled set, TweetEval, and messages per second.

Run: .venv/bin/python benchmarks/detect.py --tweeteval PATH/TO/tweeteval/datasets
(or set ALLY_TWEETEVAL to that folder, as ``make bench`` does)
(needs the ``bench`` extra for the reference: ``pip install -e '.[bench]'``.)

1. **Ally's set** (``benchmarks/data/harassment``, written for Ally; see its README): on its
   *test* half, which the rules and the model were never tuned on, per-category precision and
   recall, the share of harassment without profanity that is flagged (target >= 0.9) and the
   share of benign messages with swearing that is flagged (target <= 10%), per language.
   The same figures on the test half of the **fresh held-out set** (``fresh-en.tsv``,
   ``fresh-es.tsv``): new wordings written after the rules, never trained on, whose dev half
   alone guided changes (``--fresh-split dev`` reports that half, for development).
2. **TweetEval** (the official *test* splits of "offensive" and "hate", only evaluated here,
   never trained on: see docs/detection.md for why): F1 of Ally and of the reference,
   alt-profanity-check, on the same tweets in the same run (target: Ally >= +10 points on each).
   A tweet counts as offensive for Ally when it has strong language (swearing, insulting words,
   putting a person down) or is flagged as a threat, insult, sexual harassment, identity attack
   or urging self-harm: OLID's definition of offensive (insults, threats, profanity), without
   Ally's categories that are about conduct rather than language (stalking, doxxing, control,
   quid pro quo, retaliation); as hate when the identity-attack category is flagged.
   TweetEval is not shipped with Ally: get it from the cardiffnlp/tweeteval repository
   (folder ``datasets``) and pass that folder; without it this part is skipped.
3. **Throughput** on one core (CPU time, one process): Ally's detector on every message of its
   set and on the TweetEval test tweets, beside the reference on the same messages in the same
   run, taking turns; the best of ``--rounds`` rounds of each (target: >= 20,000 messages a
   second).
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ally.evidence.detect import CATEGORIES, Assessment, Detector

ROOT = Path(__file__).resolve().parents[1]
OWN_SET = ROOT / "benchmarks" / "data" / "harassment"
TWEETEVAL_HELP = (
    "TweetEval is not part of Ally. Get it from the public cardiffnlp/tweeteval repository "
    "(its datasets/ folder, with offensive/ and hate/ inside) and pass that folder as --tweeteval."
)


@dataclass(frozen=True)
class Labelled:
    language: str
    split: str
    label: str
    profane: bool
    text: str

    @property
    def harassment(self) -> bool:
        return not self.label.startswith("benign")


def load_own(root: Path = OWN_SET, prefix: str = "") -> list[Labelled]:
    """Ally's set (``en.tsv``, ``es.tsv``) or, with ``prefix="fresh-"``, the held-out fresh set."""
    rows: list[Labelled] = []
    for language in ("en", "es"):
        with (root / f"{prefix}{language}.tsv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                rows.append(
                    Labelled(
                        language, row["split"], row["label"], row["profane"] == "1", row["text"]
                    )
                )
    return rows


def prf(truth: Sequence[bool], predicted: Sequence[bool]) -> tuple[float, float, float]:
    tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t and p)
    fp = sum(1 for t, p in zip(truth, predicted, strict=True) if not t and p)
    fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def share(flags: Sequence[bool]) -> str:
    return f"{sum(flags) / len(flags):.3f} ({sum(flags)}/{len(flags)})" if flags else "-"


def report_own(
    detector: Detector, rows: list[Labelled], title: str = "Ally's set", split: str = "test"
) -> dict[str, float]:
    """Per-category precision/recall and the two targets, on the test half."""
    test = [row for row in rows if row.split == split]
    found = [detector.assess(row.text) for row in test]
    print(
        f"{title}, {split} half: {len(test)} messages "
        f"({Counter(row.language for row in test)['en']} English, "
        f"{Counter(row.language for row in test)['es']} Spanish)"
    )
    print(f"{'category':18} {'n':>4} {'precision':>9} {'recall':>7}")
    for category in CATEGORIES:
        truth = [row.label == category for row in test]
        predicted = [category in a.categories for a in found]
        precision, recall, _ = prf(truth, predicted)
        print(f"{category:18} {sum(truth):4} {precision:9.3f} {recall:7.3f}")
    figures: dict[str, float] = {}
    print(f"{'group':34} {'flagged (any category)':>24}")
    for language in ("en", "es", "all"):
        pick = [
            (row, a)
            for row, a in zip(test, found, strict=True)
            if language == "all" or row.language == language
        ]
        groups = {
            "harassment without profanity": [
                a.flagged for r, a in pick if r.harassment and not r.profane
            ],
            "harassment with profanity": [a.flagged for r, a in pick if r.harassment and r.profane],
            "benign with swearing": [a.flagged for r, a in pick if r.label == "benign-swearing"],
            "benign idioms": [a.flagged for r, a in pick if r.label == "benign-idiom"],
            "benign animals": [a.flagged for r, a in pick if r.label == "benign-animal"],
            "benign everyday": [a.flagged for r, a in pick if r.label == "benign-everyday"],
            "benign look-alikes": [a.flagged for r, a in pick if r.label == "benign-lookalike"],
        }
        for name, flags in groups.items():
            print(f"{language:3} {name:30} {share(flags):>24}")
        if language == "all":
            clean = groups["harassment without profanity"]
            swearing = groups["benign with swearing"]
            figures["recall"] = sum(clean) / len(clean)
            figures["false_flags"] = sum(swearing) / len(swearing)
    print(
        f"targets: recall on harassment without profanity {figures['recall']:.3f} (>= 0.9: "
        f"{'met' if figures['recall'] >= 0.9 else 'MISSED'}); false flags on benign swearing "
        f"{figures['false_flags']:.3f} (<= 0.10: {'met' if figures['false_flags'] <= 0.10 else 'MISSED'})"
    )
    return figures


def load_tweeteval(root: Path, subset: str, split: str = "test") -> tuple[list[str], list[int]]:
    """One split of a TweetEval subset: ``test`` for the figures; ``val`` (or ``train``) only
    while developing, so that decisions are never made on the test split."""
    texts = (root / subset / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(value) for value in (root / subset / f"{split}_labels.txt").read_text().split()]
    if len(texts) != len(labels):
        raise SystemExit(f"{subset}: {len(texts)} tweets but {len(labels)} labels")
    return texts, labels


OFFENSIVE_CATEGORIES = frozenset({"threat", "insult", "sexual", "identity", "self_harm"})


def offensive(assessment: Assessment) -> bool:
    return assessment.strong_language or not OFFENSIVE_CATEGORIES.isdisjoint(assessment.categories)


def identity_attack(assessment: Assessment) -> bool:
    return "identity" in assessment.categories


def report_tweeteval(
    detector: Detector,
    root: Path,
    reference: Callable[[list[str]], list[bool]],
    split: str = "test",
) -> None:
    if split != "test":
        print(f"TweetEval {split} split (for development; the figures are the test split's)")
    print(f"{'split':10} {'system':22} {'precision':>9} {'recall':>7} {'F1':>6}")
    gaps = []
    for subset, decide in (("offensive", offensive), ("hate", identity_attack)):
        texts, labels = load_tweeteval(root, subset, split)
        truth = [bool(label) for label in labels]
        ours = [decide(a) for a in detector.assess_many(texts)]
        theirs = reference(texts)
        results = {}
        for name, predicted in (("Ally detector", ours), ("alt-profanity-check", theirs)):
            precision, recall, f1 = prf(truth, predicted)
            results[name] = f1
            print(f"{subset:10} {name:22} {precision:9.3f} {recall:7.3f} {f1:6.3f}")
        gap = 100 * (results["Ally detector"] - results["alt-profanity-check"])
        gaps.append(gap)
        print(
            f"{subset:10} F1 difference: {gap:+.1f} points (n={len(texts)}, positives={sum(truth)}; "
            f"target >= +10: {'met' if gap >= 10 else 'MISSED'})"
        )


def cpu_seconds(function: Callable[[], object]) -> float:
    start = time.process_time()
    function()
    return max(time.process_time() - start, 1e-9)


def report_throughput(
    samples: dict[str, list[str]],
    reference: Callable[[list[str]], list[bool]] | None,
    rounds: int = 5,
) -> None:
    """Messages per CPU-second, Ally and the reference taking turns ``rounds`` times on the same
    messages; the best round of each counts (on a shared machine, other jobs only slow a round
    down, so the fastest round is the least disturbed one)."""
    print(f"{'messages':30} {'n':>6} {'Ally msg/s':>11} {'reference msg/s':>16} {'ratio':>6}")
    detector = Detector()
    for name, texts in samples.items():
        ours = theirs = float("inf")
        for _ in range(rounds):
            ours = min(ours, cpu_seconds(lambda t=texts: [detector.assess(text) for text in t]))
            if reference is not None:
                theirs = min(theirs, cpu_seconds(lambda t=texts: reference(t)))
        ours_rate = len(texts) / ours
        if reference is None:  # no reference installed: Ally's rate alone
            print(f"{name:30} {len(texts):6} {ours_rate:11,.0f} {'-':>16} {'-':>6}")
            continue
        theirs_rate = len(texts) / theirs
        print(
            f"{name:30} {len(texts):6} {ours_rate:11,.0f} {theirs_rate:16,.0f} "
            f"{ours_rate / theirs_rate:6.2f}"
        )
    print(
        f"target: >= 20,000 messages a second on one core (CPU time, best of {rounds} rounds); "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--tweeteval",
        type=Path,
        default=os.environ.get("ALLY_TWEETEVAL") or None,
        help="TweetEval's datasets/ folder (default: $ALLY_TWEETEVAL)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="passes over Ally's set for speed")
    parser.add_argument("--rounds", type=int, default=5, help="speed rounds (the best counts)")
    parser.add_argument("--own-only", action="store_true", help="only Ally's set (no speed)")
    parser.add_argument(
        "--tweeteval-split",
        choices=("test", "val", "train"),
        default="test",
        help="TweetEval split to compare on (default test; use val while developing)",
    )
    parser.add_argument(
        "--fresh-split",
        choices=("test", "dev"),
        default="test",
        help="half of the fresh set to report (default test; use dev while developing)",
    )
    args = parser.parse_args()

    reference: Callable[[list[str]], list[bool]] | None = None
    try:
        from profanity_check import predict  # the reference, imported here: Ally never needs it

        def reference(texts: list[str]) -> list[bool]:
            return [bool(value) for value in predict(texts)]
    except ImportError:
        print("alt-profanity-check is not installed (pip install -e '.[bench]'): no reference.")

    rows = load_own()
    report_own(Detector(), rows)
    print()
    report_own(
        Detector(),
        load_own(prefix="fresh-"),
        "Fresh held-out set (new wordings, fresh-en.tsv / fresh-es.tsv)",
        args.fresh_split,
    )
    if args.own_only:
        return
    print()
    samples = {"Ally's set (every message)": [row.text for row in rows] * args.repeat}
    if args.tweeteval is None or not (args.tweeteval / "offensive").is_dir():
        print(f"TweetEval skipped. {TWEETEVAL_HELP}")
    elif reference is None:
        print("TweetEval comparison skipped: it needs the reference, alt-profanity-check.")
    else:
        report_tweeteval(Detector(), args.tweeteval, reference, args.tweeteval_split)
        samples[f"TweetEval {args.tweeteval_split} tweets"] = (
            load_tweeteval(args.tweeteval, "offensive", args.tweeteval_split)[0]
            + load_tweeteval(args.tweeteval, "hate", args.tweeteval_split)[0]
        )
    print()
    report_throughput(samples, reference, args.rounds)


if __name__ == "__main__":
    main()
