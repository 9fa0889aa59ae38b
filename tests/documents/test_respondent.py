"""An agency's intake names the right respondent: the landlord or the business, never the
person's employer.

A person harassed at work, at home and in a bar gives their employer's name once, for every
letter. The state agencies' housing and public-place complaints used to say "my complaint
against <the employer>", with the employer's headcount and the person's job title, and
listed the office incidents. Every generated state pack (us-*) is checked.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ally.documents.drafting import Draft, DraftRequest, draft
from ally.documents.evidence import MemoryEvidence
from ally.documents.letters import LetterDetails, LetterPart, letter_steps
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import builtin_pack_ids, load_pack
from ally.model.plan import Plan

TODAY = dt.date(2026, 11, 25)
STATES = sorted(p for p in builtin_pack_ids() if p.startswith("us-"))
EMPLOYER = "Acme Staffing Inc"
LANDLORD = "Oak Lettings"
BAR = "The Blue Bar"
SHARED = LetterDetails(
    your_name="Rosa Diaz",
    your_role="Dispatcher",
    organisation=EMPLOYER,
    organisation_size=250,
    harasser="Sam Reyes",
)
NAMED = SHARED.model_copy(
    update={
        "letters": {
            "housing": LetterPart(organisation=LANDLORD),
            "venue": LetterPart(organisation=BAR),
        }
    }
)
HOUSING_STEPS = ("state-housing-complaint", "hud-fair-housing-complaint")
VENUE_STEPS = ("state-public_accommodation-complaint",)


def journal() -> MemoryEvidence:
    """One incident at each place, each marked with its context."""
    found = MemoryEvidence()
    for day, what, place in (
        (3, "Sam Reyes grabbed me at the dispatch desk.", "work"),
        (5, "The building manager left a note calling me a slur.", "housing"),
        (7, "The bouncer groped me and threw me out when I objected.", "venue"),
    ):
        start = dt.datetime(2026, 10, day, 20, 0, tzinfo=dt.UTC).isoformat()
        found.add("incident", {"when": {"start": start}, "what": what, "contexts": [place]})
    return found


def plan_for(pack_id: str) -> tuple[Plan, dict[str, object]]:
    pack = load_pack(pack_id)
    raw = {
        "in_danger_now": "no",
        "context": ["work", "housing", "venue"],
        "sexual": "yes",
        "protected_ground": "yes",
        "harasser": ["coworker"],
        "employer_size": 250,
    }
    known = {question.id for question in pack.questions}
    answers = normalise_answers(pack, {k: v for k, v in raw.items() if k in known})
    return build_plan(pack, answers, TODAY), answers


def letter(pack_id: str, step_id: str, details: LetterDetails) -> Draft:
    plan, answers = plan_for(pack_id)
    request = DraftRequest(details=details, zone=dt.UTC)
    return draft(
        load_pack(pack_id), plan, step_id, journal(), request, answers=answers, today=TODAY
    )


def place_steps(plan: Plan) -> list[str]:
    ids = {step.id for step, _ in letter_steps(plan)}
    return [step for step in (*HOUSING_STEPS, *VENUE_STEPS) if step in ids]


@pytest.mark.parametrize("pack_id", STATES)
def test_housing_and_public_place_intakes_never_name_the_employer(pack_id: str) -> None:
    plan, _ = plan_for(pack_id)
    steps = place_steps(plan)
    assert steps, "HUD's fair-housing complaint is in every US plan with housing"
    for step_id in steps:
        housing = step_id in HOUSING_STEPS
        unnamed = letter(pack_id, step_id, SHARED).letter.text()
        for leaked in (EMPLOYER, "250", "Dispatcher", "dispatch desk", "Example"):
            assert leaked not in unnamed, (pack_id, step_id, leaked)
        neutral = "the landlord or housing provider" if housing else "the business or place"
        assert f"Organisation: {neutral}" in unnamed, (pack_id, step_id)
        assert ("building manager" in unnamed) is housing and ("bouncer" in unnamed) is not housing
        assert "Sam Reyes" in unnamed
        named = letter(pack_id, step_id, NAMED).letter.text()
        assert f"Organisation: {LANDLORD if housing else BAR}" in named, (pack_id, step_id)
        assert f"against {LANDLORD if housing else BAR}" in named
        assert EMPLOYER not in named


@pytest.mark.parametrize("pack_id", STATES)
def test_no_state_letter_carries_a_placeholder_name(pack_id: str) -> None:
    """With details that say nothing of 'Example', no letter of the plan says it either."""
    plan, _ = plan_for(pack_id)
    for step, _kind in letter_steps(plan):
        made = letter(pack_id, step.id, NAMED)
        text = made.letter.text() + made.letter.guide
        assert "Example" not in text and "example" not in text.replace("for example", ""), (
            pack_id,
            step.id,
        )


def test_most_states_have_their_own_housing_and_public_place_intakes() -> None:
    """So the test above reads the state agencies' letters, not only HUD's."""
    with_state = [p for p in STATES if "state-housing-complaint" in place_steps(plan_for(p)[0])]
    with_venue = [
        p for p in STATES if "state-public_accommodation-complaint" in place_steps(plan_for(p)[0])
    ]
    assert len(with_state) >= 20 and len(with_venue) >= 20


def test_the_employers_own_intake_still_names_the_employer() -> None:
    made = letter("us-ak", "state-agency-complaint", NAMED).letter.text()
    assert f"Organisation: {EMPLOYER}" in made and "about 250" in made
    assert "Dispatcher" in made and "dispatch desk" in made
    assert LANDLORD not in made and BAR not in made and "bouncer" not in made


def test_only_one_place_the_shared_organisation_is_that_place() -> None:
    """Someone harassed only at home who names one organisation names their landlord."""
    pack = load_pack("us-ak")
    answers = normalise_answers(
        pack, {"in_danger_now": "no", "context": ["housing"], "protected_ground": "yes"}
    )
    plan = build_plan(pack, answers, TODAY)
    only = LetterDetails(organisation=LANDLORD)
    made = draft(
        pack,
        plan,
        "state-housing-complaint",
        journal(),
        DraftRequest(details=only),
        answers=answers,
        today=TODAY,
    )
    assert f"Organisation: {LANDLORD}" in made.letter.text()
