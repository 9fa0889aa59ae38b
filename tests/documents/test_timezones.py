"""Times are read and shown in the person's zone, on a server whose zone is UTC.

A Californian types 21:52: it must stay 21:52 (UTC-07:00) in every report, not become 14:52;
a date typed without a time stays that date, not the day before. The CLI runs with TZ=UTC.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

from ally.documents.casefile import build_casefile, stored_zone
from ally.documents.report_md import render_markdown
from ally.vault import Vault
from tests.documents.conftest import PASSPHRASE, WEAK
from tests.documents.test_cli import vault_cli


def run(location: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return vault_cli(location, *args, tz="UTC", stdin=stdin)


def test_typed_times_are_read_and_shown_in_the_persons_zone(tmp_path: Path) -> None:
    location = tmp_path / "vault"
    Vault.create(str(location), PASSPHRASE, work_factor=WEAK).close()
    typed = tmp_path / "typed.json"
    typed.write_text(
        json.dumps({"when": {"start": "2026-08-03T21:52"}, "what": "He followed me to my car."})
    )
    dated = tmp_path / "dated.json"
    dated.write_text(json.dumps({"when": {"start": "2026-08-10"}, "what": "A note on my desk."}))
    first = run(
        location,
        "vault",
        "add",
        "incident",
        "--from",
        str(typed),
        "--timezone",
        "America/Los_Angeles",
    )
    assert first.returncode == 0, first.stderr
    assert "America/Los_Angeles" in first.stderr
    second = run(location, "vault", "add", "incident", "--from", str(dated))
    assert second.returncode == 0, second.stderr
    wrong = run(location, "vault", "add", "note", "--from", str(dated), "--timezone", "Mars/Base")
    assert wrong.returncode != 0 and "not a time zone" in wrong.stderr

    with Vault.open(str(location), PASSPHRASE) as vault:
        incidents = [e.incident() for e in vault.entries(kind="incident")]
        assert incidents[0].when.start == dt.datetime(2026, 8, 4, 4, 52, tzinfo=dt.UTC)
        assert incidents[1].when.day == dt.date(2026, 8, 10)
        assert str(stored_zone(vault.entries())) == "America/Los_Angeles"
        report = render_markdown(build_casefile(vault))
    assert "2026-08-03 21:52 (UTC-07:00)" in report
    assert "14:52" not in report and "04:52" not in report
    assert "| 2026-08-10 | Incident 2 |" in report, "a date stays that date"
    assert "2026-08-09" not in report

    made = run(location, "report", "--out", str(tmp_path / "r.md"))
    assert made.returncode == 0, made.stderr
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "2026-08-03 21:52 (UTC-07:00)" in text and "2026-08-09" not in text

    # A correction typed later is read in the stored zone too.
    with Vault.open(str(location), PASSPHRASE) as vault:
        seq = vault.entries(kind="incident")[0].seq
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps({"when": {"start": "2026-08-05T08:15"}, "what": "He followed me."}))
    edited = run(location, "vault", "edit", str(seq), "--from", str(fixed))
    assert edited.returncode == 0, edited.stderr
    with Vault.open(str(location), PASSPHRASE) as vault:
        start = vault.entries(kind="incident")[0].incident().when.start
    assert start == dt.datetime(2026, 8, 5, 15, 15, tzinfo=dt.UTC)


def test_an_edit_offers_the_time_in_the_persons_zone_and_keeps_it(tmp_path: Path) -> None:
    location = tmp_path / "vault"
    with Vault.create(str(location), PASSPHRASE, work_factor=WEAK) as vault:
        vault.add_entry("settings", {"timezone": "America/Los_Angeles"})
    made = run(
        location, "vault", "add", "incident", stdin="2026-08-03 21:52\nHe called.\n" + "\n" * 6
    )
    assert made.returncode == 0, made.stderr
    with Vault.open(str(location), PASSPHRASE) as vault:
        seq = vault.entries(kind="incident")[0].seq
    edited = run(
        location, "vault", "edit", str(seq), stdin="\nHe called me twelve times.\n" + "\n" * 6
    )
    assert edited.returncode == 0, edited.stderr
    assert "2026-08-03 21:52 (UTC-07:00)" in edited.stdout + edited.stderr
    assert "04:52" not in edited.stdout + edited.stderr
    with Vault.open(str(location), PASSPHRASE) as vault:
        incident = vault.entries(kind="incident")[-1].incident()
    assert incident.what == "He called me twelve times."
    assert incident.when.start == dt.datetime(2026, 8, 4, 4, 52, tzinfo=dt.UTC), "kept as it was"


def test_prompted_times_use_the_stored_zone(tmp_path: Path) -> None:
    location = tmp_path / "vault"
    with Vault.create(str(location), PASSPHRASE, work_factor=WEAK) as vault:
        vault.add_entry("settings", {"timezone": "America/Los_Angeles"})
    answers = "2026-08-03 21:52\nHe called me twelve times.\n\n\n\n\n\n\n"
    made = run(location, "vault", "add", "incident", stdin=answers)
    assert made.returncode == 0, made.stderr
    with Vault.open(str(location), PASSPHRASE) as vault:
        (entry,) = vault.entries(kind="incident")
        assert entry.incident().when.start == dt.datetime(2026, 8, 4, 4, 52, tzinfo=dt.UTC)
        assert not [e for e in vault.entries() if e.kind == "settings"][1:], "asked only once"


def test_the_terminal_shows_times_in_the_persons_zone(tmp_path: Path) -> None:
    location = tmp_path / "vault"
    Vault.create(str(location), PASSPHRASE, work_factor=WEAK).close()
    typed = tmp_path / "typed.json"
    typed.write_text(json.dumps({"when": {"start": "2026-09-08T21:52"}, "what": "Followed me."}))
    dated = tmp_path / "dated.json"
    dated.write_text(json.dumps({"when": {"start": "2026-09-10"}, "what": "A note on my desk."}))
    zone = ("--timezone", "America/Los_Angeles")
    assert run(location, "vault", "add", "incident", "--from", str(typed), *zone).returncode == 0
    assert run(location, "vault", "add", "incident", "--from", str(dated)).returncode == 0

    timeline = run(location, "vault", "timeline")
    assert timeline.returncode == 0, timeline.stderr
    lines = [" ".join(line.split()) for line in timeline.stdout.splitlines()]
    assert any("2026-09-08 21:52 (UTC-07:00) incident Followed me." in line for line in lines)
    assert any("2026-09-10 incident A note on my desk." in line for line in lines)
    assert "04:52" not in timeline.stdout and "2026-09-09" not in timeline.stdout

    with Vault.open(str(location), PASSPHRASE) as vault:
        number = str(vault.entries(kind="incident")[0].seq)
    shown = run(location, "vault", "show", number)
    assert shown.returncode == 0, shown.stderr
    assert "When: 2026-09-08 21:52 (UTC-07:00)" in shown.stdout
    assert "04:52" not in shown.stdout and " UTC\n" not in shown.stdout
