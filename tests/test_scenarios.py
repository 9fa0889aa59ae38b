"""The scenario table: real situations across contexts and jurisdictions, each checked for the
steps it must and must not contain, their order, the deadlines and the interview it produces."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from ally.documents.plan import render
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.interview import Interview
from ally.knowledge.loader import load_pack
from ally.knowledge.yamlfile import parse_yaml
from ally.model.answers import RATHER_NOT_SAY
from ally.model.plan import Plan

SCENARIO_DIR = Path(__file__).parent / "scenarios"


def _load() -> list[dict[str, Any]]:
    scenarios = []
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        for item in parse_yaml(path.read_text(encoding="utf-8")):
            item["_file"] = path.name
            scenarios.append(item)
    return scenarios


SCENARIOS = _load()


def test_there_are_at_least_forty_scenarios_across_packs() -> None:
    assert len(SCENARIOS) >= 40
    assert len({s["pack"] for s in SCENARIOS}) >= 8


def _answers(scenario: dict[str, Any]) -> dict[str, Any]:
    return dict(scenario.get("answers") or {})


@pytest.mark.parametrize(
    "scenario", SCENARIOS, ids=[f"{s['_file']}:{s['name']}" for s in SCENARIOS]
)
def test_scenario(scenario: dict[str, Any]) -> None:
    pack = load_pack(scenario["pack"])
    answers = normalise_answers(pack, _answers(scenario))
    today = scenario["today"]
    assert isinstance(today, dt.date)
    plan = build_plan(pack, answers, today)
    ids = plan.step_ids()

    expected = scenario.get("steps", [])
    missing = [step for step in expected if step not in ids]
    assert not missing, f"missing steps {missing}; plan has {ids}"
    positions = [ids.index(step) for step in expected]
    assert positions == sorted(positions), f"steps out of order: {ids}"
    present = [step for step in scenario.get("absent", []) if step in ids]
    assert not present, f"steps that should be absent: {present}"
    if "first" in scenario:
        assert ids[0] == scenario["first"], ids

    routes = {step.route for step in plan.steps()}
    assert set(scenario.get("routes", [])) <= routes, routes

    deadlines = {d.id: d for step in plan.steps() for d in step.deadlines}
    for deadline_id, due in (scenario.get("deadlines") or {}).items():
        assert deadline_id in deadlines, f"missing deadline {deadline_id}; have {sorted(deadlines)}"
        assert deadlines[deadline_id].due == due, (
            f"{deadline_id}: {deadlines[deadline_id].due} != {due}"
        )
    for deadline_id in scenario.get("no_deadlines", []):
        assert deadline_id not in deadlines

    notices = {notice.id for notice in plan.notices}
    assert set(scenario.get("notices", [])) <= notices, notices
    assert not set(scenario.get("no_notices", [])) & notices, notices

    by_id = {step.id: step for step in plan.steps()}
    for step_id in scenario.get("may_apply", []):
        assert by_id[step_id].certainty == "may_apply"
    _check_priority(scenario, plan)


def _check_priority(scenario: dict[str, Any], plan: Plan) -> None:
    """Issue 15: start here (exact, in order), steps already taken, "Do this now" steps,
    and words that must (not) appear in the plan as printed."""
    if "start_here" in scenario:
        assert [item.step for item in plan.start_here] == scenario["start_here"], plan.start_here
    by_id = {step.id: step for step in plan.steps()}
    done = {step.id: step.tried.outcome for step in plan.steps() if step.tried is not None}
    for step_id, outcome in (scenario.get("done") or {}).items():
        assert done.get(step_id) == outcome, done
    for step_id in scenario.get("now", []):
        assert by_id[step_id].urgency == "now" and by_id[step_id].tried is None, step_id
    for step_id, source in (scenario.get("escalated") or {}).items():
        assert by_id[step_id].escalated_from == source, by_id[step_id]
    text = render(plan, markdown=False)
    for words in scenario.get("text", []):
        assert words in text, words
    for words in scenario.get("no_text", []):
        assert words not in text, words


@pytest.mark.parametrize(
    "scenario",
    [s for s in SCENARIOS if "interview_asks" in s or "interview_never_asks" in s],
    ids=lambda s: f"{s['_file']}:{s['name']}",
)
def test_scenario_interview(scenario: dict[str, Any]) -> None:
    pack = load_pack(scenario["pack"])
    given = normalise_answers(pack, _answers(scenario))
    interview = Interview(pack)
    asked = []
    while (question := interview.current()) is not None:
        asked.append(question.id)
        assert len(asked) <= len(pack.questions), "the interview repeats itself"
        if question.id not in given and any(option.sets for option in question.options):
            # The checklist ("what has happened"): tick what the scenario answered yes to.
            ticked = [o.value for o in question.options if o.sets and given.get(o.sets) == "yes"]
            interview.answer(question.id, ticked or ["none"])
            continue
        interview.answer(question.id, given.get(question.id, RATHER_NOT_SAY))
    for question_id in scenario.get("interview_asks", []):
        assert question_id in asked, asked
    for question_id in scenario.get("interview_never_asks", []):
        assert question_id not in asked, asked


ROUTES_THE_ISSUE_NAMES = {
    "venue",
    "hr",
    "supervisor",
    "employer_duty",
    "agency",
    "platform",
    "isp",
    "police_emergency",
    "police_non_emergency",
    "police_advice",
    "protection_order",
    "criminal_charges",
    "advocacy",
    "shelter",
    "counselling",
    "lawyer",
    "legal_aid",
    "evidence",
}


def test_the_scenarios_reach_every_route() -> None:
    """Every kind of help is reached by some scenario, with an agency deadline actually computed."""
    reached: set[str] = set()
    notices: set[str] = set()
    agency_deadline_due = False
    for scenario in SCENARIOS:
        pack = load_pack(scenario["pack"])
        plan = build_plan(pack, normalise_answers(pack, _answers(scenario)), scenario["today"])
        reached |= {step.route for step in plan.steps()}
        notices |= {notice.id for notice in plan.notices}
        agency_deadline_due |= any(
            deadline.due is not None
            for step in plan.steps()
            if step.route == "agency"
            for deadline in step.deadlines
        )
    assert reached >= ROUTES_THE_ISSUE_NAMES, ROUTES_THE_ISSUE_NAMES - reached
    assert "limited-recourse" in notices
    assert agency_deadline_due
