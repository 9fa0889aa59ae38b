"""Search and review over imported messages, after unlock: p95 of a query, and a reference.

Run: .venv/bin/python benchmarks/search.py [--messages 100000] [--queries 20]

A generated WhatsApp export (the one benchmarks/importers.py makes) is imported into a new
SQLite vault; then, with the vault unlocked, each query reads the stored messages and answers:
a text search, a sender search, a date range, and the review queue (flagged first). The
reference, in the same run, is the same queries over the same messages held as plain Python
objects (no vault, no decryption): the floor for any search in Python.

Target (issue 23): p95 < 100 ms over 100,000 messages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ally.evidence.detect import Assessment, Detector
from ally.evidence.importers import ImportOptions
from ally.evidence.pipeline import import_file
from ally.evidence.review import Reviewed, review_queue, search, stored_messages
from ally.vault import Vault
from importers import generate

PASSPHRASE = "benchmark passphrase"


class NoDetector(Detector):
    """Scores nothing: the benchmark measures reading and searching, not detection."""

    def __init__(self) -> None:
        pass

    def assess(self, text: str) -> Assessment:
        return Assessment(())


def timed(runs: int, action: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, int(len(times) * 0.95) - 1)]


def queries(items: list[Reviewed]) -> None:
    search(items, text="dinner")
    search(items, sender="sam")
    search(
        items,
        since=dt.datetime(2020, 2, 1, tzinfo=dt.UTC),
        until=dt.datetime(2020, 3, 1, tzinfo=dt.UTC),
    )
    review_queue(items)[:20]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        export = root / "WhatsApp Chat with Sam.txt"
        generate(export, args.messages)
        Vault.create(root / "vault", PASSPHRASE, work_factor=10).close()
        with Vault.open(root / "vault", PASSPHRASE) as vault:
            import_file(vault, export, ImportOptions(timezone=dt.UTC), detector=NoDetector())
        with Vault.open(root / "vault", PASSPHRASE) as vault:
            held = stored_messages(vault)
            ours = timed(args.queries, lambda: queries(stored_messages(vault)))
        reference = timed(args.queries, lambda: queries(held))
    print(
        f"messages: {len(held):,}; {args.queries} rounds of 4 queries (text, sender, dates, queue)"
    )
    print(f"reference (messages held in memory): p95 {p95(reference) * 1000:7.1f} ms a round")
    print(
        f"vault (read + decrypt + search):     p95 {p95(ours) * 1000:7.1f} ms a round, "
        f"median {statistics.median(ours) * 1000:.1f} ms; {p95(ours) / p95(reference):.1f}x "
        "the reference (target: p95 < 100 ms a query)"
    )


if __name__ == "__main__":
    main()
