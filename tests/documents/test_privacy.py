"""Reports to a host, a network or a platform carry only what is on that service.

Hosts often forward abuse reports to the site's operator, who may be the person doing the
harm. So the journal here holds a new home address, an employer, a manager's name, a police
reference and phone numbers, in incidents, notes, messages and the person's details, and none
of them may reach a host, upstream or platform report, or the X-ARF file, whichever way the
person asks for it (library, CLI on a real vault).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ally.documents.drafting import DraftRequest, draft
from ally.documents.evidence import MemoryEvidence
from ally.documents.letters import LetterDetails
from ally.documents.xarf import build_xarf, dumps
from ally.knowledge.answers import normalise_answers
from ally.knowledge.engine import build_plan
from ally.knowledge.loader import load_pack
from ally.vault import Vault
from tests.documents.conftest import PASSPHRASE, WEAK, image_bytes
from tests.documents.test_abuse import master_validator
from tests.documents.test_cli import vault_cli

TODAY = dt.date(2026, 11, 25)
HOME = "42 Larkspur Lane"
EMPLOYER = "Acme Logistics"
MANAGER = "Dana Whitfield"
POLICE_REF = "OAK-2026-00417"
PHONE = "510 555 0199"
WORK_EMAIL = "alex.doe@acme-logistics.example"
SECRETS = (HOME, EMPLOYER, MANAGER, POLICE_REF, PHONE, WORK_EMAIL, "Larkspur", "Oakland")
SITE = "https://gossip-board.example/threads/981"
PROFILE = "https://www.instagram.com/fake_alex_doe"
ANSWERS = {
    "in_danger_now": "no",
    "context": ["work", "online"],
    "harasser": ["coworker"],
    "threats": "yes",
    "online_where": ["website", "social"],
    "last_incident": "2026-10-01",
}
DETAILS = LetterDetails(
    your_name="Alex Doe",
    your_email="reports.alex@mailbox.example",
    your_phone=f"+1 {PHONE}",
    your_address=f"{HOME}\nOakland, CA 94610",
    your_role="Dispatcher",
    organisation=f"{EMPLOYER} Inc.",
    recipient_name=MANAGER,
    recipient_address="1 Depot Road, Oakland",
    harasser="Sam Boss",
    harasser_account="@fake_alex_doe",
    links=[SITE],
    reference=POLICE_REF,
    outcome=f"Please tell {MANAGER} at {EMPLOYER} to stop",
)


def plant(journal: MemoryEvidence | Vault) -> None:
    """A journal with what is on the site, and much that must never go to its host."""

    def add(kind: str, payload: dict[str, object], files: list[tuple[str, str, bytes]]) -> None:
        if isinstance(journal, MemoryEvidence):
            journal.add(kind, payload, files)
            return
        entry = journal.add_entry(kind, payload)
        for name, media_type, data in files:
            journal.attach(entry.id, io.BytesIO(data), name, media_type)

    def when(day: int, hour: int = 12) -> dict[str, str]:
        return {"start": dt.datetime(2026, 9, day, hour, tzinfo=dt.UTC).isoformat()}

    add(
        "incident",
        {
            "when": when(3),
            "what": f"A thread at {SITE} calls me a liar and a thief, and posts my old address.",
            "tags": ["doxxing"],
            "contexts": ["online"],
        },
        [("thread.png", "image/png", image_bytes("red"))],
    )
    add(
        "incident",
        {
            "when": when(8),
            "what": f"{MANAGER} told me at {EMPLOYER} that I would be moved to nights.",
            "where": f"{EMPLOYER} depot",
            "who": [MANAGER],
            "witnesses": ["Ana Lee"],
            "impact": "I cannot sleep.",
            "contexts": ["work"],
        },
        [("rota.pdf", "application/pdf", b"%PDF-1.4 rota")],
    )
    add(
        "incident",
        {
            "when": when(12),
            "what": f"I moved to {HOME} after he followed me home. New phone {PHONE}.",
            "where": "Oakland",
            "contexts": ["online", "home"],
        },
        [],
    )
    add(
        "incident",
        {
            "when": when(15),
            "what": f"Reported to Oakland police, crime reference {POLICE_REF}.",
            "contexts": ["online"],
        },
        [],
    )
    add("note", {"text": f"My work email is {WORK_EMAIL}; HR is {MANAGER}."}, [])
    add(
        "message",
        {
            "platform": "email",
            "conversation": "HR",
            "sender": MANAGER,
            "timestamp": dt.datetime(2026, 9, 20, 9, tzinfo=dt.UTC).isoformat(),
            "text": f"Alex, write to me at {WORK_EMAIL} or call {PHONE}.",
            "provenance": {"source_sha256": "ab" * 32, "source_name": "hr.eml"},
            "review": {"decision": "evidence", "at": "2026-09-21T09:00:00+00:00"},
        },
        [],
    )
    add(
        "message",
        {
            "platform": "instagram",
            "conversation": "fake_alex_doe",
            "sender": "fake_alex_doe",
            "timestamp": dt.datetime(2026, 9, 22, 23, tzinfo=dt.UTC).isoformat(),
            "text": "Everyone will know what you are.",
            "provenance": {"source_sha256": "cd" * 32, "source_name": "instagram.zip"},
            "review": {"decision": "evidence", "at": "2026-09-23T09:00:00+00:00"},
        },
        [],
    )


def gb_plan() -> tuple[object, object, dict[str, object]]:
    pack = load_pack("gb")
    answers = normalise_answers(pack, ANSWERS)
    return pack, build_plan(pack, answers, TODAY), answers


def assert_clean(text: str, where: str) -> None:
    found = [secret for secret in SECRETS if secret.lower() in text.lower()]
    assert not found, f"{where} carries {found}"


def service_letters(journal: MemoryEvidence | Vault, details: LetterDetails) -> dict[str, str]:
    pack, plan, answers = gb_plan()
    texts = {}
    for target, platform in (
        ("host-abuse-report", None),
        ("upstream-abuse-report", None),
        ("platform-report", "instagram"),
    ):
        request = DraftRequest(details=details, platform=platform, zone=dt.UTC, xarf=True)
        made = draft(pack, plan, target, journal, request, answers=answers, today=TODAY)  # type: ignore[arg-type]
        texts[target] = made.letter.text()
        if target != "platform-report":
            report = build_xarf(
                made.case,
                source_identifier="gossip-board.example",
                links=details.links,
                reporter_email=details.your_email,
                source=journal,
                include_images=True,
            )
            texts[target + " xarf"] = _xarf_text(report)
    return texts


def _xarf_text(report: dict[str, object]) -> str:
    decoded = [
        base64.b64decode(item["payload"]).decode("utf-8", "replace")
        for item in report["evidence"]  # type: ignore[attr-defined]
        if item["content_type"].startswith("text/")
    ]
    return dumps(report) + "\n".join(decoded)


def test_service_reports_carry_only_what_is_on_the_service() -> None:
    journal = MemoryEvidence()
    plant(journal)
    texts = service_letters(journal, DETAILS)
    for where, text in texts.items():
        assert_clean(text, where)
    host = texts["host-abuse-report"]
    assert SITE in host and "calls me a liar" in host, "the report still says what and where"
    assert "2026-09-03" in host, "with its date"
    assert "reports.alex@mailbox.example" in host, "and the contact address the person chose"
    assert "Alex Doe" not in host
    assert "calls me a liar" in texts["host-abuse-report xarf"]
    instagram = texts["platform-report"]
    assert "Everyone will know what you are" in instagram, "the platform's own message"
    assert "calls me a liar" not in instagram, "another site's content is not the platform's"


def test_the_persons_own_choice_cannot_add_a_note_to_a_host_report() -> None:
    from ally.documents.checklist import Choice
    from ally.errors import UsageError

    journal = MemoryEvidence()
    plant(journal)
    pack, plan, answers = gb_plan()
    note = next(e for e in journal.entries() if e.kind == "note")
    request = DraftRequest(details=DETAILS, choice=Choice(include=frozenset({str(note.seq)})))
    with pytest.raises(UsageError, match="does not include those"):
        draft(pack, plan, "host-abuse-report", journal, request, answers=answers, today=TODAY)  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(
    # Marked, so that a secret can never be a word the report prints anyway ("reporter").
    secret=st.text(
        alphabet=st.characters(whitelist_categories=("L", "N")), min_size=8, max_size=20
    ).map(lambda text: f"Qz{text}"),
    field=st.sampled_from(
        ["your_phone", "your_address", "your_role", "organisation", "reference", "outcome"]
    ),
)
def test_no_detail_but_the_contact_reaches_a_host(secret: str, field: str) -> None:
    """Whatever the person types in a detail a host may not see, it never reaches the report."""
    journal = MemoryEvidence()
    plant(journal)
    details = DETAILS.model_copy(update={field: secret})
    for where, text in service_letters(journal, details).items():
        assert secret not in text, f"{field} reached {where}"


def test_cli_host_report_and_xarf_from_a_real_vault(tmp_path: Path) -> None:
    location = tmp_path / "vault"
    with Vault.create(str(location), PASSPHRASE, work_factor=WEAK) as vault:
        plant(vault)
    answers = {"pack": "gb", "today": TODAY, "answers": ANSWERS}
    (tmp_path / "answers.yaml").write_text(yaml.safe_dump(answers), encoding="utf-8")
    (tmp_path / "details.json").write_text(DETAILS.model_dump_json(), encoding="utf-8")
    result = vault_cli(
        location,
        "letter",
        "host-abuse-report",
        "--answers",
        "answers.yaml",
        "--details",
        "details.json",
        "--xarf",
        "report.json",
        "--xarf-images",
        "--timezone",
        "UTC",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert_clean(result.stdout, "the CLI host report")
    assert SITE in result.stdout
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    master_validator().validate(report)
    assert_clean(_xarf_text(report), "the CLI X-ARF file")
    types = [item["content_type"] for item in report["evidence"]]
    assert types == ["text/plain", "image/jpeg"], "the thread's screenshot, and no other file"
    assert "thread.png" in report["evidence"][1]["description"]
