"""Each letter pre-ticks only what its recipient should read: the person's own steps and the
replies about that recipient's case. A step that went to the police (a crime reference) is
never pre-ticked for HR; it stays in the checklist, unticked with its reason, and ticking it
brings it into the letter.
"""

from __future__ import annotations

import pytest

from ally.documents.checklist import Choice
from ally.documents.drafting import DraftRequest, draft
from ally.documents.evidence import MemoryEvidence
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import load_pack
from tests.documents.test_letter_substance import CA_ANSWERS, CA_DETAILS, LA, TODAY, at

CRIME_REFERENCE = "OAK-2026-00417"


def police_and_hr_journal(police_contexts: list[str]) -> MemoryEvidence:
    journal = MemoryEvidence()
    journal.add(
        "incident",
        {
            "when": at(LA, 8, 3, 21, 52),
            "what": "Sam Reyes grabbed my arm in the dispatch office.",
            "who": ["Sam Reyes"],
            "tags": ["sexual"],
            "contexts": ["work"],
        },
    )
    journal.add(
        "action",
        {
            "when": at(LA, 8, 4, 9),
            "what": "Reported the assault at the station.",
            "did": "reported",
            "to": "Oakland Police Department",
            "reference": CRIME_REFERENCE,
            "contexts": police_contexts,
        },
    )
    journal.add(
        "action",
        {
            "when": at(LA, 8, 12, 10),
            "what": "Made a written complaint to HR about Sam Reyes.",
            "did": "complained",
            "to": "HR (Dana Whitfield)",
        },
    )
    return journal


def hr_draft(journal: MemoryEvidence, choice: Choice = Choice()):  # type: ignore[no-untyped-def]
    pack = load_pack("us-ca")
    answers = normalise_answers(pack, CA_ANSWERS)
    plan = build_plan(pack, answers, TODAY)
    request = DraftRequest(details=CA_DETAILS, zone=LA, choice=choice)
    return draft(pack, plan, "employer-hr", journal, request, answers=answers, today=TODAY)


@pytest.mark.parametrize("police_contexts", [[], ["work"]])
def test_hr_letter_leaves_the_crime_reference_out_until_the_person_ticks_it(
    police_contexts: list[str],
) -> None:
    journal = police_and_hr_journal(police_contexts)
    first = hr_draft(journal)
    text = first.letter.text()
    steps = text.split("Steps I have taken so far:")[1]
    assert "Made a written complaint to HR about Sam Reyes." in steps
    assert CRIME_REFERENCE not in text and "Oakland Police" not in text
    assert "at the station" not in text
    # Not dropped silently: it is in the checklist, unticked, with the reason.
    by_seq = {c.seq: c for c in first.checklist.candidates}
    police = next(c for c in by_seq.values() if "at the station" in c.summary)
    assert not police.ticked and police.why == "police"
    assert "went to the police" in police.reason
    hr = next(c for c in by_seq.values() if "complaint to HR" in c.summary)
    assert hr.ticked and hr.why == "step"
    # Ticking it brings it in.
    chosen = hr_draft(journal, Choice(include=frozenset({str(police.seq)}))).letter.text()
    assert CRIME_REFERENCE in chosen and "Reported the assault at the station." in chosen
    assert "Made a written complaint to HR about Sam Reyes." in chosen


def test_a_step_to_someone_else_is_offered_unticked_with_its_reason() -> None:
    journal = MemoryEvidence()
    journal.add(
        "incident",
        {"when": at(LA, 8, 3), "what": "Sam Reyes grabbed my arm.", "contexts": ["work"]},
    )
    journal.add(
        "action",
        {"when": at(LA, 8, 5), "what": "Told my sister everything.", "to": "my sister"},
    )
    journal.add(
        "reply",
        {"when": at(LA, 8, 20), "what": "The EEOC gave me an inquiry number.", "by": "EEOC"},
    )
    listed = hr_draft(journal).checklist.candidates
    sister = next(c for c in listed if "sister" in c.summary)
    assert not sister.ticked and sister.why == "not-addressed"
    assert "not addressed to this reader" in sister.reason
    eeoc = next(c for c in listed if "EEOC" in c.summary)
    assert eeoc.ticked, "a reply from the agency of this work case"
