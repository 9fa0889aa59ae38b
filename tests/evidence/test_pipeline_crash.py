"""An import killed with SIGKILL leaves all of its messages or none, and the vault verifies.

Each round imports a different chat in a subprocess and kills it at a random moment: while
it checks the file, while it writes (after some progress report), or while it commits. The
vault, which already holds earlier rounds' chats, must then hold none or all of that chat's
messages, still verify, and still hold every earlier chat whole; running the import again
completes it. Runs on SQLite and on real PostgreSQL (fixture ``vault`` in test_pipeline).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ally.evidence.pipeline import EXPORT_KIND, import_file
from ally.evidence.review import stored_messages
from ally.vault import Vault

from .test_pipeline import PASSPHRASE, UTC, write_chat
from .test_pipeline import vault as vault  # the fixture: SQLite and PostgreSQL

COUNT = 1500
IMPORTER = """
import datetime as dt, os, sys, time
from pathlib import Path
from ally.evidence.importers import ImportOptions
from ally.evidence.pipeline import import_file
from ally.vault import Vault

def say(text):
    os.write(1, (text + "\\n").encode())

def report(done, total):
    say(f"PROGRESS {done}")
    if f"PROGRESS {done}" == sys.argv[4]:
        time.sleep(600)  # held here until the test kills it, however busy the machine is

vault = Vault.open(sys.argv[1], sys.argv[2])
say("STARTED")
result = import_file(vault, Path(sys.argv[3]), ImportOptions(timezone=dt.UTC), progress=report)
say(f"DONE {result.added}")
"""


def count(vault: Vault, chat: str) -> int:
    return sum(m.message.conversation == chat for m in stored_messages(vault))


def run_and_kill(
    location: str, path: Path, when: str, rng: random.Random, hold: bool = True
) -> list[str]:
    """Start an import, kill it at ``when`` (a line it prints, or 'checking'); its output.

    With ``hold``, the import waits after printing ``when`` until it is killed: on a busy
    machine it could otherwise finish the last messages and commit before the kill came (the
    second progress moment is 1400 of 1500 messages)."""
    process = subprocess.Popen(
        [sys.executable, "-c", IMPORTER, location, PASSPHRASE, str(path), when if hold else ""],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    seen: list[str] = []
    while line := process.stdout.readline().strip():
        seen.append(line)
        if when == "checking" and line == "STARTED":
            time.sleep(rng.uniform(0, 0.05))  # within the first pass (it takes ~0.1 s)
            break
        if line == when or line.startswith("DONE"):
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    return seen


@pytest.mark.slow
def test_kill_minus_nine_leaves_all_or_none_of_an_import(vault: Vault, tmp_path: Path) -> None:
    rng = random.Random(11)
    location = vault.store.db.url
    whole: list[str] = []
    moments = [
        "checking",
        f"PROGRESS {200 * rng.randint(1, 3)}",  # reports come every 200 messages
        f"PROGRESS {200 * rng.randint(4, 7)}",
        f"PROGRESS {COUNT}",  # the last report: the kill lands in the commit, or just after
    ]
    for round_no, moment in enumerate(moments):
        chat = f"Chat {round_no}"
        name = tmp_path / f"r{round_no}" / f"WhatsApp Chat with {chat}.txt"
        path = write_chat(name, COUNT, start=round_no * COUNT)  # a different file each round
        # The last report is not held: the kill lands in the commit, or just after.
        seen = run_and_kill(location, path, moment, rng, hold=moment != f"PROGRESS {COUNT}")
        found = count(vault, chat)
        assert found in (0, COUNT), f"{moment}: {found} of {COUNT} messages were kept"
        if moment != f"PROGRESS {COUNT}":
            assert found == 0 and not any(s.startswith("DONE") for s in seen), moment
        if any(s.startswith("DONE") for s in seen):
            assert found == COUNT
        exports = len(vault.entries(kind=EXPORT_KIND))
        assert exports == len(whole) + (found == COUNT)  # the original is kept with them
        report = vault.verify()
        assert report.ok, f"{moment}: {report.first_problem}"
        assert all(count(vault, earlier) == COUNT for earlier in whole)
        again = import_file(vault, path, UTC)  # running it again completes it
        assert again.added == COUNT - found and count(vault, chat) == COUNT
        whole.append(chat)
    assert vault.verify().ok
