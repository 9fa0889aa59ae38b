"""Letters to the police when intimate images show someone under 18 (issue 15 item 6).

The plan tells a child, or a parent, never to copy, keep or send such images on. The police
summary must say the same to the officer who reads it: it lists no image files (not even their
names or fingerprints), says the images were not kept, and its guide tells the person not to
bring them. For an adult the summary still lists the evidence with its fingerprints.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ally.documents.drafting import Draft, DraftRequest, draft
from ally.documents.evidence import MemoryEvidence
from ally.documents.letters import LetterDetails
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import load_pack

TODAY = dt.date(2026, 11, 25)
PHOTO = "bedroom-photo.jpg"


def journal() -> MemoryEvidence:
    found = MemoryEvidence()
    found.add(
        "incident",
        {
            "when": {"start": dt.datetime(2026, 11, 2, 20, 0, tzinfo=dt.UTC).isoformat()},
            "what": "An account posted a nude picture and said it would send more.",
            "contexts": ["online"],
        },
        [(PHOTO, "image/jpeg", b"\xff\xd8\xff\xe0 not really a photo")],
    )
    return found


def police_letter(pack_id: str, target: str, under_18: str, language: str = "en") -> Draft:
    pack = load_pack(pack_id, language)
    raw = {
        "in_danger_now": "no",
        "context": ["online"],
        "online_where": ["social"],
        "intimate_images": "yes",
        "under_18": under_18,
        "threats": "yes",
    }
    known = {question.id for question in pack.questions}
    answers = normalise_answers(pack, {k: v for k, v in raw.items() if k in known})
    plan = build_plan(pack, answers, TODAY)
    request = DraftRequest(details=LetterDetails(your_name="Jo"), language=language, zone=dt.UTC)
    return draft(pack, plan, target, journal(), request, answers=answers, today=TODAY)


@pytest.mark.parametrize(("pack_id", "target"), [("gb", "ceop-report"), ("gb", "police-report")])
def test_police_summary_for_a_child_lists_no_image(pack_id: str, target: str) -> None:
    made = police_letter(pack_id, target, under_18="yes")
    text = made.letter.text()
    assert "Intimate images" in text and "someone under 18" in text
    assert "I have not copied, kept, attached or sent on any of them" in text
    assert PHOTO not in text and "SHA-256" not in text
    assert "Do not bring, send or show the images" in made.letter.guide
    assert "has the full details and the images" not in made.letter.guide


def test_police_summary_for_an_adult_still_lists_the_evidence() -> None:
    made = police_letter("gb", "police-report", under_18="no")
    text = made.letter.text()
    assert PHOTO in text and "SHA-256" in text
    assert "under 18" not in text and "Do not bring" not in made.letter.guide


def test_spanish_police_summary_for_a_child_lists_no_image() -> None:
    made = police_letter("us", "police-report", under_18="yes", language="es")
    text = made.letter.text()
    assert "menor de 18 años" in text and "No he copiado" in text
    assert PHOTO not in text and "SHA-256" not in text
    assert "No lleve, envíe ni muestre las imágenes" in made.letter.guide
