"""Import figures: time and peak memory to import a generated WhatsApp export into a SQLite vault.

Run: .venv/bin/python benchmarks/import_vault.py [--messages 100000]

The export is the one benchmarks/importers.py generates (en-US Android, multi-line messages,
media placeholders). Each measurement runs in its own fresh subprocess, which reports its own
CPU time and peak memory (``VmHWM``, the high-water mark of its resident memory, read in the
process itself: ``ru_maxrss`` would include what the parent held when it forked):

* ``import``     ``ally.evidence.pipeline.import_file`` into a new vault, as the app runs it:
                 both passes (check, then one transaction), detection (in a helper process
                 when the import is large and the computer has a second core), encryption,
                 the original file kept.
* ``serial``     the same with detection in the importing process (``parallel=False``).
* ``no detect``  the same with a detector that scores nothing: what the vault side costs.
* ``again``      importing the same export a second time (adds nothing, writes nothing).
* ``reference``  the same number of bare ``INSERT``s into a fresh SQLite database (same
                 settings as a vault: WAL, synchronous=FULL), in one transaction, each row a
                 random blob as large as what the vault stores for one message (encrypted
                 entry + chain record + lookup digest), measured on the vault just made.

CPU time counts the helper process too (``helper cpu``; ``RUSAGE_CHILDREN``, read after the
helper has ended). ``msg/s`` is wall-clock throughput, ``msg/cpu-s`` messages per CPU second of
all processes. Ratios are against the reference, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from importers import generate  # the same export the parse benchmark uses

COMMON = """
import json, os, resource, sys, time
from pathlib import Path

def peak_mib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0

def cpu(who=resource.RUSAGE_SELF):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
"""
IMPORT = (
    COMMON
    + """
import datetime as dt
from ally.evidence.detect import Assessment, Detector
from ally.evidence.importers import ImportOptions
from ally.evidence.pipeline import import_file
from ally.vault import Vault

class NoDetector(Detector):
    def __init__(self): pass
    def assess(self, text): return Assessment(())

export, location, mode = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
options = ImportOptions(timezone=dt.UTC)
if mode != "again":
    Vault.create(location, "benchmark passphrase", work_factor=10).close()
vault = Vault.open(location, "benchmark passphrase")
detector = NoDetector() if mode == "nodetect" else None  # None: loaded as the app does
parallel = False if mode == "serial" else None
before, cpu0, start = peak_mib(), cpu(), time.perf_counter()
helper0 = cpu(resource.RUSAGE_CHILDREN)
result = import_file(vault, export, options, detector=detector, parallel=parallel)
wall, used = time.perf_counter() - start, cpu() - cpu0
helper = cpu(resource.RUSAGE_CHILDREN) - helper0
query = vault.store.db.query
content = query("SELECT sum(length(data)) FROM vault_chunks WHERE blob LIKE '%:content'")[0][0]
chain = query("SELECT sum(length(record) + length(hash)) FROM vault_records")[0][0]
lookups = query("SELECT sum(length(digest) + length(entry)) FROM vault_lookup")[0][0]
vault.close()
per_message = (content + chain + lookups) / max(result.added, 1)
print(json.dumps({"read": result.read, "added": result.added, "wall": wall,
                  "cpu": used + helper, "helper": helper, "peak": peak_mib(), "base": before,
                  "per_message": per_message}))
"""
)
REFERENCE = (
    COMMON
    + """
import sqlite3
path, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
before, cpu0, start = peak_mib(), cpu(), time.perf_counter()
db.execute("BEGIN IMMEDIATE")
for i in range(count):
    db.execute("INSERT INTO t (id, data) VALUES (?, ?)", (i, os.urandom(size)))
db.execute("COMMIT")
wall, used = time.perf_counter() - start, cpu() - cpu0
print(json.dumps({"read": count, "added": count, "wall": wall, "cpu": used, "helper": 0.0,
                  "peak": peak_mib(), "base": before, "per_message": size}))
"""
)


def run(script: str, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"measurement failed:\n{done.stderr[-2000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def line(name: str, f: dict[str, float], ref: dict[str, float] | None) -> None:
    ratio = f"{f['wall'] / ref['wall']:6.1f}x {f['cpu'] / ref['cpu']:6.1f}x" if ref else ""
    print(
        f"{name:10} {f['read']:>9,.0f} {f['added']:>9,.0f} {f['wall']:7.1f} {f['cpu']:6.1f} "
        f"{f['helper']:6.1f} {f['read'] / f['wall']:>8,.0f} {f['read'] / f['cpu']:>9,.0f} "
        f"{f['peak']:6.0f} {f['peak'] - f['base']:6.0f}  {ratio}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--skip-nodetect", action="store_true", help="leave out 'no detect'")
    parser.add_argument("--skip-serial", action="store_true", help="leave out 'serial'")
    args = parser.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        export = root / "WhatsApp Chat with Sam.txt"
        generate(export, args.messages)
        print(f"export: {args.messages:,} messages, {export.stat().st_size / 2**20:.0f} MiB")
        full = run(IMPORT, str(export), str(root / "vault"), "full")
        again = run(IMPORT, str(export), str(root / "vault"), "again")
        serial = None if args.skip_serial else run(IMPORT, str(export), str(root / "v3"), "serial")
        bare = (
            None if args.skip_nodetect else run(IMPORT, str(export), str(root / "v2"), "nodetect")
        )
        size = round(full["per_message"])
        ref = run(REFERENCE, str(root / "reference.db"), str(args.messages), str(size))
        print(
            f"{'run':10} {'messages':>9} {'added':>9} {'wall s':>7} {'cpu s':>6} {'helper':>6} "
            f"{'msg/s':>8} {'msg/cpu-s':>9} {'peak':>6} {'growth':>6}  "
            "ratio to reference (wall, cpu); memory in MiB"
        )
        line("reference", ref, None)
        line("import", full, ref)
        if serial is not None:
            line("serial", serial, ref)
        if bare is not None:
            line("no detect", bare, ref)
        line("again", again, ref)
        print(f"bytes stored per message: {size}; measured {time.strftime('%Y-%m-%d')}")
        print(
            f"load average (1, 5, 15 min) at the start: {' '.join(f'{x:.1f}' for x in load)}; "
            f"at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
        )


if __name__ == "__main__":
    main()
