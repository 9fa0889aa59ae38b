"""How many questions a person answers before seeing a plan (issue 15): at most 6 for
harassment that happens only online, a median of at most 10 in general, in every pack.

Counted as the questions shown, "already tried" included. The ``us`` pack's state question is
not counted: it chooses the pack (as choosing ``us-ca`` from the list does), and every state
pack is measured on its own. A person starting in ``us`` answers it too (one more question).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics

import pytest

from ally.knowledge.interview import Interview
from ally.knowledge.loader import builtin_pack_ids, load_pack
from ally.knowledge.sampling import questions_shown
from ally.model.answers import RATHER_NOT_SAY

TODAY = dt.date(2026, 11, 25)
RUNS = 30


def questions_asked(pack_id: str, rng: random.Random, context: list[str] | None) -> list[str]:
    return questions_shown(load_pack(pack_id), rng, TODAY, context)


@pytest.mark.parametrize("pack_id", builtin_pack_ids())
def test_online_only_interviews_ask_at_most_six_questions(pack_id: str) -> None:
    rng = random.Random(f"online {pack_id}")
    runs = [questions_asked(pack_id, rng, ["online"]) for _ in range(RUNS)]
    lengths = [len(run) for run in runs]
    assert statistics.median(lengths) <= 6, runs
    # Only a pack's own follow-up that decides a court order (Ontario: did you live with the
    # partner?) may make a seventh.
    long = [run for run in runs if len(run) > 6]
    assert all(len(run) == 7 and "lived_with_partner" in run for run in long), long
    for run in runs:
        # The yes/no questions are asked as one checklist, never one by one.
        assert "what_happened" in run
        assert not {"threats", "stalking", "intimate_images", "under_18"} & set(run)
        # Nothing about work, school or housing is asked of online-only harassment.
        assert not {"federal_employee", "employer_size", "study_level", "in_nyc"} & set(run)


@pytest.mark.parametrize("pack_id", builtin_pack_ids())
def test_the_median_interview_asks_at_most_ten_questions(pack_id: str) -> None:
    rng = random.Random(f"any {pack_id}")
    runs = [questions_asked(pack_id, rng, None) for _ in range(RUNS)]
    assert statistics.median(len(run) for run in runs) <= 10, runs
    assert all(run[0] == "in_danger_now" for run in runs)  # safety first, always
    assert sum("tried" in run for run in runs) >= RUNS // 2  # the new question is counted


def test_a_checklist_answers_its_yes_no_questions_and_a_skip_skips_them() -> None:
    pack = load_pack("generic")
    interview = Interview(pack, today=TODAY)
    interview.answer("in_danger_now", "no")
    interview.answer("context", ["online"])
    interview.answer("what_happened", ["threats", "intimate_images"])
    assert interview.answers["threats"] == "yes"
    assert interview.answers["intimate_images"] == "yes"
    assert interview.answers["stalking"] == "no"
    assert interview.answers["under_18"] == "no"
    assert "threats" not in interview.history  # shown once, as the checklist
    # Going back and changing the checklist changes its answers (nothing stale is kept).
    while interview.back() is not None and interview.current().id != "what_happened":  # type: ignore[union-attr]
        pass
    interview.answer("what_happened", ["stalking"])
    assert interview.answers["threats"] == "no" and interview.answers["stalking"] == "yes"
    plan = interview.plan(TODAY)
    assert "safety-plan" in plan.step_ids()
    assert "intimate-image-removal" not in plan.step_ids()
    interview.skip("what_happened")
    assert interview.answers["threats"] == RATHER_NOT_SAY
    # "I'd rather not say" keeps every step that might apply.
    assert {"police-report", "intimate-image-removal"} <= set(interview.plan(TODAY).step_ids())


def test_an_older_answers_file_shows_its_yes_answers_ticked_in_the_checklist() -> None:
    pack = load_pack("generic")
    interview = Interview(pack, {"in_danger_now": "no", "context": ["online"], "threats": "yes"})
    assert interview.previous("what_happened") == ["threats"]
    assert interview.history == ["in_danger_now", "context", "threats"]  # answered before
    interview.answer("what_happened", ["threats", "stalking"])
    assert interview.answers["stalking"] == "yes" and interview.answers["threats"] == "yes"
    assert interview.history == ["in_danger_now", "context", "what_happened"]
