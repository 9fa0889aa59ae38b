"""Search and review over imported messages, after unlock: p95 of a query, and a reference.

Run: .venv/bin/python benchmarks/search.py [--messages 100000] [--rounds 20]

A generated WhatsApp export (the one benchmarks/importers.py makes) is imported into a new
SQLite vault. Then the vault is opened (unlocked) and queried through its encrypted search
index (``ally.evidence.index``), as the web app and the CLI do: a text search, a sender
search, a date range, and the review queue (flagged first). Each answer is what a person is
shown: how many messages match, and the first 50 of them (20 for the queue), read from their
pages. The first query after unlock also decrypts every page's index; it is reported on its
own. The reference, in the same run, is the same queries over the same messages held as plain
Python objects (no vault, no decryption, no index): a scan of every message, as Ally did
before the index.

Target (issue 23): p95 < 100 ms a query over 100,000 messages.
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
from ally.evidence.index import MessageIndex, message_index
from ally.evidence.pipeline import import_file
from ally.evidence.review import Reviewed, review_queue, search, stored_messages
from ally.vault import Vault
from importers import generate

PASSPHRASE = "benchmark passphrase"
SHOWN = 50
WEEK = (dt.datetime(2019, 1, 20, tzinfo=dt.UTC), dt.datetime(2019, 1, 27, tzinfo=dt.UTC))
"""A week of the generated chat (it starts on 1 January 2019)."""


class NoDetector(Detector):
    """Scores nothing: the benchmark measures reading and searching, not detection."""

    def __init__(self) -> None:
        pass

    def assess(self, text: str) -> Assessment:
        return Assessment(())


def with_index(index: MessageIndex) -> dict[str, Callable[[], object]]:
    def text() -> object:
        found = index.search(text="night")
        return len(found), found.items(0, SHOWN)

    def sender() -> object:
        found = index.search(sender="sam")
        return len(found), found.items(0, SHOWN)

    def dates() -> object:
        found = index.search(since=WEEK[0], until=WEEK[1])
        return len(found), found.items(0, SHOWN)

    def queue() -> object:
        found = index.queue()
        return len(found), found.items(0, 20)

    return {"text": text, "sender": sender, "dates": dates, "queue": queue}


def held(items: list[Reviewed]) -> dict[str, Callable[[], object]]:
    return {
        "text": lambda: search(items, text="night")[:SHOWN],
        "sender": lambda: search(items, sender="sam")[:SHOWN],
        "dates": lambda: search(items, since=WEEK[0], until=WEEK[1])[:SHOWN],
        "queue": lambda: review_queue(items)[:20],
    }


def timed(rounds: int, actions: dict[str, Callable[[], object]]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(rounds):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - start)
    return times


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, -(-len(times) * 95 // 100) - 1)]


def index_bytes(vault: Vault) -> tuple[int, int]:
    rows = vault.store.db.query(
        "SELECT sum(CASE WHEN blob LIKE '%:index' THEN length(data) ELSE 0 END), "
        "sum(CASE WHEN blob LIKE '%:content' THEN length(data) ELSE 0 END) FROM vault_chunks"
    )
    return int(rows[0][0] or 0), int(rows[0][1] or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        export = root / "WhatsApp Chat with Sam.txt"
        generate(export, args.messages)
        Vault.create(root / "vault", PASSPHRASE, work_factor=10).close()
        with Vault.open(root / "vault", PASSPHRASE) as vault:
            import_file(vault, export, ImportOptions(timezone=dt.UTC), detector=NoDetector())
        with Vault.open(root / "vault", PASSPHRASE) as vault:
            index_size, content_size = index_bytes(vault)
            start = time.perf_counter()
            index = message_index(vault)
            with_index(index)["text"]()
            first_ms = (time.perf_counter() - start) * 1000
            ours = timed(args.rounds, with_index(index))
            count = index.count()
            matches = {name: action()[0] for name, action in with_index(index).items()}  # type: ignore[index]
        messages = stored_messages_held(root)
        reference = timed(max(3, args.rounds // 4), held(messages))
    report(count, args.rounds, first_ms, ours, reference, index_size, content_size, matches)


def stored_messages_held(root: Path) -> list[Reviewed]:
    with Vault.open(root / "vault", PASSPHRASE) as vault:
        return stored_messages(vault)


def report(
    count: int,
    rounds: int,
    first_ms: float,
    ours: dict[str, list[float]],
    reference: dict[str, list[float]],
    index_size: int,
    content_size: int,
    matches: dict[str, int],
) -> None:
    print(f"messages: {count:,}; {rounds} rounds of 4 queries (text, sender, dates, queue)")
    print(
        f"encrypted index at rest: {index_size / 2**20:.1f} MiB "
        f"({index_size / max(1, content_size):.0%} of the pages' {content_size / 2**20:.1f} MiB)"
    )
    print(f"first query after unlock (decrypts every page's index): {first_ms:.0f} ms")
    print("query     matches   p95 ms  median ms   reference p95 ms (scan of messages in memory)")
    everything: list[float] = []
    for name, times in ours.items():
        everything += times
        ref = reference[name]
        print(
            f"{name:8} {matches[name]:8,} {p95(times) * 1000:8.1f} {statistics.median(times) * 1000:10.1f}"
            f" {p95(ref) * 1000:18.1f}"
        )
    verdict = "met" if p95(everything) < 0.1 else "MISSED"
    print(f"all queries: p95 {p95(everything) * 1000:.1f} ms (target < 100 ms: {verdict})")


if __name__ == "__main__":
    main()
