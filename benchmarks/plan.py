"""Plan engine figures: plans per second for random situations, how short the interview is,
and the shape of the plans (issue 15): words before the first step's details, steps, contacts
printed in full more than once, and the start-here list.

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

from ally.documents.plan import render
from ally.knowledge import conditions
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import builtin_pack_ids, load_pack
from ally.knowledge.sampling import questions_shown, random_answer
from ally.knowledge.schema import Pack
from ally.knowledge.statetables import load_tables
from ally.model.plan import Plan

TODAY = dt.date(2026, 11, 25)


def random_situation(pack: Pack, rng: random.Random) -> dict[str, Any]:
    return {q.id: random_answer(q, rng, TODAY) for q in pack.questions if rng.random() < 0.8}


def interview_length(pack: Pack, rng: random.Random, context: list[str] | None = None) -> int:
    """Questions shown, counted as :func:`questions_shown` says (the tests count the same)."""
    return len(questions_shown(pack, rng, TODAY, context))


def shape(plan: Plan) -> tuple[int, int, int]:
    """(words before the first step's details, steps to take, contacts printed in full twice).

    The first step's details start after its title; everything above it (title, danger line,
    safety rules, start here, the deadlines box, notices) is what a person reads first."""
    text = render(plan, markdown=False)
    steps = plan.to_do()
    head = text[: text.index(f"1. {steps[0].title}\n")] if steps else text
    full = [line for line in text.splitlines() if line.startswith("   - ") and ", " in line]
    repeated = 0
    for contact in {c.id: c for step in steps for c in step.contacts}.values():
        needle = contact.web or contact.phone
        if needle and sum(needle in line for line in full) > 1:
            repeated += 1
    return len(head.split()), len(steps), repeated


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
    parser.add_argument(
        "--all-states", action="store_true", help="every generated US state pack, not two"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    header = (
        f"{'pack':8} {'plans/s':>8} {'x ref':>6} {'asked':>6} {'of':>3} {'share':>6} {'online':>6}"
        f" {'q med':>5} {'on med':>6} {'words':>5} {'steps':>5} {'dup':>3} {'start':>5}"
    )
    print(header)
    all_rates, all_ratios, all_shares = [], [], []
    all_asked: list[int] = []
    all_online: list[int] = []
    for pack_id in chosen_packs(args.all_states):
        pack = load_pack(pack_id)
        situations = [random_situation(pack, rng) for _ in range(args.situations)]
        engine(pack, situations[:50])  # warm caches (parsed conditions)
        took = engine(pack, situations)
        ref = reference(pack, situations)
        asked = [interview_length(pack, rng) for _ in range(args.interviews)]
        online_runs = online_only_lengths(pack, rng)
        online = statistics.mean(online_runs)
        plans = [build_plan(pack, answers, TODAY) for answers in situations[:300]]
        shapes = [shape(plan) for plan in plans]
        words = statistics.median(item[0] for item in shapes)
        steps = statistics.median(item[1] for item in shapes)
        duplicates = sum(item[2] for item in shapes)
        starts = statistics.mean(len(plan.start_here) for plan in plans)
        all_asked += asked
        all_online += online_runs
        rate = args.situations / took
        mean_asked = statistics.mean(asked)
        share = mean_asked / len(pack.questions)
        all_rates.append(rate)
        all_ratios.append(took / ref)
        all_shares.append(share)
        print(
            f"{pack_id:8} {rate:8.0f} {took / ref:6.1f} {mean_asked:6.1f} {len(pack.questions):3d} "
            f"{share:6.0%} {online:6.1f} {statistics.median(asked):5.0f} "
            f"{statistics.median(online_runs):6.0f} {words:5.0f} {steps:5.0f} {duplicates:3d} "
            f"{starts:5.1f}"
        )
    print(
        f"\nall packs: median {statistics.median(all_rates):.0f} plans/s, "
        f"{statistics.median(all_ratios):.1f}x the bare condition evaluation; "
        f"the interview asks {statistics.mean(all_shares):.0%} of the questions on average; "
        f"median questions asked {statistics.median(all_asked):.0f} "
        f"(online only: median {statistics.median(all_online):.0f}, at most {max(all_online)})"
    )


def chosen_packs(all_states: bool) -> list[str]:
    """The hand-written packs and, unless asked for all, two generated state packs (they
    share one shape: a FEPA state and a state without one)."""
    generated = {
        f"us-{rows.state.id}" for rows in load_tables().states if not rows.state.hand_written
    }
    keep = {"us-co", "us-al"}
    return [p for p in builtin_pack_ids() if all_states or p not in generated or p in keep]


def online_only_lengths(pack: Pack, rng: random.Random, runs: int = 50) -> list[int]:
    return [interview_length(pack, rng, ["online"]) for _ in range(runs)]


if __name__ == "__main__":
    main()
