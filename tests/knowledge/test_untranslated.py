"""A plan in a language its pack is not (fully) translated into says so, and keeps its own name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ally.documents.plan import render
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import load_folder, load_pack
from ally.knowledge.schema import Pack
from ally.model.plan import Plan

TODAY = dt.date(2026, 11, 25)
WORK = {"in_danger_now": "no", "context": ["work"], "sexual": "yes", "harasser": ["coworker"]}

# A jurisdiction pack that extends the generic pack and has no Spanish of its own.
PACK = """\
id: xx
name: Example Land
extends: generic
language: en
checked: 2026-11-25
summary: A test pack without a Spanish translation.
steps:
  - id: employer-hr
    title: Complain to the Example Land labour office
    route: hr
    phase: report
    when: context has work
    summary: The labour office of Example Land looks into harassment at work.
    sources: [xx-labour]
sources:
  - id: xx-labour
    title: Example Land labour office
    url: https://labour.example/harassment
    checked: 2026-11-25
"""


@pytest.fixture
def untranslated(tmp_path: Path) -> Path:
    folder = tmp_path / "xx"
    folder.mkdir()
    (folder / "pack.yaml").write_text(PACK, encoding="utf-8")
    return folder


def _plan(pack: Pack, answers: dict[str, object]) -> Plan:
    return build_plan(pack, normalise_answers(pack, dict(answers)), today=TODAY)


def test_a_pack_without_its_own_translation_keeps_its_name(untranslated: Path) -> None:
    """Not 'Cualquier lugar' (the generic pack's Spanish name) for a pack with no Spanish."""
    spanish = load_folder(untranslated, "es")
    assert spanish.name == "Example Land"
    assert "steps.employer-hr" in spanish.untranslated
    assert "steps.police-report" not in spanish.untranslated  # the generic step has Spanish
    assert load_pack("generic", "es").name.startswith("Cualquier lugar")


def test_the_plan_says_when_parts_are_in_english(untranslated: Path) -> None:
    plan = _plan(load_folder(untranslated, "es"), WORK)
    assert plan.untranslated
    text = render(plan, markdown=False)
    assert "Algunas partes de este plan todavía no están traducidas" in text
    assert "Cualquier lugar" not in text


@pytest.mark.parametrize("pack_id", ["us", "ie", "gb", "ca", "ca-on", "au"])
def test_a_fully_translated_plan_has_no_such_note(pack_id: str) -> None:
    pack = load_pack(pack_id, "es")
    plan = _plan(pack, WORK)
    assert not plan.untranslated
    assert "no están traducidas" not in render(plan, markdown=False)
    assert pack.untranslated == []
    assert not pack.name.startswith("Cualquier lugar")  # its own name, not the generic one


def test_english_plans_never_carry_the_note(untranslated: Path) -> None:
    plan = _plan(load_folder(untranslated), WORK)
    assert not plan.untranslated
