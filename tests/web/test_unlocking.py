"""Unlocking the journal on the web: back-off per session and client, and a bounded flood."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from ally.vault import Vault
from tests.web.conftest import JOURNAL_PASSPHRASE as PASSPHRASE
from tests.web.conftest import Browser, Clock, free_port

ALLY = [sys.executable, "-m", "ally.cli.main"]
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def test_a_session_waits_after_repeated_wrong_passphrases(journal: Browser, clock: Clock) -> None:
    journal.submit("/journal/lock", {})
    for _ in range(4):
        assert journal.post("/journal/unlock", {"passphrase": "a wrong guess"}).status_code == 400
    refused = journal.post("/journal/unlock", {"passphrase": PASSPHRASE})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert "Too many wrong passphrases in a row. Nothing was tried." in refused.text
    assert "Wait 1 second, then try again." in refused.text
    assert "Unlock your journal" in journal.open("/journal").text  # still locked
    clock.advance(1.5)
    assert "Your journal" in journal.submit("/journal/unlock", {"passphrase": PASSPHRASE}).text


def test_the_refusal_speaks_the_persons_language(journal: Browser, clock: Clock) -> None:
    journal.submit("/journal/lock", {})
    journal.submit("/language", {"lang": "es", "next": "/journal"})
    for _ in range(4):
        journal.post("/journal/unlock", {"passphrase": "a wrong guess"})
    refused = journal.post("/journal/unlock", {"passphrase": "a wrong guess"})
    assert refused.status_code == 429
    assert "Demasiadas frases de contraseña incorrectas seguidas." in refused.text


def _rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """`ally serve` in its own process over a journal locked with the real work factor."""
    Vault.create(tmp_path / "vaults" / "default", PASSPHRASE).close()
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update(ALLY_HOME=str(tmp_path), ALLY_DATABASE_URL=str(tmp_path / "web.db"))
    process = subprocess.Popen(
        [*ALLY, "serve", "--port", str(port), "--unlock-concurrency", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=environ,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # from the start of the process, imports included
    try:
        while True:
            try:
                httpx.get(url + "/", timeout=60)  # the first page loads the packs: can be slow
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "ally serve did not start"
                time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=60)


@pytest.mark.slow
def test_fifty_concurrent_wrong_unlocks_keep_memory_bounded_and_all_get_an_answer(
    served: tuple[str, int],
) -> None:
    url, pid = served
    clients = [httpx.Client(base_url=url, timeout=120) for _ in range(50)]
    tokens = []
    for client in clients:
        found = _CSRF.search(client.get("/journal").text)
        assert found
        tokens.append(found.group(1))
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(50)

    def guess(client: httpx.Client, token: str) -> None:
        start.wait()
        data = {"csrf": token, "passphrase": "a wrong guess"}
        response = client.post("/journal/unlock", data=data)
        with lock:
            statuses.append(response.status_code)

    peak = 0
    threads = [
        threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        peak = max(peak, _rss_kib(pid, "VmRSS"))
        time.sleep(0.02)
    high_water = _rss_kib(pid, "VmHWM")
    for client in clients:
        client.close()
    assert len(statuses) == 50, statuses
    assert set(statuses) <= {400, 429, 503}, statuses
    assert statuses.count(400) >= 2  # some were really tried
    highest = max(peak, high_water)  # the kernel's high-water mark can lag a sample
    assert highest < 1024 * 1024, f"peak RSS {highest / 1024:.0f} MiB"
    assert httpx.get(url + "/", timeout=60).status_code == 200  # still serving pages
