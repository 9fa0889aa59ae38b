"""Plan engine figures: plans per second for random situations, and how short the interview is.

Run: .venv/bin/python benchmarks/plan.py [--situations N] [--seed S]

Speed is reported as a ratio to a reference measured in the same run on the same answers:
evaluating every step condition once (the least work any engine must do). The machines are
noisy, so the ratio is the figure to compare across runs, not the raw rate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from typing import Any

from ally.knowledge import conditions
from ally.knowledge.engine import build_plan
from ally.knowledge.interview import Interview
from ally.knowledge.loader import builtin_pack_ids, load_pack
from ally.knowledge.schema import Pack, Question, QuestionType
from ally.model.answers import RATHER_NOT_SAY, ApproxDate

TODAY = dt.date(2026, 11, 25)


def random_answer(question: Question, rng: random.Random) -> Any:
    if rng.random() < 0.15:
        return RATHER_NOT_SAY
    values = [option.value for option in question.options]
    if question.type is QuestionType.YESNO:
        return rng.choice(["yes", "no"])
    if question.type is QuestionType.ONE:
        return rng.choice(values)
    if question.type is QuestionType.MULTI:
        return rng.sample(values, rng.randint(1, min(3, len(values))))
    if question.type is QuestionType.NUMBER:
        return rng.choice([1, 4, 10, 14, 15, 20, 100, 5000])
    day = TODAY - dt.timedelta(days=rng.randint(0, 900))
    return ApproxDate.parse(day if rng.random() < 0.7 else f"{day.year}-{day.month:02d}")


def random_situation(pack: Pack, rng: random.Random) -> dict[str, Any]:
    return {q.id: random_answer(q, rng) for q in pack.questions if rng.random() < 0.8}


def interview_length(pack: Pack, rng: random.Random) -> int:
    interview = Interview(pack)
    while (question := interview.current()) is not None:
        interview.answer(question.id, random_answer(question, rng))
    return len(interview.answers)


def reference(pack: Pack, situations: list[dict[str, Any]]) -> float:
    nodes = [conditions.parse(step.when) for step in pack.steps]
    start = time.perf_counter()
    for answers in situations:
        for node in nodes:
            conditions.evaluate(node, answers)
    return time.perf_counter() - start


def engine(pack: Pack, situations: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    for answers in situations:
        build_plan(pack, answers, TODAY)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--situations", type=int, default=2000)
    parser.add_argument("--interviews", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    header = (
        f"{'pack':8} {'plans/s':>8} {'x ref':>6} {'asked':>6} {'of':>3} {'share':>6} {'online':>6}"
    )
    print(header)
    all_rates, all_ratios, all_shares = [], [], []
    for pack_id in builtin_pack_ids():
        pack = load_pack(pack_id)
        situations = [random_situation(pack, rng) for _ in range(args.situations)]
        engine(pack, situations[:50])  # warm caches (parsed conditions)
        took = engine(pack, situations)
        ref = reference(pack, situations)
        asked = [interview_length(pack, rng) for _ in range(args.interviews)]
        online = online_only_length(pack, rng)
        rate = args.situations / took
        mean_asked = statistics.mean(asked)
        share = mean_asked / len(pack.questions)
        all_rates.append(rate)
        all_ratios.append(took / ref)
        all_shares.append(share)
        print(
            f"{pack_id:8} {rate:8.0f} {took / ref:6.1f} {mean_asked:6.1f} {len(pack.questions):3d} "
            f"{share:6.0%} {online:6.1f}"
        )
    print(
        f"\nall packs: median {statistics.median(all_rates):.0f} plans/s, "
        f"{statistics.median(all_ratios):.1f}x the bare condition evaluation; "
        f"the interview asks {statistics.mean(all_shares):.0%} of the questions on average"
    )


def online_only_length(pack: Pack, rng: random.Random, runs: int = 50) -> float:
    lengths = []
    for _ in range(runs):
        interview = Interview(pack)
        while (question := interview.current()) is not None:
            value = ["online"] if question.id == "context" else random_answer(question, rng)
            interview.answer(question.id, value)
        lengths.append(len(interview.answers))
    return statistics.mean(lengths)


if __name__ == "__main__":
    main()
