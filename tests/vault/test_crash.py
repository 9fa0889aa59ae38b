"""Crash safety: a writer killed with SIGKILL at random points never loses an acknowledged entry.

A fork server (crash_writer.py) forks a writer per round; the test kills it at a random moment
— mid-transaction, mid-attachment, between writes — at least 200 times per backend, and after
every kill opens the vault, verifies it, and reads back everything acknowledged so far.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ally.vault import Vault

from .conftest import PASSPHRASE, WEAK

KILLS = int(os.environ.get("VAULT_CRASH_KILLS", "200"))
HELPER = Path(__file__).with_name("crash_writer.py")
Ack = tuple[str, str, str]


class Server:
    def __init__(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, str(HELPER), PASSPHRASE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def line(self) -> str:
        assert self.proc.stdout is not None
        text = self.proc.stdout.readline()
        assert text, "the crash-test fork server died"
        return text.rstrip("\n")

    def round(self, location: str, seed: int, wait_acks: int, rng: random.Random) -> list[Ack]:
        """Start a writer, kill it at a random moment, return what it acknowledged.

        The kill comes after ``wait_acks`` acknowledgements plus a random fraction of the time
        one write takes, so it lands anywhere inside a write however slow the disk is today.
        """
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{location}\t{seed}\n")
        self.proc.stdin.flush()
        acks: list[Ack] = []
        pid = None
        seen: list[float] = []
        while pid is None or len(acks) < wait_acks:
            line = self.line()
            if line.startswith("PID "):
                pid = int(line.split()[1])
                continue
            kind, rid, digest = line.split()[1:4]
            acks.append((kind, rid, digest))
            seen.append(time.monotonic())
        interval = seen[-1] - seen[-2] if len(seen) >= 2 else 0.03
        time.sleep(rng.uniform(0, interval * 1.2))
        os.kill(pid, signal.SIGKILL)
        while (line := self.line()) != f"EXIT {pid}":
            kind, rid, digest = line.split()[1:4]
            acks.append((kind, rid, digest))
        return acks

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def check(vault: Vault, kind: str, rid: str, digest: str) -> None:
    if kind == "note":
        text = vault.entry(rid).note().text
        assert hashlib.sha256(text.encode()).hexdigest() == digest
    else:
        data = b"".join(vault.read_attachment(rid))
        assert hashlib.sha256(data).hexdigest() == digest


@pytest.mark.slow
def test_kill_minus_nine_never_loses_an_acknowledged_entry(location: str) -> None:
    Vault.create(location, PASSPHRASE, work_factor=WEAK).close()
    rng = random.Random(4)
    server = Server()
    acknowledged: list[Ack] = []
    try:
        for round_no in range(KILLS):
            acks = server.round(location, round_no, rng.choice([0, 2, 2, 3]), rng)
            acknowledged += acks
            with Vault.open(location, PASSPHRASE) as vault:
                report = vault.verify()
                assert report.ok, f"round {round_no}: {report.first_problem}"
                for ack in acks:
                    check(vault, *ack)
    finally:
        server.close()
    with Vault.open(location, PASSPHRASE) as vault:
        for ack in acknowledged:
            check(vault, *ack)
    assert len(acknowledged) >= KILLS  # the writers did get work done between kills
