"""Imports into a real vault, on SQLite and on real PostgreSQL (a fresh schema per test).

PostgreSQL is at ALLY_TEST_DATABASE_URL; if it is unreachable these tests fail, never skip.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from ally.evidence.errors import ImportFormatError
from ally.evidence.importers import ImportOptions
from ally.evidence.pipeline import EXPORT_KIND, MESSAGE_KIND, import_file
from ally.evidence.review import mark, review_queue, search, stored_messages
from ally.vault import Vault

from .conftest import FIXTURES

PASSPHRASE = "evidence tests passphrase"
WEAK = 10
PG_URL = os.environ.get("ALLY_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
UTC = ImportOptions(timezone=dt.UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def vault(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Vault]:
    schema = None
    if request.param == "sqlite":
        location = str(tmp_path / "vault")
    else:
        schema = f"evidence_test_{secrets.token_hex(6)}"
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        location = (
            f"{PG_URL}{'&' if '?' in PG_URL else '?'}options={quote(f'-csearch_path={schema}')}"
        )
    opened = Vault.create(location, PASSPHRASE, work_factor=WEAK)
    try:
        yield opened
    finally:
        opened.close()
        if schema:
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_import_keeps_the_original_and_groups_by_conversation(vault: Vault) -> None:
    path = FIXTURES / "WhatsApp Chat with Sam.txt"
    result = import_file(vault, path, UTC)
    assert (result.read, result.added, result.already_present) == (8, 8, 0)
    (export,) = vault.entries(kind=EXPORT_KIND)
    assert (
        export.payload is not None
        and export.payload["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    )
    (original,) = export.attachments
    assert b"".join(vault.read_attachment(original.id)) == path.read_bytes()
    messages = vault.entries(kind=MESSAGE_KIND, conversation_id="whatsapp:Sam")
    assert len(messages) == 8
    first = messages[1].payload
    assert (
        first is not None
        and first["provenance"]["line"] == 2
        and first["export_entry"] == export.id
    )
    assert first["provenance"]["source_sha256"] == export.payload["sha256"]


def test_importing_twice_adds_nothing(vault: Vault) -> None:
    path = FIXTURES / "telegram-result.json"
    import_file(vault, path, UTC)
    before = len(vault.records)
    again = import_file(vault, path, UTC)
    assert (again.added, again.already_present) == (0, 5)
    assert len(vault.records) == before


def test_a_later_export_adds_only_new_messages(
    vault: Vault, tmp_path: Path, whatsapp_samples: Path
) -> None:
    full = (whatsapp_samples / "lorem.txt").read_bytes()
    early = tmp_path / "early" / "WhatsApp Chat with Lorem.txt"
    later = tmp_path / "later" / "WhatsApp Chat with Lorem.txt"
    early.parent.mkdir()
    later.parent.mkdir()
    early.write_bytes(b"".join(full.splitlines(keepends=True)[:120]))
    later.write_bytes(full)
    first = import_file(vault, early, UTC)
    second = import_file(vault, later, UTC)
    assert (first.added, second.added, second.already_present) == (120, 380, 120)
    assert len(vault.entries(kind=MESSAGE_KIND)) == 500
    assert len(vault.entries(kind=EXPORT_KIND)) == 2


def test_repeated_identical_messages_are_all_kept(vault: Vault, tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("15.01.20, 21:06 - Sam: ok\n15.01.20, 21:06 - Sam: ok\n", encoding="utf-8")
    assert import_file(vault, path, UTC).added == 2
    assert import_file(vault, path, UTC).added == 0


def test_damaged_export_changes_nothing(vault: Vault, tmp_path: Path) -> None:
    raw = (FIXTURES / "telegram-result.json").read_bytes()
    path = tmp_path / "result.json"
    path.write_bytes(raw[: int(len(raw) * 0.8)])
    before = len(vault.records)
    with pytest.raises(ImportFormatError, match=r"result.json, after \$\.messages\[\d\]"):
        import_file(vault, path, UTC)
    assert len(vault.records) == before


def test_review_flagged_first_mark_and_search(vault: Vault) -> None:
    import_file(vault, FIXTURES / "sms-backup.xml", UTC)
    import_file(vault, FIXTURES / "harassment.eml", UTC)
    queue = review_queue(stored_messages(vault))
    assert queue[0].flagged and "I know where you live" in queue[0].message.text
    assert not queue[-1].flagged
    mark(vault, queue[0].entry_id, "evidence")
    items = stored_messages(vault)
    assert [i.decision for i in items if i.entry_id == queue[0].entry_id] == ["evidence"]
    assert len(review_queue(items)) == len(queue) - 1
    assert [i.message.sender for i in search(items, sender="sam doe")] == [
        "Sam Doe <sam@example.org>"
    ]
    assert len(search(items, text="STOP TEXTING")) == 1
    assert len(search(items, until=dt.datetime(2023, 1, 15, 14, 5, tzinfo=dt.UTC))) == 2


def test_cli_import_review_search(tmp_path: Path) -> None:
    location = tmp_path / "vault"
    Vault.create(location, PASSPHRASE, work_factor=WEAK).close()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update({"ALLY_PASSPHRASE": PASSPHRASE, "ALLY_VAULT": str(location), "COLUMNS": "200"})

    def ally(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ally.cli.main", "evidence", *args],
            capture_output=True,
            text=True,
            env=environ,
            check=False,
        )

    imported = ally("import", str(FIXTURES / "Gaming Club - Text - general [2].json"))
    assert imported.returncode == 0, imported.stderr
    assert "2 messages read, 2 added" in imported.stdout and "shut up" not in imported.stdout
    again = ally("import", str(FIXTURES / "Gaming Club - Text - general [2].json"))
    assert "0 added, 2 already in your vault" in again.stdout
    listed = ally("review", "--list")
    assert listed.returncode == 0 and listed.stdout.index("shut up idiot") < listed.stdout.index(
        "hello all"
    )
    found = ally("search", "--sender", "troll")
    assert "shut up idiot" in found.stdout and "1 message found" in found.stdout
    bad = ally("import", str(tmp_path / "missing.json"))
    assert bad.returncode == 1 and "missing.json: no such file" in bad.stderr
    unknown = ally("import", "--timezone", "Mars/Olympus", str(FIXTURES / "de.txt"))
    assert unknown.returncode == 2 and "Unknown time zone" in unknown.stderr


def test_cli_interactive_review_marks_evidence(tmp_path: Path) -> None:
    import pexpect

    location = tmp_path / "vault"
    with Vault.create(location, PASSPHRASE, work_factor=WEAK) as opened:
        import_file(opened, FIXTURES / "Gaming Club - Text - general [2].json", UTC)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update({"ALLY_PASSPHRASE": PASSPHRASE, "ALLY_VAULT": str(location)})
    child = pexpect.spawn(
        sys.executable,
        ["-m", "ally.cli.main", "evidence", "review"],
        env=environ,
        encoding="utf-8",
        timeout=60,
    )
    child.expect("shut up idiot")
    child.expect(r"\[e\]vidence")
    child.sendline("e")
    child.expect(r"\[e\]vidence")
    child.sendline("q")
    child.expect(pexpect.EOF)
    with Vault.open(location, PASSPHRASE) as opened:
        decisions = {i.message.text: i.decision for i in stored_messages(opened)}
    assert decisions == {"shut up idiot": "evidence", "hello all": None}
