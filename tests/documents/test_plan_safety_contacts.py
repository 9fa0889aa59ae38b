"""The safety plan's contacts fit the situation (issue 20): a domestic-abuse line first for a
partner or family member, a stalking line for stalking, and for a worker threatened by a
customer a general crisis line rather than domestic-abuse lines only. Checked on the plan the
engine builds and on the text a person reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ally.documents.plan import render
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import load_pack
from ally.knowledge.validate import check_references
from ally.model.plan import Plan

TODAY = dt.date(2026, 12, 6)
EX_PARTNER = {
    "in_danger_now": "no",
    "context": ["private"],
    "harasser": ["partner"],
    "threats": "yes",
    "stalking": "yes",
}
CUSTOMER_THREATS = {
    "in_danger_now": "no",
    "context": ["work", "venue"],
    "harasser": ["customer"],
    "threats": "yes",
    "stalking": "no",
    "sexual": "no",
}
ACQUAINTANCE_STALKS = {
    "in_danger_now": "no",
    "context": ["private", "public"],
    "harasser": ["acquaintance"],
    "threats": "no",
    "stalking": "yes",
}
CASES = [
    # (pack, answers, the safety plan's contacts in order)
    ("us", EX_PARTNER, ["dv-hotline", "findahelpline"]),
    ("us", CUSTOMER_THREATS, ["findahelpline"]),
    ("gb", EX_PARTNER, ["nda-helpline", "stalking-helpline", "findahelpline"]),
    ("gb", CUSTOMER_THREATS, ["findahelpline"]),
    ("gb", ACQUAINTANCE_STALKS, ["stalking-helpline", "findahelpline"]),
    ("ie", EX_PARTNER, ["womens-aid", "mens-aid", "findahelpline"]),
    ("ie", CUSTOMER_THREATS, ["findahelpline"]),
    ("au", EX_PARTNER, ["respect-1800", "lifeline"]),
    ("au", CUSTOMER_THREATS, ["lifeline"]),
    # 1800RESPECT also answers workplace sexual harassment.
    ("au", {**CUSTOMER_THREATS, "sexual": "yes"}, ["respect-1800", "lifeline"]),
    ("generic", EX_PARTNER, ["hotpeachpages", "findahelpline"]),
    ("generic", CUSTOMER_THREATS, ["findahelpline"]),
]


def _plan(pack_id: str, answers: dict[str, Any]) -> Plan:
    pack = load_pack(pack_id)
    return build_plan(pack, normalise_answers(pack, answers), TODAY)


def _safety_contacts(plan: Plan) -> list[str]:
    step = next(step for step in plan.steps() if step.id == "safety-plan")
    return [contact.id for contact in step.contacts]


@pytest.mark.parametrize(("pack_id", "answers", "expected"), CASES)
def test_the_safety_plan_lists_the_contacts_that_fit(
    pack_id: str, answers: dict[str, Any], expected: list[str]
) -> None:
    assert _safety_contacts(_plan(pack_id, answers)) == expected


def test_a_worker_threatened_by_a_customer_is_not_sent_to_domestic_abuse_lines() -> None:
    """The case issue 20 found: a café worker in Ireland, threats from a customer."""
    text = render(_plan("ie", CUSTOMER_THREATS), markdown=False)
    safety = text.split("Make a safety plan", 1)[1].split("\n\n2. ", 1)[0]
    assert "Find A Helpline" in safety
    for line in ("Women's Aid", "Men's Aid"):
        assert line not in text, line


def test_an_ex_partner_case_reads_the_domestic_abuse_line_first() -> None:
    text = render(_plan("gb", EX_PARTNER), markdown=False)
    safety = text.split("Make a safety plan", 1)[1]
    abuse = safety.index("National Domestic Abuse Helpline (run by Refuge): phone 0808 2000 247")
    assert abuse < safety.index("National Stalking Helpline") < safety.index("Find A Helpline")


def test_when_the_answers_are_not_given_every_contact_may_apply() -> None:
    """Nothing said about who it is: no line is held back (it may be the one they need)."""
    plan = _plan("us", {"threats": "yes"})
    assert _safety_contacts(plan) == ["dv-hotline", "findahelpline"]


def test_the_validator_refuses_a_condition_on_a_contact_the_step_does_not_list() -> None:
    pack = load_pack("gb")
    step = next(step for step in pack.steps if step.id == "safety-plan")
    broken = step.model_copy(update={"contacts_when": {"acas": "stalking"}})
    steps = [broken if item.id == "safety-plan" else item for item in pack.steps]
    problems = check_references(type(pack).model_validate({**dict(pack), "steps": steps}), {})
    assert [(p.field, p.message) for p in problems] == [
        ("steps.safety-plan.contacts_when.acas", "'acas' is not one of this step's contacts")
    ]
    assert check_references(pack, {}) == []
