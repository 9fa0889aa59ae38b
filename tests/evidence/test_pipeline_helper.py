"""Detection in a helper process during a large import (``ally.evidence.detecting``).

The helper must change nothing but the time an import takes: the very same pages, messages
and detections as detection in the importing process; a helper that dies fails the import
with a plain message and leaves the vault as it was; the helper ends when the importing
process is killed; small imports start no helper at all. Real SQLite vaults, real processes.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from ally.evidence import detecting, pipeline
from ally.evidence.errors import EvidenceError
from ally.evidence.pipeline import EXPORT_KIND, ImportResult, import_file
from ally.evidence.review import stored_messages
from ally.model.pages import PAGE_KIND, page_messages
from ally.vault import Vault

from .conftest import FIXTURES
from .test_pipeline import PASSPHRASE, UTC, WEAK, write_chat

TEXTS = [
    "see you at 8, I'll bring the cake",
    "I know where you live and I know where your kids go to school",
    "you'd better watch yourself walking home tonight",
    "this exam will kill me lol",
    "send me your password or I tell everyone",
    "if you report me to HR you will regret it",
    "no one would ever believe you",
    "what the fuck, that film was amazing",
    "you are a stupid worthless idiot",
    "I saw you at the gym at 6:40 in the red top",
    "your plate is KX19 ABC, I'll be waiting in the car park",
    "send me pics or I post the video",
    "if you go out with me you'll get the promotion",
    "ok",
    "ok",
    "shit, missed the bus again",
    "my dog ate my homework, what a cow",
    "call me at 07700 900123 when you land",
    "you're not allowed to see your friends any more",
    "people like you should go back where you came from",
]
"""Everyday talk, swearing, idioms and harassment of several kinds (some flagged, some not)."""


def _chat(path: Path, count: int, start: int = 0) -> Path:
    """A WhatsApp export of ``count`` varied messages, with a step back in time and repeats
    across chunks (so the import looks keys up and must see chunks still being scored)."""
    base = dt.datetime(2022, 5, 1, 9, 0)
    lines = []
    for i in range(start, start + count):
        moment = base + dt.timedelta(minutes=i // 3)
        text = f"{TEXTS[i % len(TEXTS)]}{'' if i % 7 else f' ({i})'}"
        lines.append(f"{moment:%d.%m.%y}, {moment:%H:%M} - {'Sam' if i % 4 else 'Alex'}: {text}\n")
    lines += [lines[10], lines[count // 2], lines[count - 5]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines), encoding="utf-8")
    return path


class Recording(detecting.Helper):
    """A helper that notes itself, so a test can tell one was used (and find its process)."""

    started: ClassVar[list[detecting.Helper]] = []

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        Recording.started.append(self)


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> list[detecting.Helper]:
    Recording.started = []
    monkeypatch.setattr(detecting, "Helper", Recording)
    return Recording.started


def _pages(vault: Vault) -> list[list[dict[str, Any]]]:
    """Every page's messages, in order, without what is random or names another entry."""
    pages = sorted(vault.entries(kind=PAGE_KIND), key=lambda entry: entry.seq)
    out = []
    for page in pages:
        assert page.payload is not None
        out.append(
            [
                {k: v for k, v in message.items() if k not in ("id", "export_entry")}
                for message in page_messages(page.payload)
            ]
        )
    return out


def _summary(result: ImportResult) -> tuple[Any, ...]:
    return (result.read, result.added, result.already_present, result.flagged)


def test_the_helper_stores_exactly_what_detection_here_stores(
    tmp_path: Path, recording: list[detecting.Helper]
) -> None:
    """Serial and helper imports of the same exports, into two vaults: a first import, then a
    later export that repeats most of it. Same counts, same pages, same detections."""
    early = _chat(tmp_path / "early" / "WhatsApp Chat with Sam.txt", 900)
    later = _chat(tmp_path / "later" / "WhatsApp Chat with Sam.txt", 2600)
    results: dict[bool, list[tuple[Any, ...]]] = {}
    pages: dict[bool, list[list[dict[str, Any]]]] = {}
    for parallel in (False, True):
        location = str(tmp_path / f"vault-{parallel}")
        with Vault.create(location, PASSPHRASE, work_factor=WEAK) as vault:
            first = import_file(vault, early, UTC, parallel=parallel)
            second = import_file(vault, later, UTC, parallel=parallel)
            results[parallel] = [_summary(first), _summary(second)]
            pages[parallel] = _pages(vault)
            assert vault.verify().ok
    assert len(recording) == 2  # one helper for each import of the second vault
    assert results[True] == results[False]
    (read, added, present, flagged), (read2, added2, present2, flagged2) = results[True]
    assert (read, added, present) == (903, 900, 3)  # the three repeats are kept once
    assert (read2, added2, present2) == (2603, 1700, 903)
    assert flagged > 100 and flagged2 > 200  # real detections were compared
    assert pages[True] == pages[False]
    assert sum(map(len, pages[True])) == 2600
    detections = [m["detection"] for page in pages[True] for m in page]
    assert any(d["reasons"] for d in detections)
    assert all(r.process.poll() is not None for r in recording)  # both helpers have ended


def test_a_helper_that_dies_fails_the_import_and_changes_nothing(
    tmp_path: Path, recording: list[detecting.Helper]
) -> None:
    path = write_chat(tmp_path / "WhatsApp Chat with Sam.txt", 3000)
    location = str(tmp_path / "vault")
    with Vault.create(location, PASSPHRASE, work_factor=WEAK) as vault:
        vault.add_note("already there")
        head = vault.head_code()

        def kill_the_helper(done: int, total: int) -> None:
            if done == 1000:
                os.kill(recording[0].process.pid, signal.SIGKILL)

        with pytest.raises(EvidenceError, match="Nothing was saved"):
            import_file(vault, path, UTC, progress=kill_the_helper, parallel=True)
        assert vault.head_code() == head and vault.verify().ok
        assert vault.entries(kind=EXPORT_KIND) == [] and stored_messages(vault) == []
        assert recording[0].process.poll() is not None
        again = import_file(vault, path, UTC, parallel=True)
        assert (again.added, again.original_stored) == (3000, True)
        assert len(stored_messages(vault)) == 3000 and vault.verify().ok


def test_small_imports_start_no_helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> None:
        raise AssertionError("a helper was started for a small import")

    monkeypatch.setattr(detecting, "Helper", refuse)
    with Vault.create(str(tmp_path / "vault"), PASSPHRASE, work_factor=WEAK) as vault:
        assert import_file(vault, FIXTURES / "WhatsApp Chat with Sam.txt", UTC).added == 8
        chat = write_chat(tmp_path / "WhatsApp Chat with Alex.txt", 2000)
        assert import_file(vault, chat, UTC).added == 2000


def test_a_large_import_uses_the_helper_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recording: list[detecting.Helper]
) -> None:
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 1000)  # "large", for a quick test
    chat = _chat(tmp_path / "WhatsApp Chat with Sam.txt", 1500)
    with Vault.create(str(tmp_path / "vault"), PASSPHRASE, work_factor=WEAK) as vault:
        result = import_file(vault, chat, UTC)
    assert (result.added, len(recording)) == (1500, 1)


IMPORTER = """
import os, sys
from pathlib import Path
from ally.evidence import detecting
from ally.evidence.pipeline import import_file
from ally.evidence.importers import ImportOptions
from ally.vault import Vault
import datetime as dt

class Saying(detecting.Helper):
    def __init__(self, *args):
        super().__init__(*args)
        os.write(1, f"HELPER {self.process.pid}\\n".encode())

detecting.Helper = Saying
vault = Vault.open(sys.argv[1], sys.argv[2])
import_file(vault, Path(sys.argv[3]), ImportOptions(timezone=dt.UTC), parallel=True,
            progress=lambda done, total: os.write(1, f"PROGRESS {done}\\n".encode()))
os.write(1, b"DONE\\n")
"""


def _ended(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # a zombie has ended; only its parent's reaper is missing


def test_the_helper_ends_when_the_import_is_killed(tmp_path: Path) -> None:
    location = str(tmp_path / "vault")
    Vault.create(location, PASSPHRASE, work_factor=WEAK).close()
    path = write_chat(tmp_path / "WhatsApp Chat with Sam.txt", 3000)
    process = subprocess.Popen(
        [sys.executable, "-c", IMPORTER, location, PASSPHRASE, str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    helper = 0
    while line := process.stdout.readline().strip():
        if line.startswith("HELPER "):
            helper = int(line.split()[1])
        if line == "PROGRESS 1000" or line == "DONE":
            break
    assert helper and line == "PROGRESS 1000"
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 60
    while not _ended(helper) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _ended(helper), "the helper outlived the import"
    with Vault.open(location, PASSPHRASE) as vault:  # and the vault holds none of it
        assert vault.entries(kind=EXPORT_KIND) == [] and vault.verify().ok
