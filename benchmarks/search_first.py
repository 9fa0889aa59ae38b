"""The first search after unlock, with and without the index read ahead (A/B helper).

Run: .venv/bin/python benchmarks/search_first.py VAULT MODE   (MODE: cold or ahead)

VAULT is a vault made with the passphrase "benchmark passphrase" (for instance the one
benchmarks/search.py builds; keep it with a copy of that script). ``cold`` opens it and
searches at once, as ``ally evidence search`` does; ``ahead`` starts reading the index in
the background at unlock (``ally.evidence.index.warm``, as the web app does), waits until
it is ready, gives the person 1 s to reach the search page, then searches. Each prints the
first query's time (a word search showing 50 messages) and, for ``ahead``, unlock to ready.
Alternate the modes (and another checkout's ``cold``) in one run: the machine is shared.
"""

from __future__ import annotations

import sys
import time

from ally.evidence import index as ix
from ally.vault import Vault


def main() -> None:
    where, mode = sys.argv[1], sys.argv[2]
    vault = Vault.open(where, "benchmark passphrase")
    unlocked = time.perf_counter()
    extra = ""
    if mode == "ahead":
        ix.warm(vault, lambda: Vault.open(where, "benchmark passphrase")).join()
        extra = f" unlock->ready {1000 * (time.perf_counter() - unlocked):.0f} ms"
        time.sleep(1.0)  # the person reaches the search page
    start = time.perf_counter()
    found = ix.message_index(vault).search(text="night")
    count = len(found)
    found.items(0, 50)
    first = time.perf_counter() - start
    print(f"{mode}: first query {1000 * first:.0f} ms ({count} matches){extra}")
    vault.close()


if __name__ == "__main__":
    main()
