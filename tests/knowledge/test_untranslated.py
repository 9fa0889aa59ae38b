"""A plan in a language its pack is not (fully) translated into says so, and keeps its own name."""

from __future__ import annotations

import datetime as dt

from ally.documents.plan import render
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import load_pack

TODAY = dt.date(2026, 11, 25)
WORK = {"in_danger_now": "no", "context": ["work"], "sexual": "yes", "harasser": ["coworker"]}


def _plan(pack_id: str, language: str, answers: dict[str, object]):  # type: ignore[no-untyped-def]
    pack = load_pack(pack_id, language)
    return build_plan(pack, normalise_answers(pack, dict(answers)), today=TODAY)


def test_a_pack_without_its_own_translation_keeps_its_name() -> None:
    """Ireland in Spanish is not 'Cualquier lugar' (the generic pack's Spanish name)."""
    spanish = load_pack("ie", "es")
    assert spanish.name == "Ireland"
    assert "steps.employer-hr" in spanish.untranslated
    assert load_pack("generic", "es").name.startswith("Cualquier lugar")


def test_the_plan_says_when_parts_are_in_english() -> None:
    plan = _plan("ie", "es", WORK)
    assert plan.untranslated
    text = render(plan, markdown=False)
    assert "Algunas partes de este plan todavía no están traducidas" in text
    assert "Cualquier lugar" not in text


def test_a_fully_translated_plan_has_no_such_note() -> None:
    plan = _plan("us", "es", WORK)
    assert not plan.untranslated
    assert "no están traducidas" not in render(plan, markdown=False)
    assert load_pack("us", "es").untranslated == []


def test_english_plans_never_carry_the_note() -> None:
    plan = _plan("ie", "en", WORK)
    assert not plan.untranslated
