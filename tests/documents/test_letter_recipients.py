"""Each letter pre-ticks only what its recipient should read: the person's own steps and the
replies about that recipient's case. A step that went to the police (a crime reference) is
never pre-ticked for HR; it stays in the checklist, unticked with its reason, and ticking it
brings it into the letter.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ally.documents.checklist import Choice
from ally.documents.drafting import Draft, DraftRequest
from ally.documents.evidence import MemoryEvidence
from ally.documents.law import find_conduct
from ally.documents.letters import LetterPart
from ally.vault import Vault
from ally.web.person.incidents import entry_from
from tests.documents.conftest import PASSPHRASE, WEAK
from tests.documents.test_cli import vault_cli
from tests.documents.test_letter_substance import (
    CA_ANSWERS,
    CA_DETAILS,
    GB_ANSWERS,
    GB_DETAILS,
    LA,
    LONDON,
    at,
    drafts_for,
    letters_for,
    post_reported_to_host,
)

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


def hr_draft(journal: MemoryEvidence, choice: Choice = Choice()) -> Draft:
    request = DraftRequest(details=CA_DETAILS, zone=LA, choice=choice)
    return drafts_for("us-ca", CA_ANSWERS, journal, request, ["employer-hr"])["employer-hr"]


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


def test_the_crd_intake_is_about_the_work_case_not_the_police_report() -> None:
    """California's CRD letter is the employment complaint: it pre-ticks the HR complaint
    and the EEOC filing, and leaves the police report unticked with its reason."""
    journal = police_and_hr_journal([])
    journal.add(
        "action",
        {"when": at(LA, 8, 20, 10), "what": "Filed an inquiry with the EEOC.", "to": "EEOC"},
    )
    request = DraftRequest(details=CA_DETAILS, zone=LA)
    made = drafts_for("us-ca", CA_ANSWERS, journal, request, ["crd-complaint"])["crd-complaint"]
    listed = {c.summary: c for c in made.checklist.candidates}
    police = listed["Reported the assault at the station."]
    assert not police.ticked and police.why == "police"
    assert listed["Made a written complaint to HR about Sam Reyes."].ticked
    assert listed["Filed an inquiry with the EEOC."].ticked
    complaints = made.letter.text().split("7. Complaints I have already made")[1]
    assert "Made a written complaint to HR about Sam Reyes." in complaints
    assert "Filed an inquiry with the EEOC." in complaints
    assert CRIME_REFERENCE not in made.letter.text() and "at the station" not in complaints


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


# --- retaliation, said by the person when they type an incident -------------------------------


def typed_retaliation_journal(retaliation: bool) -> MemoryEvidence:
    """A complaint to HR, HR's refusal, then an incident typed on the web form, with or
    without its "after I complained" box ticked."""
    journal = MemoryEvidence()
    journal.add(
        "incident",
        {
            "when": at(LA, 8, 3, 21, 52),
            "what": "Sam Boss touched my back at the printer and made remarks about my body.",
            "who": ["Sam Boss"],
            "contexts": ["work"],
        },
    )
    journal.add(
        "action",
        {
            "when": at(LA, 8, 12, 10),
            "what": "Complained to HR in writing.",
            "did": "complained",
            "to": "HR",
        },
    )
    journal.add(
        "reply",
        {
            "when": at(LA, 8, 20),
            "what": "HR refused to investigate.",
            "by": "HR",
            "outcome": "refused",
        },
    )
    fields = {
        "kind": "incident",
        "when_date": "2026-09-01",
        "what": "After my complaint Sam Boss cut my shifts.",
        "context": "work",
    }
    if retaliation:
        fields["retaliation"] = "yes"
    saved = entry_from(fields, LA)
    assert not isinstance(saved, str), saved
    journal.add(*saved)
    return journal


def ca_letters(journal: MemoryEvidence) -> dict[str, str]:
    targets = ["employer-hr", "agency-complaint", "crd-complaint"]
    return letters_for("us-ca", CA_ANSWERS, journal, CA_DETAILS, LA, targets)


def test_a_typed_incident_ticked_as_retaliation_names_it_in_the_letters() -> None:
    letters = ca_letters(typed_retaliation_journal(retaliation=True))
    hr = letters["employer-hr"]
    assert hr.startswith("Subject: Formal complaint of sexual harassment and retaliation")
    assert "§ 12940(h) (retaliation)" in hr
    for agency in ("agency-complaint", "crd-complaint"):
        text = letters[agency]
        assert "4. Issues: sexual harassment and retaliation" in text, agency
        assert "3. Basis: sex; retaliation" in text, agency


def test_without_the_tick_retaliation_is_not_claimed() -> None:
    letters = ca_letters(typed_retaliation_journal(retaliation=False))
    assert letters["employer-hr"].startswith("Subject: Formal complaint of sexual harassment from")
    assert "4. Issues: sexual harassment\n" in letters["crd-complaint"]


def test_cli_vault_add_retaliation_tags_the_incident(tmp_path: Path) -> None:
    location = tmp_path / "vault"
    Vault.create(str(location), PASSPHRASE, work_factor=WEAK).close()
    typed = tmp_path / "incident.json"
    typed.write_text(
        json.dumps(
            {
                "when": {"start": "2026-09-01T08:00:00-07:00"},
                "what": "After my complaint Sam Boss cut my shifts.",
                "contexts": ["work"],
            }
        ),
        encoding="utf-8",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return vault_cli(location, "vault", *args)

    added = run("add", "incident", "--from", str(typed), "--retaliation", "--timezone", "UTC")
    assert added.returncode == 0, added.stderr
    refused = run("add", "note", "--from", str(typed), "--retaliation")
    assert refused.returncode != 0 and "--retaliation is for an incident" in refused.stderr
    with Vault.open(str(location), PASSPHRASE) as vault:
        incidents = [e for e in vault.entries() if e.kind == "incident"]
        assert [e.incident().tags for e in incidents] == [["retaliation"]]
        assert "retaliation" in find_conduct({}, incidents).conduct


# --- the upstream letter names the host, not the desk the person reported to ------------------


def upstream_letter(host_organisation: str | None) -> str:
    journal = MemoryEvidence()
    post_reported_to_host(journal, "Hostly abuse desk", "HOST-77")
    letters = dict(GB_DETAILS.letters)
    if host_organisation:
        letters["host-abuse-report"] = LetterPart(recipient_organisation=host_organisation)
    details = GB_DETAILS.model_copy(update={"letters": letters})
    return letters_for("gb", GB_ANSWERS, journal, details, LONDON, ["upstream-abuse-report"])[
        "upstream-abuse-report"
    ]


def test_the_upstream_letter_names_the_hosting_company_as_the_customer() -> None:
    named = upstream_letter("Hostly Ltd")
    assert (
        "that harasses me. It is hosted by your customer, Hostly Ltd, or uses a domain "
        "registered through you." in named
    )
    unnamed = upstream_letter(None)
    assert (
        "that harasses me. It is hosted by your customer, or uses a domain registered through "
        "you." in unnamed
    )
    assert "your customer, Hostly abuse desk" not in unnamed
    assert "I reported it to the host (Hostly abuse desk) on 2026-06-21, reference HOST-77." in (
        unnamed
    )
