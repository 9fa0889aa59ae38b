"""Who acted: the person's own steps and the replies are not incidents, and the report and
letters list them under "Steps taken" with the case tracker's statuses.

Vaults made before actions and replies had kinds keep working: an incident tagged as the
person's own step reads as an action, and free JSON saved with ``vault add action --from``
reads with its text and date. Marking messages as evidence is not an edit.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from ally.case.store import VaultCase
from ally.documents.casefile import build_casefile, facts
from ally.documents.drafting import DraftRequest
from ally.documents.report_md import render_markdown
from ally.documents.report_text import included
from ally.evidence.importers import ImportOptions
from ally.evidence.pipeline import import_file
from ally.evidence.review import mark, review_queue, stored_messages
from ally.model.case import StatusEvent, StepStatus
from ally.vault import Vault
from tests.documents.conftest import PASSPHRASE, WEAK
from tests.documents.test_cli import vault_cli
from tests.documents.test_letter_substance import US_WORK_ANSWERS, drafts_for

UTC = dt.UTC


def older_vault(location: Path) -> Vault:
    """A vault as today's code wrote it: the person's steps typed as tagged incidents or as
    free JSON, and the case tracker's statuses."""
    vault = Vault.create(str(location), PASSPHRASE, work_factor=WEAK)
    vault.add_entry(
        "incident",
        {
            "when": {"start": "2026-04-02T09:00:00+00:00"},
            "what": "Sam Boss grabbed my arm in the stockroom.",
            "who": ["Sam Boss"],
            "contexts": ["work"],
        },
    )
    vault.add_entry(
        "incident",
        {
            "when": {"start": "2026-04-03T10:00:00+00:00"},
            "what": "Reported it to HR in writing.",
            "who": ["Dana Whitfield"],
            "tags": ["reported"],
            "contexts": ["work"],
        },
    )
    vault.add_entry("action", {"text": "Chased HR by phone.", "date": "2026-04-17"})
    vault.add_entry(
        "incident",
        {
            "when": {"start": "2026-04-20T15:00:00+00:00"},
            "what": "HR wrote back that they would not investigate.",
            "who": ["Dana Whitfield"],
            "tags": ["reply"],
        },
    )
    case = VaultCase(vault)
    case.record(
        StatusEvent(
            on=dt.date(2026, 4, 25),
            step="employer-hr",
            status=StepStatus.REFUSED,
            answer_received="No investigation.",
        )
    )
    return vault


def test_older_vault_steps_are_not_incidents(tmp_path: Path) -> None:
    with older_vault(tmp_path / "vault") as vault:
        case = build_casefile(vault, zone=UTC)
    summary = facts(case)
    assert summary.incidents == 1, "only what was done to the person"
    assert [name for name, _ in summary.people] == ["Sam Boss"], "HR is not a harasser"
    assert [item.label for item in case.actions] == ["Step 1", "Step 2"]
    assert case.actions[0].action is not None and case.actions[0].action.to == "Dana Whitfield"
    assert case.actions[1].headline == "Chased HR by phone."
    assert [item.label for item in case.replies] == ["Reply 1"]
    text = render_markdown(case)
    steps = text.split("## Steps taken")[1].split("\n## ")[0]
    order = [
        "Reported it to HR in writing. (to Dana Whitfield)",
        "Chased HR by phone.",
        "Dana Whitfield answered: HR wrote back that they would not investigate.",
        "Employer hr: they refused to act. The answer: No investigation.",
    ]
    positions = [steps.index(line) for line in order]
    assert positions == sorted(positions), "in date order"
    assert "| Case |" in steps, "the case status is a step, never a blank 'Case' entry row"
    timeline = text.split("## Timeline")[1].split("\n## ")[0]
    assert "Case 1" not in timeline and "| Case " not in timeline
    assert "every journal entry is included" in included(summary).lower()


def test_hr_letter_lists_steps_and_the_agency_sees_hrs_refusal(tmp_path: Path) -> None:
    with older_vault(tmp_path / "vault") as vault:
        request = DraftRequest(zone=UTC)
        targets = ["employer-hr", "agency-complaint"]
        drafts = drafts_for(
            "us", US_WORK_ANSWERS, vault, request, targets, plan_day=dt.date(2026, 5, 1), today=None
        )
        hr, eeoc = (drafts[target].letter.text() for target in targets)
    listed = hr.split("This is what happened:")[1].split("\n\n")[1]
    assert "grabbed my arm" in listed and "Reported it" not in listed and "Dana" not in listed
    steps = hr.split("Steps I have taken so far:")[1]
    assert "Reported it to HR in writing." in steps and "Chased HR by phone." in steps
    complaints = eeoc.split("7. Complaints I have already made, and their outcome")[1]
    assert "Dana Whitfield answered. HR wrote back that they would not investigate." in complaints
    assert "Make a formal complaint to HR: they refused to act. The answer: No investigation." in (
        complaints
    ), "the case tracker's status of the step that leads to the agency"


def test_marking_evidence_is_not_an_edit(tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "15.01.26, 21:06 - Sam: You'll regret reporting me\n"
        "15.01.26, 21:07 - Sam: I know where you live\n"
        "15.01.26, 21:08 - Me: leave me alone\n",
        encoding="utf-8",
    )
    with Vault.create(str(tmp_path / "vault"), PASSPHRASE, work_factor=WEAK) as vault:
        import_file(vault, chat, ImportOptions(timezone=UTC))
        for item in review_queue(stored_messages(vault))[:2]:
            mark(vault, item.entry_id, "evidence")
        case = build_casefile(vault, zone=UTC)
    assert facts(case).edited == 0
    assert "edited" not in included(facts(case))


def test_cli_adds_actions_and_replies_and_refuses_a_wrong_kind_of_step(tmp_path: Path) -> None:
    location = tmp_path / "vault"
    Vault.create(str(location), PASSPHRASE, work_factor=WEAK).close()
    good = tmp_path / "reply.json"
    good.write_text(
        json.dumps(
            {
                "when": {"start": "2026-05-02T10:00:00+00:00"},
                "what": "The EEOC gave me a charge number.",
                "by": "EEOC",
                "outcome": "acknowledged",
                "reference": "480-2026-01234",
            }
        ),
        encoding="utf-8",
    )
    bad = tmp_path / "action.json"
    bad.write_text(json.dumps({"when": {"start": "2026-05-01"}, "what": "x", "did": "shouted"}))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return vault_cli(location, "vault", *args)

    assert run("add", "reply", "--from", str(good)).returncode == 0
    refused = run("add", "action", "--from", str(bad))
    assert (
        refused.returncode != 0
        and "did" in refused.stderr
        and "Nothing was saved" in refused.stderr
    )
    with Vault.open(str(location), PASSPHRASE) as vault:
        kinds = [entry.kind for entry in vault.entries() if not entry.is_bookkeeping]
        assert kinds == ["reply"]
        assert vault.entries()[-1].reply().reference == "480-2026-01234"


@pytest.mark.parametrize("kind", ["action", "reply"])
def test_a_step_without_text_is_left_as_it_was(kind: str, tmp_path: Path) -> None:
    with Vault.create(str(tmp_path / "v"), PASSPHRASE, work_factor=WEAK) as vault:
        vault.add_entry(kind, {"odd": 1})
        case = build_casefile(vault, zone=UTC)
    assert len(case.items) == 1 and case.items[0].action is None and case.items[0].reply is None
