"""Importer figures: parse speed and peak memory on a generated 1,000,000-message WhatsApp export.

Run: .venv/bin/python benchmarks/importers.py [--messages 1000000] [--keep FILE]
(needs the ``bench`` extra for whatstk: ``pip install -e '.[bench]'``.)

The reference is whatstk (``WhatsAppChat.from_source``), run on the same file in the same run.
Each parser runs in its own fresh subprocess so that its peak memory (max RSS, read from the
operating system with ``wait4``) is its own. Ally's side includes everything an import does
before storing: hashing the file, detecting the format and date order, and building every
normalized Message with its provenance.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENDERS = ["Sam", "Alex Morgan", "+1 555 010 2030", "Jordan", "Kim Lee"]
VOCABULARY = (
    "hey are you there I told you to stop texting me this is the last time please leave me alone "
    "where were you last night why did you not answer call me now ok fine see you tomorrow 😂 🙏"
)
ALLY = """
import sys, time
from pathlib import Path
from ally.evidence.importers import open_export
start = time.perf_counter()
count = sum(1 for _ in open_export(Path(sys.argv[1])).messages())
print(count, time.perf_counter() - start)
"""
WHATSTK = """
import sys, time
from whatstk import WhatsAppChat
start = time.perf_counter()
chat = WhatsAppChat.from_source(filepath=sys.argv[1], hformat="%m/%d/%y, %I:%M %p - %name:", max_size=None)
print(len(chat.df), time.perf_counter() - start)
"""


def generate(path: Path, messages: int, seed: int = 20261125) -> None:
    """An en-US Android export (M/D/YY, 12-hour clock) with multi-line messages and media."""
    rng = random.Random(seed)
    words = VOCABULARY.split()
    when = dt.datetime(2019, 1, 1, 8, 0)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(
            f"{when:%-m/%-d/%y}, {when:%-I:%M %p} - Messages and calls are end-to-end encrypted.\n"
        )
        for _ in range(messages - 1):
            when += dt.timedelta(seconds=rng.randint(5, 90))
            header = f"{when:%-m/%-d/%y}, {when:%-I:%M %p} - {rng.choice(SENDERS)}: "
            roll = rng.random()
            if roll < 0.02:
                body = "<Media omitted>"
            elif roll < 0.10:
                body = " ".join(rng.choices(words, k=6)) + "\n" + " ".join(rng.choices(words, k=4))
            else:
                body = " ".join(rng.choices(words, k=rng.randint(2, 14)))
            out.write(header + body + "\n")


def measure(script: str, path: Path) -> tuple[int, float, float, float]:
    """(messages, wall seconds, CPU seconds, peak MiB) for one parser in a fresh subprocess.

    CPU time (user + system, from the kernel) is the fairer speed figure on a shared machine:
    it does not grow when other jobs take the cores."""
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"parser failed with exit code {process.returncode}")
    count, seconds = output.split()
    return int(count), float(seconds), usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def report(name: str, figures: tuple[int, float, float, float]) -> None:
    count, wall, cpu, peak = figures
    print(f"{name:8} {count:>9,} {wall:7.1f} {cpu:6.1f} {count / cpu:>10,.0f} {peak:8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the generated export here and keep it")
    parser.add_argument("--skip-reference", action="store_true", help="measure Ally only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "WhatsApp Chat with Sam.txt"
        generate(path, args.messages)
        size = path.stat().st_size / 2**20
        print(f"export: {args.messages:,} messages, {size:.0f} MiB")
        print(
            f"{'parser':8} {'messages':>9} {'wall s':>7} {'cpu s':>6} {'msg/cpu-s':>10} {'peak MiB':>8}"
        )
        ally = measure(ALLY, path)
        report("ally", ally)
        if args.skip_reference:
            return
        ref = measure(WHATSTK, path)
        report("whatstk", ref)
        print(
            f"ally: {ref[2] / ally[2]:.1f}x whatstk's speed in CPU time "
            f"({ref[1] / ally[1]:.1f}x in wall time); "
            f"peak memory {ally[3]:.0f} MiB against {ref[3]:.0f} MiB (targets: >= 5x, < 100 MiB)"
        )
        started = time.strftime("%Y-%m-%d")
        print(f"measured {started}")


if __name__ == "__main__":
    main()
