"""`ally case update --reference`: a reply's reference number is kept on the case event and
shown in "Steps taken" (the report and the letters that follow the step)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ally.documents.casefile import build_casefile
from ally.documents.drafting import DraftRequest
from ally.documents.report_md import render_markdown
from ally.model.case import StatusEvent
from ally.vault import Vault
from tests.case.test_case_cli import PASSPHRASE, hr_refused, start_case
from tests.documents.test_letter_substance import drafts_for

ANSWERS = {
    "in_danger_now": "no",
    "context": ["work"],
    "sexual": "yes",
    "harasser": ["coworker"],
    "employer_size": 40,
    "federal_employee": "no",
}


def test_the_reference_is_kept_and_shown_in_steps_taken(tmp_path: Path) -> None:
    vault, _ = start_case(
        tmp_path,
        "pack: us\nanswers:\n  in_danger_now: no\n  context: [work]\n  sexual: yes\n"
        "  harasser: [coworker]\n  employer_size: 40\n  federal_employee: no\n",
    )
    refused = hr_refused(
        vault, tmp_path, "--answer", "No investigation.", "--reference", " HR-2231 "
    )
    assert refused.returncode == 0, refused.stderr
    assert "Reference: HR-2231." in refused.stdout
    with Vault.open(vault, PASSPHRASE) as opened:
        events = [e for e in opened.entries() if e.payload and e.payload.get("kind") == "status"]
        assert [StatusEvent.model_validate(e.payload).reference for e in events] == ["HR-2231"]
        report = render_markdown(build_casefile(opened, zone=dt.UTC))
        request = DraftRequest(zone=dt.UTC)
        day = dt.date(2026, 5, 10)
        eeoc = drafts_for(
            "us", ANSWERS, opened, request, ["agency-complaint"], plan_day=day, today=None
        )["agency-complaint"]
    steps = report.split("## Steps taken")[1].split("\n## ")[0]
    row = next(line for line in steps.splitlines() if "No investigation." in line)
    assert row.rstrip().endswith("| HR-2231 |"), row
    assert (
        "they refused to act. The answer: No investigation. Reference: HR-2231."
        in eeoc.letter.text()
    )
