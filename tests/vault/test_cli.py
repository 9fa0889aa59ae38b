"""`ally vault ...` end to end, as a person or a script would run it: the command line's entry
point with its arguments, environment and standard input (in this process, tests/inprocess.py);
real processes where one matters (a terminal, a passphrase file descriptor)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pexpect
import pytest

from ally.vault import Identity, Vault
from tests.inprocess import run_ally

from .conftest import PASSPHRASE, WEAK

ALLY = [sys.executable, "-m", "ally.cli.main", "vault"]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A vault in ALLY_HOME, made with a fast work factor so each command opens quickly."""
    Vault.create(tmp_path / "vaults" / "default", PASSPHRASE, work_factor=WEAK).close()
    return tmp_path


def run(
    home: Path, *args: str, stdin: str = "", passphrase: str | None = PASSPHRASE, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update({"ALLY_HOME": str(home), **env})
    if passphrase is not None:
        environ["ALLY_PASSPHRASE"] = passphrase
    return run_ally(*ALLY[3:], *args, env=environ, input=stdin)  # in this process


def test_journal_round_trip_through_the_cli(home: Path, tmp_path: Path) -> None:
    incident = {
        "when": {"start": "2024-03-02T14:30:00Z"},
        "what": "Shouted at me",
        "where": "office",
        "who": ["M."],
    }
    (tmp_path / "i.json").write_text(json.dumps(incident))
    assert run(home, "add", "incident", "--from", str(tmp_path / "i.json")).returncode == 0
    assert run(home, "add", "note", "--from", "-", stdin="Called HR\n").returncode == 0
    listed = run(home, "list")
    assert (
        listed.returncode == 0 and "Shouted at me" in listed.stdout and "Called HR" in listed.stdout
    )
    incident["what"] = "Shouted at me, in front of J."
    (tmp_path / "i.json").write_text(json.dumps(incident))
    assert run(home, "edit", "2", "--from", str(tmp_path / "i.json")).returncode == 0
    shown = run(home, "show", "2", "--history")
    assert (
        "version 1" in shown.stdout
        and "version 2" in shown.stdout
        and "front of J." in shown.stdout
    )
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(os.urandom(1_500_000))
    attached = run(home, "attach", "2", str(photo))
    assert attached.returncode == 0, attached.stderr
    assert "image/jpeg" in run(home, "show", "2").stdout
    assert run(home, "save", "5", str(tmp_path / "back.jpg")).returncode == 0
    assert (tmp_path / "back.jpg").read_bytes() == photo.read_bytes()
    assert "Called HR" in run(home, "timeline").stdout
    assert run(home, "forget", "3", "--yes").returncode == 0
    assert "Called HR" not in run(home, "list").stdout
    verified = run(home, "verify", passphrase=None)
    assert verified.returncode == 0 and "OK" in verified.stdout and "1 forgotten" in verified.stdout
    code = run(home, "code", passphrase=None).stdout.strip()
    assert code.startswith("6-") and code in verified.stdout
    assert run(home, "verify", "--code", code, passphrase=None).returncode == 0
    assert run(home, "verify", "--code", "6-AAAA-AAAA-AAAA-AAAA", passphrase=None).returncode == 1


def test_export_verify_import(home: Path, tmp_path: Path) -> None:
    run(home, "add", "note", "--from", "-", stdin="keep this\n")
    exported = run(home, "export", str(tmp_path / "bundle"), passphrase=None)
    assert exported.returncode == 0, exported.stderr
    assert "OK" in run(home, "verify", str(tmp_path / "bundle"), passphrase=None).stdout
    imported = run(home, "import", str(tmp_path / "bundle"), "--vault", str(tmp_path / "copy"))
    assert imported.returncode == 0, imported.stderr
    assert "keep this" in run(home, "list", "--vault", str(tmp_path / "copy")).stdout
    advocate = Identity.generate()
    shared = run(home, "export", str(tmp_path / "for-lawyer"), "--to", str(advocate.recipient))
    assert (
        shared.returncode == 0 and "OK" in run(home, "verify", str(tmp_path / "for-lawyer")).stdout
    )


def test_share_unshare_and_passwd(home: Path) -> None:
    advocate = Identity.generate()
    assert run(home, "share", str(advocate.recipient)).returncode == 0
    bad = run(home, "share", "not-a-key")
    assert bad.returncode == 1 and "age public key" in bad.stderr
    assert run(home, "unshare", str(advocate.recipient)).returncode == 0
    changed = run(home, "passwd", ALLY_NEW_PASSPHRASE="a whole new passphrase here")
    assert changed.returncode == 0, changed.stderr
    assert run(home, "list").returncode == 1
    assert run(home, "list", passphrase="a whole new passphrase here").returncode == 0


def test_wrong_passphrase_is_clear_and_changes_nothing(home: Path) -> None:
    db = home / "vaults" / "default" / "vault.db"
    before = sqlite3.connect(db).execute("SELECT count(*) FROM vault_records").fetchone()
    result = run(home, "add", "note", "--from", "-", stdin="x\n", passphrase="wrong one")
    assert result.returncode == 1 and "does not open this vault" in result.stderr
    assert "Traceback" not in result.stderr
    assert sqlite3.connect(db).execute("SELECT count(*) FROM vault_records").fetchone() == before


def test_repeated_wrong_passphrases_make_the_next_try_wait(home: Path) -> None:
    """The same back-off as the web app, kept in the vault so it holds across runs."""
    for _ in range(4):
        wrong = run(home, "list", passphrase="a wrong guess")
        assert wrong.returncode == 1 and "does not open this vault" in wrong.stderr
    db = sqlite3.connect(home / "vaults" / "default" / "vault.db")
    assert db.execute("SELECT failures FROM unlock_failures").fetchone() == (4,)
    with db:  # four more, just now: the next try must wait 16 seconds
        db.execute("UPDATE unlock_failures SET failures = 8, last_failed = ?", (time.time(),))
    refused = run(home, "list")  # even the right passphrase waits its turn
    assert refused.returncode == 1
    waiting = re.search(
        r"Too many wrong passphrases in a row\. Nothing was tried\. Wait (\d+) seconds",
        refused.stderr,
    )
    # 16 seconds from the last failure, less however long this loaded machine took to start
    # the command: the wait counts from the failure, not from the new try.
    assert waiting and 1 <= int(waiting.group(1)) <= 16, refused.stderr
    with db:  # the wait has passed
        db.execute("UPDATE unlock_failures SET last_failed = last_failed - 20")
    assert run(home, "list").returncode == 0
    assert db.execute("SELECT count(*) FROM unlock_failures").fetchone() == (0,)
    db.close()


def test_passphrase_from_a_file_descriptor(home: Path) -> None:
    read, write = os.pipe()
    os.write(write, (PASSPHRASE + "\n").encode())
    os.close(write)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ["ALLY_HOME"] = str(home)
    result = subprocess.run(
        [*ALLY, "list", "--passphrase-fd", str(read)],
        pass_fds=[read],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    os.close(read)
    assert result.returncode == 0, result.stderr


def test_no_passphrase_without_a_terminal_is_a_clear_error(home: Path) -> None:
    result = run(home, "list", passphrase=None)
    assert result.returncode == 2 and "ALLY_PASSPHRASE" in result.stderr


def test_verify_names_the_first_bad_entry(home: Path) -> None:
    for text in ("one", "two", "three"):
        run(home, "add", "note", "--from", "-", stdin=text)
    db = sqlite3.connect(home / "vaults" / "default" / "vault.db")
    record = db.execute("SELECT record FROM vault_records WHERE seq = 3").fetchone()[0]
    db.execute(
        "UPDATE vault_records SET record = ? WHERE seq = 3", (record.replace('"at":"2', '"at":"1'),)
    )
    db.commit()
    result = run(home, "verify", passphrase=None)
    assert result.returncode == 1 and "entry 3" in result.stdout


def test_missing_vault_is_a_clear_error(tmp_path: Path) -> None:
    result = run(tmp_path, "list")
    assert result.returncode == 1 and "ally vault init" in result.stderr


def test_init_offers_a_generated_passphrase(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ["ALLY_HOME"] = str(tmp_path)
    child = pexpect.spawn(ALLY[0], [*ALLY[1:], "init"], env=environ, encoding="utf-8", timeout=120)
    child.expect("easy to remember:")
    child.expect("Write it down")
    words = " ".join(re.sub(r"\x1b\[[0-9;]*m", "", child.before or "").split())
    assert len(words.split()) == 6
    child.expect(r"Use this passphrase\?")
    child.sendline("y")
    child.expect("confirm")
    child.sendline(words)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    with Vault.open(tmp_path / "vaults" / "default", words) as vault:
        assert vault.verify().ok
    again = run(tmp_path, "init", passphrase="whatever passphrase")
    assert again.returncode == 2 and "already exists" in again.stderr


def unlocked_add_incident(home: Path) -> pexpect.spawn:
    """`ally add incident` typed at a terminal, the passphrase given: the questions follow."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ["ALLY_HOME"] = str(home)
    child = pexpect.spawn(
        ALLY[0], [*ALLY[1:], "add", "incident"], env=environ, encoding="utf-8", timeout=120
    )
    child.expect("Passphrase")
    child.sendline(PASSPHRASE)
    return child


def test_interactive_incident(home: Path) -> None:
    child = unlocked_add_incident(home)
    child.expect("Your time zone")  # asked once per journal, then kept
    child.sendline("Europe/London")
    answers = [
        "2024-05-01 09:15",
        "He blocked the door",
        "Car park",
        "M., K.",
        "",
        "Shaken",
        "",
        "work",
    ]
    for answer in answers:
        child.expect(r"\?")
        child.sendline(answer)
    child.expect(pexpect.EOF)
    with Vault.open(home / "vaults" / "default", PASSPHRASE) as vault:
        incident = vault.entries(kind="incident")[0].incident()
    assert incident.what == "He blocked the door" and incident.who == ["M.", "K."]
    assert incident.contexts == ["work"] and incident.when.start is not None
    # 09:15 typed in London in May (summer time) is 08:15 UTC, whatever this computer's zone
    assert incident.when.start == dt.datetime(2024, 5, 1, 8, 15, tzinfo=dt.UTC)


def test_verify_reports_invalid_text_without_a_traceback(home: Path) -> None:
    for text in ("one", "two", "three"):
        run(home, "add", "note", "--from", "-", stdin=text)
    db = sqlite3.connect(home / "vaults" / "default" / "vault.db")
    db.execute(
        "UPDATE vault_records SET hash = CAST(? AS TEXT) WHERE seq = 3", (b"\xff\xfe\x00abc",)
    )
    db.commit()
    result = run(home, "verify", passphrase=None)
    assert result.returncode == 1, result.stderr
    assert "NOT OK" in result.stdout and "First problem: entry 3" in result.stdout
    assert "Entries 1 to 2 verify completely." in result.stdout
    assert "ally vault salvage" in result.stdout
    assert "Traceback" not in result.stderr and "Error" not in result.stderr
    db.execute("UPDATE vault_meta SET value = CAST(? AS TEXT) WHERE name = 'format'", (b"\xff",))
    db.commit()
    result = run(home, "verify", passphrase=None)
    assert result.returncode == 1 and "own information is damaged" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("weak", "reason"),
    [
        ("short pass", "at least 12 characters"),
        ("aaaaaaaaaaaaaaaa", "repeats too few characters"),
        ("0115 496 0000 12", "only digits"),
    ],
)
def test_a_scripts_weak_passphrase_is_refused_with_the_reason(
    tmp_path: Path, weak: str, reason: str
) -> None:
    """ALLY_PASSPHRASE and --passphrase-fd meet the same rule as a typed passphrase."""
    refused = run(tmp_path, "init", passphrase=weak)
    assert refused.returncode == 1 and reason in refused.stderr
    assert "Nothing was saved" in refused.stderr
    assert not (tmp_path / "vaults" / "default").exists() or not any(
        (tmp_path / "vaults" / "default").iterdir()
    )


def test_a_weak_own_passphrase_is_explained_and_asked_again(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ["ALLY_HOME"] = str(tmp_path)
    child = pexpect.spawn(ALLY[0], [*ALLY[1:], "init"], env=environ, encoding="utf-8", timeout=120)
    child.expect(r"Use this passphrase\?")
    child.sendline("n")
    child.expect("Your own passphrase")
    child.sendline("tooshort")
    child.expect("Repeat for confirmation")
    child.sendline("tooshort")
    child.expect("at least 12 characters")
    child.expect("Your own passphrase")
    child.sendline("four long words are better")
    child.expect("Repeat for confirmation")
    child.sendline("four long words are better")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    with Vault.open(tmp_path / "vaults" / "default", "four long words are better") as vault:
        assert vault.verify().ok


def test_passwd_says_that_earlier_exports_keep_the_old_passphrase(home: Path) -> None:
    changed = run(home, "passwd", ALLY_NEW_PASSPHRASE="a whole new passphrase here")
    assert changed.returncode == 0, changed.stderr
    assert "the old one still opens them" in " ".join(changed.stderr.split())
    weak = run(
        home, "passwd", ALLY_NEW_PASSPHRASE="short", passphrase="a whole new passphrase here"
    )
    assert weak.returncode == 1 and "at least 12 characters" in weak.stderr


def test_an_incident_date_is_read_as_typed_and_never_filed_as_now(home: Path) -> None:
    """A day-first date with a time is read as such; words it cannot read and future dates
    are refused with an example and asked again, not saved at the moment of typing."""
    child = unlocked_add_incident(home)
    if child.expect(["Your time zone", "When did it happen"]) == 0:
        child.sendline("Europe/Dublin")
        child.expect("When did it happen")
    child.sendline("the week before my birthday")
    child.expect("Try for example 28/11/2026")
    child.expect("When did it happen")
    child.sendline("2099-01-01")
    child.expect("after today")
    child.expect("When did it happen")
    child.sendline("3/4/2026")  # no case yet, so Ally does not know which is the day
    child.expect("could be day/month or month/day")
    child.expect("When did it happen")
    child.sendline("28/11/2026 18:00")
    for answer in ["He followed me to the bus", "", "", "", "", "", ""]:
        child.expect(r"\?")
        child.sendline(answer)
    child.expect(pexpect.EOF)
    with Vault.open(home / "vaults" / "default", PASSPHRASE) as vault:
        when = vault.entries(kind="incident")[0].incident().when
    assert when.start is not None
    local = when.start.astimezone(ZoneInfo("Europe/Dublin"))
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2026, 11, 28, 18, 0)
    assert not when.approximate


def test_imported_messages_are_on_the_timeline_when_they_were_sent(
    home: Path, tmp_path: Path
) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "[2024-03-02 14:30] Sam: I know where you live\n[2024-03-05 09:10] Sam: answer me\n",
        encoding="utf-8",
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update(ALLY_HOME=str(home), ALLY_PASSPHRASE=PASSPHRASE)
    imported = subprocess.run(
        [sys.executable, "-m", "ally.cli.main", "evidence", "import", str(chat)],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    timeline = run(home, "timeline").stdout
    rows = [line for line in timeline.splitlines() if "imported message" in line]
    assert rows and all("2024-03-02 14:30" in row for row in rows), timeline
    assert dt.date.today().isoformat() not in "\n".join(rows)
