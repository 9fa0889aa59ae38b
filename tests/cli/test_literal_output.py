"""What the terminal shows is exactly what was written: hostile Rich markup in a harasser's
message, a note or a file name is printed literally, never interpreted; and the case's own
records never show up as journal entries."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
from pathlib import Path

import pytest

from ally.case.store import VaultCase
from ally.model.case import AnswersEvent
from ally.vault import Incident, IncidentTime, Vault
from tests.inprocess import run_ally

PASSPHRASE = "test passphrase for the vault"
WEAK = 10

HOSTILE = (
    "[bold red]OBEY[/bold red] [link=https://evil.example/x]your bank[/link] "
    ":smile: [/] [blink]now[/blink] \\[escaped]"
)
FILE_NAME = "photo[1] [bold]x[/bold].jpg"


def ally(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update(ALLY_HOME=str(home), ALLY_PASSPHRASE=PASSPHRASE, COLUMNS="400")
    return run_ally(*args, env=environ)  # in this process: tests/inprocess.py


@pytest.fixture
def home(tmp_path: Path) -> Path:
    with Vault.create(tmp_path / "vaults" / "default", PASSPHRASE, work_factor=WEAK) as vault:
        when = IncidentTime(start=dt.datetime(2026, 5, 3, 14, 30, tzinfo=dt.UTC))
        entry = vault.add_incident(Incident(when=when, what=HOSTILE, where="[i]office[/i]"))
        vault.attach(entry.id, io.BytesIO(b"jpeg bytes"), FILE_NAME, "image/jpeg")
        vault.add_note(HOSTILE)
        VaultCase(vault).record(
            AnswersEvent(on=dt.date(2026, 5, 4), pack="us", answers={"context": ["work"]})
        )
    return tmp_path


def test_lists_and_timelines_print_entries_literally(home: Path) -> None:
    for command in (["vault", "list"], ["vault", "timeline"]):
        shown = ally(home, *command)
        assert shown.returncode == 0, shown.stderr
        assert HOSTILE[:50] in shown.stdout, (command, shown.stdout)
        assert "[bold red]OBEY[/bold red]" in shown.stdout
        assert "case" not in shown.stdout.split(), command  # the case's record is not an entry
    case_only = ally(home, "vault", "list", "--kind", "case")
    assert case_only.returncode == 0 and " case " in case_only.stdout


def test_an_entry_and_its_file_name_are_shown_literally(home: Path) -> None:
    shown = ally(home, "vault", "show", "2")  # record 1 is the key
    assert shown.returncode == 0, shown.stderr
    assert HOSTILE in shown.stdout
    assert "[i]office[/i]" in shown.stdout
    assert FILE_NAME in shown.stdout
    assert "\x1b]8;" not in shown.stdout  # no terminal hyperlink was made


def test_an_imported_message_is_shown_literally(tmp_path: Path) -> None:
    home = tmp_path
    Vault.create(home / "vaults" / "default", PASSPHRASE, work_factor=WEAK).close()
    chat = tmp_path / "WhatsApp Chat with Sam.txt"
    chat.write_text(f"1/15/26, 9:07 PM - [b]Sam[/b]: {HOSTILE}\n", encoding="utf-8")
    imported = ally(home, "evidence", "import", str(chat))
    assert imported.returncode == 0, imported.stderr
    found = ally(home, "evidence", "search", "--text", "OBEY")
    assert found.returncode == 0, found.stderr
    assert "[bold red]OBEY[/bold red]" in found.stdout
    assert "[link=https://evil.example/x]" in found.stdout
    assert "[b]Sam[/b]" in found.stdout


def test_the_web_timeline_and_export_picker_leave_the_case_out(home: Path) -> None:
    with Vault.open(home / "vaults" / "default", PASSPHRASE) as vault:
        kinds = [entry.kind for entry in vault.timeline()]
        assert sorted(kinds) == ["incident", "note"]
        assert any(entry.kind == "case" for entry in vault.entries())
