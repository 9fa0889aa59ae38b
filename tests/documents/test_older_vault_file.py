"""A vault file made by Ally before actions and replies had kinds of their own (commit 38bc8c04,
tests/fixtures/vaults/before-step-kinds): today's code opens and verifies it, reads the
person's tagged steps as steps (``read_time_kind``), does not count the old way of marking
evidence as an edit, drafts an HR letter from it, and keeps the chain verifiable after adding.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

from ally.documents.casefile import build_casefile, facts
from ally.documents.drafting import DraftRequest
from ally.documents.report_md import render_markdown
from ally.documents.report_text import included
from ally.evidence.review import stored_messages
from ally.model.journal import read_time_kind
from ally.vault import Vault
from tests.documents.test_cli import vault_cli
from tests.documents.test_letter_substance import US_WORK_ANSWERS, drafts_for

FIXTURE = Path(__file__).parents[1] / "fixtures" / "vaults" / "before-step-kinds"
PASSPHRASE = "correct horse older vault 17"  # test-only, see the fixture's README
LA = ZoneInfo("America/Los_Angeles")


def copy_of_the_old_vault(tmp_path: Path) -> Path:
    """A copy, so no test writes to the committed file."""
    target = tmp_path / "vault"
    target.mkdir()
    shutil.copyfile(FIXTURE / "vault.db", target / "vault.db")
    return target


def cli(location: Path, *args: str, tz: str | None = None) -> subprocess.CompletedProcess[str]:
    return vault_cli(location, *args, passphrase=PASSPHRASE, tz=tz, columns="200")


def test_the_fixture_is_what_the_old_code_wrote() -> None:
    """Guards the premise: the person's steps are stored as tagged incidents and the marked
    chat is a second version of its entry, as Ally wrote them at 38bc8c04."""
    assert (FIXTURE / "vault.db").stat().st_size < 200_000
    with Vault.open(str(FIXTURE), PASSPHRASE) as vault:
        entries = [entry for entry in vault.entries() if not entry.is_bookkeeping]
    assert [entry.kind for entry in entries] == [
        "incident",
        "incident",
        "incident",
        "incident",
        "export",
        "messages",
    ]
    assert entries[2].payload is not None and entries[2].payload["tags"] == ["reported"]
    assert entries[3].payload is not None and entries[3].payload["tags"] == ["reply"]
    assert entries[5].version > 1, "marking evidence made a new version in the old code"


def test_todays_code_verifies_the_old_vault(tmp_path: Path) -> None:
    location = copy_of_the_old_vault(tmp_path)
    verified = cli(location, "vault", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "OK: the journal verified — 11 entries, 13 encrypted files checked." in verified.stdout


def test_old_steps_read_as_steps_at_the_times_typed(tmp_path: Path) -> None:
    with Vault.open(str(copy_of_the_old_vault(tmp_path)), PASSPHRASE) as vault:
        mapped = {entry.seq: read_time_kind(entry) for entry in vault.entries()}
        case = build_casefile(vault, zone=LA)
    assert mapped[2].kind == "incident" and mapped[3].kind == "incident"
    reported, answered = mapped[4], mapped[5]
    assert reported.kind == "action" and reported.action().to == "Dana Whitfield"
    assert reported.action().what == "Reported it to HR in writing."
    assert answered.kind == "reply" and answered.reply().by == "Dana Whitfield"
    summary = facts(case)
    assert summary.incidents == 2, "the report to HR and HR's answer are not incidents"
    assert [name for name, _ in summary.people] == ["Sam Boss"], "HR is not a harasser"
    text = render_markdown(case)
    timeline = text.split("## Timeline")[1].split("\n## ")[0]
    rows = [
        "| 2026-09-08 21:52 (UTC-07:00) | Incident 1 | Sam Boss grabbed my arm in the stock room",
        "| about 2026-09-15 00:00 (UTC-07:00) (the Tuesday after) | Incident 2 | Sam Boss moved",
        "| 2026-09-16 10:30 (UTC-07:00) | Step 1 | Reported it to HR in writing. | E-1 |",
        "| 2026-09-25 08:00 (UTC-07:00) | Reply 1 | HR wrote back that they would not investigate.",
    ]
    positions = [timeline.index(row) for row in rows]
    assert positions == sorted(positions)
    assert "| 2016-08-07 18:45 (UTC-07:00) | Message 10 | I don't mind Prof." in timeline
    steps = text.split("## Steps taken")[1].split("\n## ")[0]
    assert "| 2026-09-16 10:30 (UTC-07:00) | Step 1 | Reported it to HR in writing. (to Dana" in (
        steps
    )
    assert "Dana Whitfield answered: HR wrote back that they would not investigate." in steps
    incidents = text.split("## Incidents")[1].split("\n## ")[0]
    assert "Reported it to HR" not in incidents and "Dana Whitfield" not in incidents


def test_marking_evidence_the_old_way_is_not_an_edit(tmp_path: Path) -> None:
    with Vault.open(str(copy_of_the_old_vault(tmp_path)), PASSPHRASE) as vault:
        case = build_casefile(vault, zone=LA)
        marked = [
            item.message.text for item in stored_messages(vault) if item.decision == "evidence"
        ]
    summary = facts(case)
    assert summary.edited == 0
    assert included(summary) == "Every journal entry is included."
    assert marked == [
        "I don't mind Prof. I quit capturing Pokemon.",
        "FFS, no way, Pikachu did you evolve?",
    ]


def test_hr_letter_from_the_old_vault_lists_the_incidents_and_the_steps(tmp_path: Path) -> None:
    with Vault.open(str(copy_of_the_old_vault(tmp_path)), PASSPHRASE) as vault:
        request = DraftRequest(zone=LA)
        day = dt.date(2026, 10, 1)
        drafts = drafts_for(
            "us", US_WORK_ANSWERS, vault, request, ["employer-hr"], plan_day=day, today=None
        )
        hr = drafts["employer-hr"].letter.text()
    period = "Between 2026-09-08 21:52 (UTC-07:00) and 2026-09-15 00:00 (UTC-07:00), these"
    assert period in hr, "first to last incident: the person's own steps do not stretch it"
    listed = hr.split("these things happened:")[1].split("\n\n")[1]
    assert listed.splitlines() == [
        "1. 2026-09-08 21:52 (UTC-07:00), Stock room, Oakland store: Sam Boss grabbed my arm in"
        " the stock room and said I would regret saying no. Who: Sam Boss. Witnesses: Lee Park.",
        "2. about 2026-09-15 00:00 (UTC-07:00) (the Tuesday after): Sam Boss moved me to night"
        " shifts after I refused to go out with him. Who: Sam Boss.",
    ]
    assert "Reported it to HR" not in listed and "Dana Whitfield" not in listed
    steps = hr.split("Steps I have taken so far:")[1].split("\n\n")[1]
    assert steps.splitlines() == [
        "- 2026-09-16 10:30 (UTC-07:00): Reported it to HR in writing.",
        "- 2026-09-25 08:00 (UTC-07:00): Dana Whitfield answered. HR wrote back that they would"
        " not investigate.",
    ]


def test_a_write_by_todays_code_keeps_the_old_chain_verifiable(tmp_path: Path) -> None:
    location = copy_of_the_old_vault(tmp_path)
    with Vault.open(str(location), PASSPHRASE) as vault:
        before = vault.head_code()
        vault.add_entry(
            "incident",
            {
                "when": {"start": "2026-10-02T09:15:00-07:00"},
                "what": "Sam Boss blocked the door of the break room.",
                "who": ["Sam Boss"],
                "contexts": ["work"],
            },
        )
        after = vault.head_code()
    assert before.startswith("11-") and after.startswith("12-")
    verified = cli(location, "vault", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "OK: the journal verified — 12 entries, 14 encrypted files checked." in verified.stdout
    with Vault.open(str(location), PASSPHRASE) as vault:
        assert facts(build_casefile(vault, zone=LA)).incidents == 3


def test_cli_lists_old_steps_by_what_they_are_and_marks_are_not_edits(tmp_path: Path) -> None:
    location = copy_of_the_old_vault(tmp_path)
    shown = cli(location, "vault", "timeline", tz="UTC")
    assert shown.returncode == 0, shown.stderr
    rows = {line.split()[0]: line.split(None, 5) for line in shown.stdout.splitlines()[1:]}
    # This vault keeps no zone: times show in this computer's (UTC here), with the offset.
    assert rows["2"][2:5] == ["04:52", "(UTC+00:00)", "incident"], "21:52 at -07:00"
    assert rows["4"][1:5] == ["2026-09-16", "17:30", "(UTC+00:00)", "action"]
    assert rows["5"][1:5] == ["2026-09-25", "15:00", "(UTC+00:00)", "reply"]
    assert rows["9"][4] == "messages" and "(edited)" not in rows["9"][5]
    assert rows["9"][5].startswith("20 imported messages")
