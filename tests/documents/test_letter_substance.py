"""Letters read as their recipients read them: the conduct named, the law, the addressee, the
period, the steps already taken, and what must not be there.

Two cases a new user would bring: a California dispatcher sexually harassed by a coworker, who
complained to HR, was refused, and was then moved to nights (retaliation, shown by an imported
chat message); and an English case at work and online, where the host was told and did nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ally.documents.drafting import Draft, DraftRequest, draft, offered_standalone
from ally.documents.evidence import EvidenceSource, MemoryEvidence
from ally.documents.letters import LetterDetails, LetterError, LetterPart
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import load_pack

TODAY = dt.date(2026, 11, 25)
LA = ZoneInfo("America/Los_Angeles")
LONDON = ZoneInfo("Europe/London")


def at(zone: dt.tzinfo, month: int, day: int, hour: int = 12, minute: int = 0) -> dict[str, str]:
    return {"start": dt.datetime(2026, month, day, hour, minute, tzinfo=zone).isoformat()}


def california_journal() -> MemoryEvidence:
    journal = MemoryEvidence()
    journal.add(
        "incident",
        {
            "when": at(LA, 8, 3, 21, 52),
            "what": "Sam Reyes said he would 'make my shifts easy' if I came to his hotel room.",
            "where": "Dispatch office",
            "who": ["Sam Reyes"],
            "witnesses": ["Ana Lee"],
            "tags": ["sexual"],
            "contexts": ["work"],
        },
    )
    journal.add(
        "incident",
        {
            "when": at(LA, 8, 10, 9),
            "what": "Sam Reyes touched my back at the printer.",
            "who": ["Sam Reyes"],
            "contexts": ["work"],
        },
    )
    journal.add(
        "action",
        {
            "when": at(LA, 8, 12, 10),
            "what": "Reported the comments and the touching to HR by email.",
            "did": "complained",
            "to": "HR (Dana Whitfield)",
            "step": "employer-hr",
            "contexts": ["work"],
        },
    )
    journal.add(
        "reply",
        {
            "when": at(LA, 8, 20, 16),
            "what": "HR said it was a misunderstanding and closed my complaint.",
            "by": "Dana Whitfield, HR",
            "outcome": "refused",
            "reference": "HR-2231",
            "step": "employer-hr",
        },
    )
    journal.add(
        "message",
        {
            "platform": "whatsapp",
            "conversation": "Sam",
            "sender": "Sam Reyes",
            "timestamp": dt.datetime(2026, 8, 25, 22, 5, tzinfo=LA).isoformat(),
            "text": "Since you ran to HR, enjoy the night shifts.",
            "provenance": {"source_sha256": "ab" * 32, "source_name": "WhatsApp Chat.txt"},
            "detection": {"flagged": True, "scores": {"retaliation": 0.92}, "reasons": []},
            "review": {"decision": "evidence", "at": "2026-11-20T09:00:00+00:00"},
        },
        recorded_at=dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC),
    )
    journal.add(
        "incident",
        {
            "when": at(LA, 9, 1, 8),
            "what": "I was moved to night shifts, two weeks after my complaint.",
            "tags": ["retaliation"],
            "contexts": ["work"],
        },
    )
    return journal


CA_ANSWERS = {
    "in_danger_now": "no",
    "context": ["work"],
    "harasser": ["coworker"],
    "sexual": "yes",
    "protected_ground": "no",
    "federal_employee": "no",
    "employer_size": 40,
    "last_incident": "2026-09-01",
}
CA_DETAILS = LetterDetails(
    your_name="Alex Doe",
    your_email="alex.doe@mailbox.example",
    your_phone="+1 510 555 0199",
    your_address="42 Larkspur Lane\nOakland, CA 94610",
    your_role="Dispatcher",
    organisation="Acme Logistics Inc.",
    organisation_address="1 Depot Road, Oakland, CA 94607",
    harasser="Sam Reyes",
    harasser_title="Shift supervisor",
    letters={
        "employer-hr": LetterPart(
            recipient_name="Jordan Park",
            recipient_title="HR Director",
            outcome="Please move Sam Reyes off my shifts and restore my day shifts",
        ),
        "crd-complaint": LetterPart(outcome="I want my day shifts back and the harassment to stop"),
        "criminal-charges": LetterPart(reference="OPD-26-4417"),
    },
)


US_WORK_ANSWERS = {
    "in_danger_now": "no",
    "context": ["work"],
    "harasser": ["coworker"],
    "sexual": "yes",
    "federal_employee": "no",
    "employer_size": 50,
}


def drafts_for(
    pack_id: str,
    raw: dict[str, Any],
    source: EvidenceSource,
    request: DraftRequest,
    targets: list[str],
    *,
    plan_day: dt.date = TODAY,
    today: dt.date | None = TODAY,
) -> dict[str, Draft]:
    """Each target's draft for one situation, the pack, answers and plan made once: the
    set-up every letter test shares. ``today=None`` dates the letter as ``draft`` does."""
    pack = load_pack(pack_id)
    answers = normalise_answers(pack, raw)
    plan = build_plan(pack, answers, plan_day)
    return {
        target: draft(pack, plan, target, source, request, answers=answers, today=today)
        for target in targets
    }


def letters_for(
    pack_id: str,
    raw: dict[str, Any],
    journal: MemoryEvidence,
    details: LetterDetails,
    zone: dt.tzinfo,
    targets: list[str],
) -> dict[str, str]:
    request = DraftRequest(details=details, zone=zone)
    drafts = drafts_for(pack_id, raw, journal, request, targets)
    return {target: made.letter.text() for target, made in drafts.items()}


@pytest.fixture(scope="module")
def california() -> dict[str, str]:
    return letters_for(
        "us-ca",
        CA_ANSWERS,
        california_journal(),
        CA_DETAILS,
        LA,
        ["employer-hr", "agency-complaint", "crd-complaint"],
    )


def test_california_hr_complaint_names_the_conduct_and_the_law(california: dict[str, str]) -> None:
    hr = california["employer-hr"]
    assert hr.startswith("Subject: Formal complaint of sexual harassment and retaliation")
    assert "Jordan Park, HR Director\nAcme Logistics Inc." in hr
    assert "Title VII of the Civil Rights Act of 1964" in hr
    assert "California Fair Employment and Housing Act (FEHA)" in hr
    assert "§ 12940(h) (retaliation)" in hr
    # The period is first to last incident, in the person's zone, not when the chat was imported.
    assert "Between 2026-08-03 21:52 (UTC-07:00) and 2026-09-01 08:00 (UTC-07:00)" in hr
    assert "2026-11-20" not in hr
    # The imported message that shows retaliation is quoted; the complaint is dated.
    assert '"Since you ran to HR, enjoy the night shifts."' in hr
    assert "On 2026-08-12 10:00 (UTC-07:00) I complained to HR (Dana Whitfield)" in hr
    assert "retaliation for complaining about harassment" in hr
    # The person's own steps are steps taken, never incidents with "Who: <the HR manager>".
    steps = hr.split("Steps I have taken so far:")[1].split("\n\n")[1]
    assert "Reported the comments and the touching to HR by email." in steps
    assert "Dana Whitfield, HR refused to act." in steps and "Reference: HR-2231." in steps
    listed = hr.split("these things happened:")[1].split("\n\n")[1]
    assert "Reported the comments" not in listed and "Dana" not in listed
    assert listed.count("\n") == 2, "three incidents, numbered"
    # This recipient's own ask; another recipient's reference never appears.
    assert "Please move Sam Reyes off my shifts and restore my day shifts." in hr
    assert "OPD-26-4417" not in hr and "day shifts back" not in hr


def test_california_agency_intakes_go_to_the_agency(california: dict[str, str]) -> None:
    eeoc, crd = california["agency-complaint"], california["crd-complaint"]
    assert eeoc != crd
    assert "To: U.S. Equal Employment Opportunity Commission (EEOC)" in eeoc
    assert "To: California Civil Rights Department (CRD)" in crd
    for text in (eeoc, crd):
        assert "To: Acme" not in text, "the employer is the respondent, not the addressee"
        assert "- Organisation: Acme Logistics Inc." in text
        assert "- Address: 1 Depot Road, Oakland, CA 94607" in text
        assert "- Number of employees: about 40" in text
        assert "- The person who did it: Sam Reyes, Shift supervisor" in text
        assert "3. Basis: sex; retaliation" in text
        assert (
            "5. Dates: first incident 2026-08-03 21:52 (UTC-07:00); most recent 2026-09-01" in text
        )
        assert "Dana Whitfield, HR refused to act." in text, "the internal complaint's outcome"
        assert "dual-file" in text
    law_eeoc = eeoc.split("8. The law")[1].split("9.")[0]
    law_crd = crd.split("8. The law")[1].split("9.")[0]
    assert "Title VII" in law_eeoc and "FEHA" not in law_eeoc
    assert "FEHA" in law_crd and "Title VII" not in law_crd
    assert "with the California Civil Rights Department, a charge filed with the EEOC" in eeoc
    assert "I want my day shifts back" in crd and "I want my day shifts back" not in eeoc


def test_title_vii_is_not_cited_for_a_small_employer() -> None:
    small = {**CA_ANSWERS, "employer_size": 8}
    hr = letters_for("us-ca", small, california_journal(), CA_DETAILS, LA, ["employer-hr"])
    assert "FEHA" in hr["employer-hr"] and "Title VII" not in hr["employer-hr"]


def test_no_cease_and_desist_to_a_current_manager() -> None:
    pack = load_pack("us-ca")
    answers = normalise_answers(pack, {**CA_ANSWERS, "harasser": ["boss"]})
    plan = build_plan(pack, answers, TODAY)
    assert "cease-and-desist" not in offered_standalone(answers)
    with pytest.raises(LetterError, match="your manager"):
        draft(pack, plan, "cease-and-desist", MemoryEvidence(), DraftRequest(), answers=answers)
    assert offered_standalone(normalise_answers(pack, CA_ANSWERS)) == ["cease-and-desist"]


def post_reported_to_host(journal: MemoryEvidence, to: str, reference: str, **action: str) -> None:
    """A post calling the person a liar (20 June) and their abuse report to its host (the
    next day): the online half of the English case."""
    journal.add(
        "incident",
        {
            "when": at(LONDON, 6, 20, 20),
            "what": "A post at https://gossip-board.example/t/77 calls me a liar.",
            "contexts": ["online"],
        },
    )
    journal.add(
        "action",
        {
            "when": at(LONDON, 6, 21, 9),
            "what": "Sent my abuse report to the host.",
            **action,
            "to": to,
            "reference": reference,
            "step": "host-abuse-report",
            "contexts": ["online"],
        },
    )


def england_journal() -> MemoryEvidence:
    journal = MemoryEvidence()
    journal.add(
        "incident",
        {
            "when": at(LONDON, 6, 2, 17, 30),
            "what": "Chris Hale made comments about my body in the staff kitchen.",
            "who": ["Chris Hale"],
            "tags": ["sexual"],
            "contexts": ["work"],
        },
    )
    post_reported_to_host(journal, "Example Hosting Ltd", "TICKET-778", did="reported")
    journal.add(
        "action",
        {
            "when": at(LONDON, 6, 23, 9),
            "what": "Raised a grievance with my line manager about the comments.",
            "did": "complained",
            "to": "my line manager",
            "step": "employer-hr",
            "contexts": ["work"],
        },
    )
    journal.add(
        "incident",
        {
            "when": at(LONDON, 7, 4, 11),
            "what": "I was left off the rota after raising the grievance.",
            "tags": ["retaliation"],
            "contexts": ["work"],
        },
    )
    return journal


GB_ANSWERS = {
    "in_danger_now": "no",
    "context": ["work", "online"],
    "harasser": ["coworker", "anonymous"],
    "sexual": "yes",
    "online_where": ["website"],
    "last_incident": "2026-07-04",
}
GB_DETAILS = LetterDetails(
    your_name="Sam Taylor",
    your_email="sam.reports@mailbox.example",
    organisation="Northgate Foods Ltd",
    harasser="Chris Hale",
    links=["https://gossip-board.example/t/77"],
    letters={"police-report": LetterPart(reference="CRIME-55/2026")},
)


@pytest.fixture(scope="module")
def england() -> dict[str, str]:
    pack = load_pack("gb")
    plan = build_plan(pack, normalise_answers(pack, GB_ANSWERS), TODAY)
    wanted = ["employer-hr", "agency-complaint", "host-abuse-report", "upstream-abuse-report"]
    present = {step.id for step in plan.steps()}
    assert set(wanted) <= present
    return letters_for("gb", GB_ANSWERS, england_journal(), GB_DETAILS, LONDON, wanted)


def test_england_grievance_cites_the_equality_act(england: dict[str, str]) -> None:
    hr = england["employer-hr"]
    assert "formal complaint of sexual harassment (unwanted conduct of a sexual nature)" in hr
    assert "victimisation for raising a complaint" in hr
    assert "The Equality Act 2010, section 26 (harassment)" in hr
    assert "section 27 (victimisation)" in hr and "section 40A" in hr
    assert "Acas Code of Practice" in hr
    assert "Title VII" not in hr and "FEHA" not in hr
    assert "gossip-board" not in hr, "the online post is not the employer's"
    assert "TICKET-778" not in hr and "CRIME-55/2026" not in hr
    assert "Between 2026-06-02 17:30 (UTC+01:00) and 2026-07-04 11:00 (UTC+01:00)" in hr


def test_england_acas_intake(england: dict[str, str]) -> None:
    acas = england["agency-complaint"]
    assert "To: Acas (early conciliation)" in acas
    assert "- Organisation: Northgate Foods Ltd" in acas
    assert "3. Basis: sex; victimisation" in acas
    assert "Equality Act 2010, section 26" in acas


def test_upstream_report_says_the_host_was_told_and_attaches_it(england: dict[str, str]) -> None:
    host, upstream = england["host-abuse-report"], england["upstream-abuse-report"]
    assert host != upstream
    assert (
        "I reported it to the host (Example Hosting Ltd) on 2026-06-21, reference TICKET-778."
        in (upstream)
    )
    assert "I have had no answer, and the content is still online." in upstream
    attached = upstream.split("---- My report to the host, sent 2026-06-21 ----")[1]
    assert host.strip() in attached, "the first report, as sent, is attached"
    for text in (host, upstream):
        assert "Northgate" not in text and "Chris Hale" not in text and "rota" not in text
        assert "CRIME-55/2026" not in text and "Sam Taylor" not in text
