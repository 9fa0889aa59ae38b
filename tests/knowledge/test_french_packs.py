"""French for the packs Canada's bilingual services need (generic, ca, ca-on): every item
translated, and no English left in a French plan apart from names, numbers and addresses."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ally.documents.plan import render
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import load_pack, pack_languages
from ally.knowledge.messages import MESSAGES
from tests.knowledge.test_spanish_packs import (
    _PROPER_NAME,
    _URL,
    TODAY,
    _english_sentences,
    _only_names,
    _texts,
)

PACKS = ["generic", "ca", "ca-on"]
SITUATIONS: list[tuple[str, dict[str, Any]]] = [
    *[(pack_id, {}) for pack_id in PACKS],
    (
        "ca-on",
        {
            "in_danger_now": "no",
            "context": ["work"],
            "harasser": ["boss"],
            "sexual": "yes",
            "protected_ground": "yes",
            "federally_regulated": "no",
            "last_incident": "2026-10-01",
        },
    ),
    (
        "ca",
        {
            "in_danger_now": "yes",
            "context": ["private", "online"],
            "harasser": ["partner"],
            "threats": "yes",
            "intimate_images": "yes",
        },
    ),
]


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_text_is_translated(pack_id: str) -> None:
    english, french = load_pack(pack_id), load_pack(pack_id, "fr")
    assert french.language == "fr" and "fr" in pack_languages(pack_id)
    pairs = list(zip(_texts(english), _texts(french), strict=True))
    untranslated = [
        where
        for (where, en), (_, fr) in pairs
        if en is not None and en == fr and not _only_names(en)
    ]
    assert not untranslated, f"still in English in {pack_id}: {untranslated}"
    assert french.untranslated == []


@pytest.mark.parametrize(
    ("pack_id", "answers"), SITUATIONS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(SITUATIONS)]
)
def test_french_plan_has_no_english(pack_id: str, answers: dict[str, Any]) -> None:
    pack = load_pack(pack_id, "fr")
    plan = build_plan(pack, normalise_answers(pack, answers), TODAY)
    text = render(plan, markdown=False)
    assert "VOTRE PLAN" in text and not plan.untranslated
    left = sorted(s for s in _english_sentences(load_pack(pack_id)) if s in text)
    assert not left, f"English left in the French plan: {left}"
    prose = _PROPER_NAME.sub(" ", _URL.sub(" ", text))
    words = re.findall(r"\b(?:you|your|the|when|with|if|must|can|this|will)\b", prose)
    assert not words, f"English words in the French plan: {sorted(set(words))}"


def test_the_plans_own_words_exist_in_french() -> None:
    """The engine's and renderer's sentences have French for every English key."""
    assert set(MESSAGES["fr"]) == set(MESSAGES["en"])
    assert set(MESSAGES["es"]) == set(MESSAGES["en"])
