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
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

from ally.evidence import pipeline
from ally.evidence.detect import Assessment, Detector
from ally.evidence.errors import EvidenceError, ImportFormatError
from ally.evidence.importers import Export, ImportOptions
from ally.evidence.pipeline import EXPORT_KIND, import_file
from ally.evidence.review import forget_message, mark, review_queue, search, stored_messages
from ally.model.message import Message, Provenance
from ally.model.pages import MESSAGE_KIND, PAGE_KIND, page_messages
from ally.vault import Vault, crypto
from tests.inprocess import run_ally

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
    (page,) = vault.entries(kind=PAGE_KIND)  # one page holds the chat's 8 messages
    messages = page_messages(page.payload)
    assert len(messages) == 8 and {m["conversation"] for m in messages} == {"Sam"}
    assert vault.entries(kind=MESSAGE_KIND) == []  # no entry per message any more
    first = messages[1]
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
    assert len(stored_messages(vault)) == 500
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
        return run_ally("evidence", *args, env=environ)  # in this process

    imported = ally("import", str(FIXTURES / "Gaming Club - Text - general [2].json"))
    assert imported.returncode == 0, imported.stderr
    assert "2 messages read, 2 added" in imported.stdout and "shut up" not in imported.stdout
    summary = " ".join(imported.stdout.split())
    assert "Ally looks for threats, stalking" in summary  # what was looked for, every time
    assert "messages that are not flagged can still matter" in summary
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
        timeout=120,
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


def write_chat(path: Path, count: int, start: int = 0) -> Path:
    """A WhatsApp export (24-hour, day first) of ``count`` messages, numbered from ``start``."""
    when = dt.datetime(2021, 3, 1, 8, 0)
    lines = []
    for i in range(start, start + count):
        moment = when + dt.timedelta(minutes=i)
        lines.append(f"{moment:%d.%m.%y}, {moment:%H:%M} - Sam: message number {i}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines), encoding="utf-8")
    return path


class FailingDetector(Detector):
    """Fails on the n-th message it scores, as a crash in the middle of an import would."""

    def __init__(self, fail_at: int) -> None:
        super().__init__()
        self.fail_at, self.seen = fail_at, 0

    def assess(self, text: str) -> Assessment:
        self.seen += 1
        if self.seen == self.fail_at:
            raise RuntimeError("interrupted")
        return super().assess(text)


def count_decryptions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time the vault opens an encrypted stream from now on:
    empty afterwards proves nothing was decrypted."""
    opened: list[int] = []
    real = crypto.open_stream

    def counting(*args: Any) -> Any:
        opened.append(1)
        return real(*args)

    monkeypatch.setattr(crypto, "open_stream", counting)
    return opened


def test_an_interrupted_import_leaves_nothing_and_can_be_rerun(
    vault: Vault, tmp_path: Path
) -> None:
    path = write_chat(tmp_path / "WhatsApp Chat with Sam.txt", 1300)
    vault.add_note("already there")
    head = vault.head_code()
    with pytest.raises(RuntimeError):
        import_file(vault, path, UTC, detector=FailingDetector(1200))
    assert vault.head_code() == head and vault.verify().ok  # not even the original file
    assert vault.entries(kind=EXPORT_KIND) == [] and stored_messages(vault) == []
    result = import_file(vault, path, UTC)
    assert (result.added, result.original_stored) == (1300, True)
    assert len(stored_messages(vault)) == 1300 and vault.verify().ok


def test_known_messages_are_found_without_decrypting(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_file(vault, write_chat(tmp_path / "a" / "WhatsApp Chat with Sam.txt", 600), UTC)
    later = write_chat(tmp_path / "b" / "WhatsApp Chat with Sam.txt", 700)
    opened = count_decryptions(monkeypatch)
    result = import_file(vault, later, UTC)
    assert (result.read, result.added, result.already_present) == (700, 100, 600)
    assert opened == []  # nothing was decrypted to tell old from new
    again = import_file(vault, later, UTC)
    assert (again.added, again.already_present, again.original_stored) == (0, 700, False)
    assert opened == []


def test_reimporting_takes_no_write_lock(vault: Vault, tmp_path: Path) -> None:
    path = write_chat(tmp_path / "WhatsApp Chat with Sam.txt", 50)
    import_file(vault, path, UTC)
    before = vault.record_hashes()
    if vault.store.db.kind == "postgresql":
        vault.store.db.execute("SET lock_timeout = '2s'")  # fail rather than wait
    with Vault.open(vault.store.db.url, PASSPHRASE) as other, other.batch():  # holds the lock
        assert import_file(vault, path, UTC).added == 0
    assert vault.record_hashes() == before


def _make_older(vault: Vault) -> None:
    """What an Ally from before lookups left: the same vault without the lookup tables."""
    with vault.store.db.transaction() as tx:
        tx.execute("DROP TABLE vault_lookup")
        tx.execute("DROP TABLE vault_lookup_state")


def test_imports_into_an_older_vault_still_add_only_new_messages(
    vault: Vault, tmp_path: Path
) -> None:
    first = write_chat(tmp_path / "a" / "WhatsApp Chat with Sam.txt", 300)
    import_file(vault, first, UTC)
    _make_older(vault)
    location = vault.store.db.url
    vault.close()
    with Vault.open(location, PASSPHRASE) as older:
        assert import_file(older, first, UTC).added == 0  # the same export: nothing
        later = import_file(
            older, write_chat(tmp_path / "b" / "WhatsApp Chat with Sam.txt", 350), UTC
        )
        assert (later.added, later.already_present) == (50, 300)
        assert len(stored_messages(older)) == 350 and older.verify().ok


def test_a_restored_vault_recognises_its_imports(vault: Vault, tmp_path: Path) -> None:
    path = write_chat(tmp_path / "WhatsApp Chat with Sam.txt", 120)
    import_file(vault, path, UTC)
    bundle = vault.export(tmp_path / "bundle").path
    with Vault.import_bundle(bundle, tmp_path / "restored", PASSPHRASE) as restored:
        result = import_file(restored, path, UTC)
        assert (result.added, result.already_present, result.original_stored) == (0, 120, False)


def test_a_forgotten_message_can_be_imported_again(vault: Vault, tmp_path: Path) -> None:
    path = write_chat(tmp_path / "WhatsApp Chat with Sam.txt", 10)
    import_file(vault, path, UTC)
    gone = stored_messages(vault)[3]
    forget_message(vault, gone.entry_id)
    left = stored_messages(vault)
    assert len(left) == 9 and gone.entry_id not in {m.entry_id for m in left}
    assert gone.message.text not in {m.message.text for m in left} and vault.verify().ok
    again = import_file(vault, path, UTC)
    assert (again.added, again.already_present) == (1, 9)


def test_a_file_changed_during_the_import_is_refused(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_chat(tmp_path / "WhatsApp Chat with Sam.txt", 20)
    real = pipeline.open_export

    def changed_after_hashing(*args: Any) -> Export:
        export = real(*args)
        path.write_bytes(path.read_bytes().replace(b"number 19", b"number 91"))
        return export

    monkeypatch.setattr(pipeline, "open_export", changed_after_hashing)
    with pytest.raises(EvidenceError, match="changed while it was being imported"):
        import_file(vault, path, UTC)
    assert vault.entries() == [] and vault.verify().ok


def test_progress_counts_every_message(vault: Vault, tmp_path: Path) -> None:
    path = write_chat(tmp_path / "WhatsApp Chat with Sam.txt", 1050)
    calls: list[tuple[int, int]] = []
    import_file(vault, path, UTC, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (200, 1050) and calls[-1] == (1050, 1050)
    assert [done for done, _ in calls] == sorted({done for done, _ in calls})
    calls.clear()
    import_file(vault, path, UTC, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1050, 1050)]  # nothing new: checked, not written


def test_a_later_search_decrypts_only_what_changed(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_file(vault, write_chat(tmp_path / "WhatsApp Chat with Sam.txt", 600), UTC)
    assert len(stored_messages(vault)) == 600
    opened = count_decryptions(monkeypatch)
    assert len(search(stored_messages(vault), text="number 17")) == 11
    assert opened == []  # read once while unlocked
    item = stored_messages(vault)[5]
    mark(vault, item.entry_id, "evidence")
    opened.clear()
    items = stored_messages(vault)
    assert [i.decision for i in items if i.entry_id == item.entry_id] == ["evidence"]
    assert len(opened) == 1  # only the page that changed


def test_a_first_import_in_time_order_looks_nothing_up(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into a vault without messages, an export in time order has distinct keys by
    construction (``KeyOrder``): no message key is looked up, and the keys written still let a
    second import find every message."""
    path = write_chat(tmp_path / "WhatsApp Chat with Sam.txt", 1200)
    asked: list[str] = []
    real_find = vault.find

    def find(kind: str, lookups: Any) -> dict[str, str]:
        asked.append(kind)
        return real_find(kind, lookups)

    monkeypatch.setattr(vault, "find", find)
    assert import_file(vault, path, UTC).added == 1200
    assert MESSAGE_KIND not in asked
    again = import_file(vault, path, UTC)
    assert (again.added, again.already_present) == (0, 1200)
    assert asked.count(MESSAGE_KIND) >= 3  # the second import looked every chunk up


def test_a_first_import_out_of_time_order_drops_repeats_across_chunks(
    vault: Vault, tmp_path: Path
) -> None:
    """The same message (sender, time, text) twice, with other moments and a chunk's worth of
    messages between them: the keys are no longer distinct by construction, so the import
    looks them up again and keeps one copy, as before."""
    path = write_chat(tmp_path / "WhatsApp Chat with Sam.txt", 3 * pipeline.CHUNK)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines, lines[5], lines[pipeline.CHUNK + 7]]), encoding="utf-8")
    result = import_file(vault, path, UTC)
    assert (result.read, result.added, result.already_present) == (1502, 1500, 2)
    texts = [stored.message.text for stored in stored_messages(vault)]
    assert len(texts) == len(set(texts)) == 1500


def test_key_order_notices_what_could_repeat_a_key() -> None:
    """A step back in time, the same wall-clock time twice (a DST change with the zone
    assumed), an app id, or a NUL inside a field ends the guarantee."""
    base = _message("a", dt.datetime(2024, 1, 1, 8, tzinfo=dt.UTC))

    def distinct(*messages: Message) -> bool:
        order = pipeline.KeyOrder()
        list(pipeline.keyed(iter(messages), order))
        return order.distinct

    later = base._replace(timestamp=base.timestamp + dt.timedelta(minutes=1))
    assert distinct(base, base, later)  # repeats at one moment get a counter
    assert not distinct(later, base)
    assert not distinct(base, later._replace(message_id="42"))
    assert not distinct(base, later._replace(text="a\0b"))
    new_york = dt.timezone(dt.timedelta(hours=-4)), dt.timezone(dt.timedelta(hours=-5))
    first = base._replace(
        timestamp=dt.datetime(2024, 11, 3, 1, 30, tzinfo=new_york[0]), timezone_assumed=True
    )
    second = first._replace(timestamp=dt.datetime(2024, 11, 3, 1, 30, tzinfo=new_york[1]))
    assert second.timestamp > first.timestamp and first.natural_key() == second.natural_key()
    assert not distinct(first, second)


def _message(text: str, when: dt.datetime) -> Message:
    return Message(
        platform="whatsapp",
        conversation="Sam",
        sender="Sam",
        timestamp=when,
        text=text,
        provenance=Provenance("0" * 64, "chat.txt", line=1),
    )
