"""Memory and answers under a flood of wrong journal unlocks, against one unlock alone.

Run: .venv/bin/python benchmarks/unlock_flood.py [--flood 50] [--concurrency 2] [--reference-concurrency 8]

Each run starts ``ally serve`` in its own process over a journal locked with the real work
factor (scrypt 2^18: 256 MiB and about a second per try), so the process's peak resident
memory (VmHWM) is exactly what the unlocks cost. Measured in the same run:

* ``one``: a single wrong unlock (the reference: one scrypt derivation plus the app);
* ``flood``: ``--flood`` concurrent wrong unlocks, each from its own session, with the
  default gate (``--concurrency``, 2) — the issue's target is under 1 GB with every request
  answered;
* ``unthrottled``: the same flood with the gate opened to ``--reference-concurrency``
  derivations at once (8 by default, what took an unthrottled server to 2.3 GB). Opening it
  to 50 would need about 13 GB, which this shared machine does not have.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx2 as httpx

from ally.vault import Vault

PASSPHRASE = "lantern orbit pepper quietly"
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field}")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run(home: Path, guesses: int, concurrency: int) -> tuple[float, float, Counter[int]]:
    """Peak RSS (MiB), seconds until every answer came, and the answers' status codes."""
    port = _free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update(ALLY_HOME=str(home), ALLY_DATABASE_URL=str(home / f"web-{port}.db"))
    command = [sys.executable, "-m", "ally.cli.main", "serve", "--port", str(port)]
    command += ["--unlock-concurrency", str(concurrency)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=environ)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(url + "/", timeout=5)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        clients = [httpx.Client(base_url=url, timeout=600) for _ in range(guesses)]
        tokens = [_CSRF.findall(client.get("/journal").text)[0] for client in clients]
        statuses: Counter[int] = Counter()
        lock = threading.Lock()
        barrier = threading.Barrier(guesses)

        def guess(client: httpx.Client, token: str) -> None:
            barrier.wait()
            status = client.post(
                "/journal/unlock", data={"csrf": token, "passphrase": "a wrong guess"}
            ).status_code
            with lock:
                statuses[status] += 1

        threads = [
            threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens, strict=True)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        peak = 0
        while any(thread.is_alive() for thread in threads):
            peak = max(peak, _kib(process.pid, "VmRSS"))
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        peak = max(peak, _kib(process.pid, "VmHWM"))
        for client in clients:
            client.close()
        return peak / 1024, elapsed, statuses
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--reference-concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        Vault.create(home / "vaults" / "default", PASSPHRASE).close()
        one = run(home, 1, args.concurrency)
        flood = run(home, args.flood, args.concurrency)
        wide = run(home, args.reference_concurrency, args.reference_concurrency)
    print(
        f"{'run':<12} {'guesses':>7} {'gate':>4} {'peak MiB':>9} {'x one':>6} {'seconds':>8}  answers"
    )
    for name, guesses, gate, (peak, seconds, statuses) in (
        ("one", 1, args.concurrency, one),
        ("flood", args.flood, args.concurrency, flood),
        ("unthrottled", args.reference_concurrency, args.reference_concurrency, wide),
    ):
        answers = ", ".join(f"{count}x{status}" for status, count in sorted(statuses.items()))
        print(
            f"{name:<12} {guesses:>7} {gate:>4} {peak:>9.0f} {peak / one[0]:>6.2f} "
            f"{seconds:>8.1f}  {answers}"
        )
    answered = sum(flood[2].values())
    verdict = "met" if flood[0] < 1024 and answered == args.flood else "MISSED"
    print(
        f"\ntarget (flood of {args.flood}: peak under 1024 MiB, every request answered): {verdict}"
        f" ({flood[0]:.0f} MiB, {answered}/{args.flood} answered)"
    )


if __name__ == "__main__":
    main()
