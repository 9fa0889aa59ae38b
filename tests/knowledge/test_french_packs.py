"""French for the packs Canada's bilingual services need (generic, ca, ca-on): every item
translated, and no English left in a French plan apart from names, numbers and addresses."""

from __future__ import annotations

from typing import Any

import pytest

from ally.knowledge.loader import load_pack, pack_languages
from ally.knowledge.messages import MESSAGES
from tests.knowledge.test_spanish_packs import (
    _english_sentences,
    _everyday_english,
    _rendered_plan,
    _texts,
    _untranslated,
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
    untranslated = _untranslated(pairs)
    assert not untranslated, f"still in English in {pack_id}: {untranslated}"
    assert french.untranslated == []


@pytest.mark.parametrize(
    ("pack_id", "answers"), SITUATIONS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(SITUATIONS)]
)
def test_french_plan_has_no_english(pack_id: str, answers: dict[str, Any]) -> None:
    plan, text = _rendered_plan(pack_id, "fr", answers)
    assert "VOTRE PLAN" in text and not plan.untranslated
    left = sorted(s for s in _english_sentences(load_pack(pack_id)) if s in text)
    assert not left, f"English left in the French plan: {left}"
    words = _everyday_english(text)
    assert not words, f"English words in the French plan: {sorted(set(words))}"


def test_the_plans_own_words_exist_in_french() -> None:
    """The engine's and renderer's sentences have French for every English key."""
    assert set(MESSAGES["fr"]) == set(MESSAGES["en"])
    assert set(MESSAGES["es"]) == set(MESSAGES["en"])
