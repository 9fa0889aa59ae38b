"""`ally vault add --from` takes a date-only incident written as {"when": {"day": ...}}, and
a `when` it cannot read gets a message naming the forms it accepts."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

from ally.vault import Vault
from tests.documents.conftest import PASSPHRASE, WEAK
from tests.documents.test_cli import vault_cli


def test_a_day_only_incident_from_json_stays_that_day(tmp_path: Path) -> None:
    location = tmp_path / "vault"
    Vault.create(str(location), PASSPHRASE, work_factor=WEAK).close()
    good = tmp_path / "day.json"
    good.write_text(json.dumps({"when": {"day": "2026-09-10"}, "what": "Sam cut my shifts."}))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"when": {"approximate": True}, "what": "Sam cut my shifts."}))

    def add(path: Path) -> subprocess.CompletedProcess[str]:
        return vault_cli(
            location,
            "vault",
            "add",
            "incident",
            "--from",
            str(path),
            "--timezone",
            "America/Los_Angeles",
            tz="UTC",
        )

    saved = add(good)
    assert saved.returncode == 0, saved.stderr
    refused = add(bad)
    assert refused.returncode != 0
    said = " ".join(refused.stderr.split())
    assert '"day": "2026-09-10"' in said and "describe roughly when" in said, said
    with Vault.open(str(location), PASSPHRASE) as vault:
        incidents = [e.incident() for e in vault.entries() if e.kind == "incident"]
    assert len(incidents) == 1
    when = incidents[0].when
    assert when.day == dt.date(2026, 9, 10)
    assert when.start == dt.datetime(2026, 9, 10, 7, 0, tzinfo=dt.UTC), "midnight in LA"
    assert when.local_days(dt.UTC) == (dt.date(2026, 9, 10), dt.date(2026, 9, 10))
