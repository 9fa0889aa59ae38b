"""How long a person waits for "City, ST" or a ZIP code to be found, cold and warm.

    .venv/bin/python benchmarks/geo.py [--repeat 3]

Cold: a fresh Python process imports ``ally.directory.geo`` (timed apart), then times its
first ``resolve_place``, which reads that state's table of ``data/us_names.zip``. Each
cold figure is the median of ``--repeat`` processes. Warm: the same look-ups again in one
process, per look-up. References, measured in the same run and the same way (fresh
processes): reading the raw sources the old look-up scanned (all ZIP codes of ``zipcodes``,
``us_places.tsv.gz``), and the old look-up itself (``tests/directory/geo_reference.py``,
which indexes those sources on its first call).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLACES = ["Pinedale, CA", "Los Angeles, CA", "St. Paul, MN", "Monowi, Nebraska", "93721"]
COLD = """
import sys, time
start = time.perf_counter()
{imports}
imported = time.perf_counter()
{call}
done = time.perf_counter()
print(imported - start, done - imported)
"""
NEW = ("from ally.directory.geo import resolve_place", "resolve_place({text!r})")
OLD = ("from tests.directory.geo_reference import resolve_place", "resolve_place({text!r})")
RAW_ZIPS = ("import zipcodes", "zipcodes.list_all()")
RAW_PLACES = (
    "import gzip; from ally.directory.geo import US_PLACES",
    "[line.split('\\t') for line in gzip.open(US_PLACES, 'rt', encoding='utf-8')]",
)


def cold(imports: str, call: str, repeat: int) -> tuple[float, float]:
    """Median import time and median first-call time over fresh processes."""
    code = COLD.format(imports=imports, call=call)
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={"PYTHONPATH": f"{ROOT}:{ROOT / 'src'}", "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        runs.append((float(out[0]), float(out[1])))
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def warm(rounds: int = 2000) -> float:
    """Seconds per look-up once the tables are read (all PLACES, ``rounds`` times)."""
    sys.path[:0] = [str(ROOT / "src")]
    from ally.directory.geo import resolve_place

    for text in PLACES:
        resolve_place(text)
    start = time.perf_counter()
    for _ in range(rounds):
        for text in PLACES:
            resolve_place(text)
    return (time.perf_counter() - start) / (rounds * len(PLACES))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per cold figure")
    args = parser.parse_args()
    print(f"{'what':<44} {'import s':>9} {'first call s':>13}")
    for text in PLACES:
        imports, call = NEW
        print(f"{'new, cold: ' + text:<44} {_row(imports, call.format(text=text), args.repeat)}")
    print(f"{'new, warm: per look-up (us)':<44} {'':>9} {warm() * 1e6:>13.1f}")
    for label, (imports, call) in [
        ("reference: read all ZIP codes (zipcodes)", RAW_ZIPS),
        ("reference: read us_places.tsv.gz", RAW_PLACES),
        (
            "reference: old look-up, cold: Pinedale, CA",
            (OLD[0], OLD[1].format(text="Pinedale, CA")),
        ),
        ("reference: old look-up, cold: Fresno, CA", (OLD[0], OLD[1].format(text="Fresno, CA"))),
    ]:
        print(f"{label:<44} {_row(imports, call, args.repeat)}")
    return 0


def _row(imports: str, call: str, repeat: int) -> str:
    imported, first = cold(imports, call, repeat)
    return f"{imported:>9.3f} {first:>13.3f}"


if __name__ == "__main__":
    sys.exit(main())
