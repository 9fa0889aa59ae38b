"""The Spanish text of every hand-written pack: every item translated, and no English left in a
plan rendered in Spanish (apart from names, numbers and addresses)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

from ally.documents.plan import render
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import load_pack
from ally.knowledge.schema import Pack
from ally.model.plan import Plan

PACKS = ["generic", "us", "us-ca", "us-ny", "us-tx", "ie", "ca", "ca-on", "gb", "au"]
TODAY = dt.date(2026, 11, 25)

# Small words that may sit inside an organisation's or a law's name ("Office for Civil Rights").
_NAME_JOINERS = {"of", "and", "for", "the", "on", "in", "at", "to", "a", "an", "-", "&"}
_URL = re.compile(r"(https?://\S+|\b[\w.-]+\.(?:org|gov|com|net)(?:/\S*)?)")
# A proper name with small joining words ("Office of the Independent Adjudicator") stays English.
_PROPER_NAME = re.compile(
    r"\b[A-Z][\w'’.-]*(?:\s+(?:(?:of|the|and|for|on|in|to|a|an|&)\s+)*[A-Z][\w'’.-]*)+"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’.&-]*")


def _only_names(text: str) -> bool:
    """True for text that is only names, numbers and addresses, which stay as they are."""
    words = _WORD.findall(_URL.sub(" ", text))
    return all(word[0].isupper() or word.lower() in _NAME_JOINERS for word in words)


def _texts(pack: Pack) -> Iterator[tuple[str, str | None]]:
    """(where, text) for every piece of pack text a person reads."""
    yield "pack.name", pack.name
    yield "pack.summary", pack.summary
    for question in pack.questions:
        where = f"questions.{question.id}"
        yield f"{where}.text", question.text
        yield f"{where}.summary", question.summary
        yield f"{where}.help", question.help
        for option in question.options:
            yield f"{where}.options.{option.value}", option.label
    for step in pack.steps:
        where = f"steps.{step.id}"
        yield f"{where}.title", step.title
        yield f"{where}.summary", step.summary
        yield f"{where}.who", step.who
        for index, item in enumerate(step.how):
            yield f"{where}.how.{index}", item
        for index, item in enumerate(step.bring):
            yield f"{where}.bring.{index}", item
        for index, edge in enumerate(step.escalation):
            yield f"{where}.says.{index}", edge.says
    for contact in pack.contacts:
        where = f"contacts.{contact.id}"
        yield f"{where}.name", contact.name
        yield f"{where}.hours", contact.hours
        yield f"{where}.notes", contact.notes
    for deadline in pack.deadlines:
        where = f"deadlines.{deadline.id}"
        yield f"{where}.title", deadline.title
        yield f"{where}.body", deadline.body
        yield f"{where}.note", deadline.note
    for notice in pack.notices:
        yield f"notices.{notice.id}.title", notice.title
        yield f"notices.{notice.id}.text", notice.text
    for source in pack.sources:
        yield f"sources.{source.id}.title", source.title


def _untranslated(pairs: list[tuple[tuple[str, str | None], tuple[str, str | None]]]) -> list[str]:
    """Where the translated pack still has the English text (names apart), from the pairs of
    ``_texts`` of the English and the translated pack."""
    return [
        where
        for (where, en), (_, translated) in pairs
        if en is not None and en == translated and not _only_names(en)
    ]


def _rendered_plan(pack_id: str, language: str, answers: dict[str, Any]) -> tuple[Plan, str]:
    """The plan for these answers from the pack in LANGUAGE, and its text as printed."""
    pack = load_pack(pack_id, language)
    plan = build_plan(pack, normalise_answers(pack, answers), TODAY)
    return plan, render(plan, markdown=False)


def _everyday_english(text: str) -> list[str]:
    """Everyday English words in TEXT, names and web addresses left out."""
    prose = _PROPER_NAME.sub(" ", _URL.sub(" ", text))
    return re.findall(r"\b(?:you|your|the|when|with|if|must|can|this|will)\b", prose)


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_text_is_translated(pack_id: str) -> None:
    english, spanish = load_pack(pack_id), load_pack(pack_id, "es")
    assert spanish.language == "es"
    pairs = list(zip(_texts(english), _texts(spanish), strict=True))
    assert all(en[0] == es[0] for en, es in pairs)
    untranslated = _untranslated(pairs)
    assert not untranslated, f"still in English in {pack_id}: {untranslated}"


@pytest.mark.parametrize("pack_id", PACKS)
def test_structure_is_unchanged(pack_id: str) -> None:
    """A translation changes words only: the same items, lists and escalation edges."""
    english, spanish = load_pack(pack_id), load_pack(pack_id, "es")
    assert [s.id for s in english.steps] == [s.id for s in spanish.steps]
    for en, es in zip(english.steps, spanish.steps, strict=True):
        assert (len(en.how), len(en.bring)) == (len(es.how), len(es.bring))
        assert [(e.on, e.to, e.says is None) for e in en.escalation] == [
            (e.on, e.to, e.says is None) for e in es.escalation
        ]
        assert (en.when, en.route, en.contacts, en.deadlines) == (
            es.when,
            es.route,
            es.contacts,
            es.deadlines,
        )
    for en_q, es_q in zip(english.questions, spanish.questions, strict=True):
        assert [o.value for o in en_q.options] == [o.value for o in es_q.options]
    for en_c, es_c in zip(english.contacts, spanish.contacts, strict=True):
        # A translation may word a phone line ("999 o 112") but never change its numbers.
        assert (_numbers(en_c.phone), en_c.web) == (_numbers(es_c.phone), es_c.web)


def _numbers(phone: str | None) -> list[str]:
    return re.findall(r"\d[\d-]*\d", phone or "")


SITUATIONS: list[tuple[str, dict[str, Any]]] = [
    # Nothing answered: every step, contact and deadline is shown as "may apply".
    *[(pack_id, {}) for pack_id in PACKS],
    (
        "generic",
        {
            "context": ["private", "public"],
            "harasser": ["acquaintance"],
            "threats": "no",
            "stalking": "no",
            "intimate_images": "no",
        },
    ),
    (
        "us-ca",
        {
            "in_danger_now": "no",
            "context": ["work", "online"],
            "harasser": ["boss", "coworker"],
            "threats": "yes",
            "intimate_images": "yes",
            "sexual": "yes",
            "protected_ground": "yes",
            "online_where": ["social", "email"],
            "last_incident": "2026-10-02",
            "federal_employee": "no",
            "employer_size": 8,
        },
    ),
    (
        "us-ny",
        {
            "in_danger_now": "yes",
            "context": ["private", "housing", "work"],
            "harasser": ["partner", "landlord"],
            "threats": "yes",
            "stalking": "yes",
            "sexual": "no",
            "protected_ground": "yes",
            "in_nyc": "yes",
            "last_incident": "2023-06",
        },
    ),
    (
        "us-tx",
        {
            "context": ["school", "venue", "work"],
            "harasser": ["student", "customer"],
            "sexual": "yes",
            "protected_ground": "yes",
            "federal_employee": "no",
            "employer_size": 5,
            "last_incident": "2026-09",
        },
    ),
    (
        "us",
        {
            "context": ["work", "housing", "school"],
            "sexual": "yes",
            "federal_employee": "no",
            "employer_size": 3,
            "last_incident": "2026-11-02",
        },
    ),
]


def _english_sentences(pack: Pack) -> set[str]:
    sentences = set()
    for _, text in _texts(pack):
        for sentence in re.split(r"(?<=[.!?;:])\s+|\n", text or ""):
            sentence = sentence.strip()
            if len(sentence.split()) >= 3 and not _only_names(sentence):
                sentences.add(sentence)
    return sentences


@pytest.mark.parametrize(
    ("pack_id", "answers"), SITUATIONS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(SITUATIONS)]
)
def test_spanish_plan_has_no_english_sentences(pack_id: str, answers: dict[str, Any]) -> None:
    _, text = _rendered_plan(pack_id, "es", answers)
    assert "Su plan" in text.title() or "SU PLAN" in text
    left = sorted(s for s in _english_sentences(load_pack(pack_id)) if s in text)
    assert not left, f"English left in the Spanish plan: {left}"
    # Everyday English words never belong in the Spanish text (names are capitalised; web
    # addresses are left as they are).
    words = _everyday_english(text)
    assert not words, f"English words in the Spanish plan: {sorted(set(words))}"


def test_spanish_plan_notices_are_in_spanish() -> None:
    pack = load_pack("us-tx", "es")
    answers = normalise_answers(pack, SITUATIONS[-2][1])
    plan = build_plan(pack, answers, TODAY)
    assert [notice.id for notice in plan.notices] == ["small-employer"]
    assert plan.notices[0].title.startswith("Es posible que la ley federal")
