"""Every letter every pack can produce, in every language the pack is offered in (issue 20).

The walk drafts each letter of each pack (the answer sets of test_letters bring every step
into some plan) in Spanish, and in French for the packs Canada's bilingual services need, with
every detail known and a full journal. A letter fails if it came back in English (the draft
falls back to the pack's language when a template has no translation), or if any sentence of
an English template is left in it. The content tests read the translated letters as their
recipients do: the recipient, the conduct and the law are named in the letter's language.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import pytest

from ally.documents.drafting import Draft, DraftRequest, draft
from ally.documents.evidence import MemoryEvidence
from ally.documents.letters import STANDALONE, SUBJECT, letter_steps
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import BUILTIN_PACKS, load_pack
from tests.documents.conftest import fill
from tests.documents.test_letters import FULL, PACKS, TODAY, answer_sets

FRENCH = ["generic", "ca", "ca-on"]
WALK = [(pack_id, "es") for pack_id in PACKS]
LANGUAGES = ("es", "fr")
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


@functools.cache
def english_sentences() -> frozenset[str]:
    """The fixed wording of every English template: each run of text between template tags
    with at least four words (shorter runs are names, labels and punctuation)."""
    found: set[str] = set()
    for path in BUILTIN_PACKS.glob("*/letters/**/*.md.j2"):
        if set(path.relative_to(BUILTIN_PACKS).parts) & set(LANGUAGES):
            continue
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
        for line in text.splitlines():
            for piece in _TAG.split(line):
                piece = piece.strip(" -:,.()\"'")
                if len(re.findall(r"[A-Za-z]+", piece)) >= 4:
                    found.add(piece)
    return frozenset(found)


def journal() -> MemoryEvidence:
    filled = MemoryEvidence("6-K7Q3-9XRT-M2PA-HW4D")
    fill(filled)
    return filled


def every_letter(pack_id: str, language: str) -> list[Draft]:
    """Each letter the pack can produce, once, in ``language``."""
    pack = load_pack(pack_id, language)
    source = journal()
    made: dict[str, Draft] = {}
    for raw in answer_sets(load_pack(pack_id)):
        answers = normalise_answers(pack, raw)
        plan = build_plan(pack, answers, TODAY)
        for target in [step.id for step, _ in letter_steps(plan)] + list(STANDALONE):
            if target not in made:
                request = DraftRequest(details=FULL, language=language, zone=dt.UTC)
                made[target] = draft(
                    pack, plan, target, source, request, answers=answers, today=TODAY
                )
    return list(made.values())


@pytest.mark.parametrize(("pack_id", "language"), WALK, ids=[f"{p}-{lang}" for p, lang in WALK])
def test_no_letter_falls_back_to_english(pack_id: str, language: str) -> None:
    drafts = every_letter(pack_id, language)
    assert len(drafts) >= 10, "the walk found too few letters to be a walk"
    english = english_sentences()
    for made in drafts:
        letter = made.letter
        where = (pack_id, language, made.step.id if made.step else made.kind.id)
        assert letter.language == language and not letter.untranslated, where
        assert f"/letters/{language}/" in letter.template, (where, letter.template)
        assert letter.text().startswith(SUBJECT[language] + ": "), where
        said = letter.text() + letter.guide
        left = sorted(sentence for sentence in english if sentence in said)
        assert not left, (where, left)


def test_english_sentences_are_found() -> None:
    """The check above has something to look for (a regex that matched nothing would pass)."""
    english = english_sentences()
    assert "I am writing to tell you to stop harassing me" in english
    assert "Please reply in writing by" in english
    assert len(english) > 150
