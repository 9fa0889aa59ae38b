"""Helper for test_crash: a fork server whose children write to a vault until killed.

The test starts this once (so Python and Ally are imported once), then for each round sends
``<location>\\t<seed>``; the server forks a writer child, prints ``PID n``, and after the child
dies prints ``EXIT n``. The child prints ``ACK <kind> <id> <sha256>`` only after each call
returned, i.e. after the entry was acknowledged.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import sys

import ally.storage.vault_store as vault_store
import ally.vault.attachments as attachments
from ally.vault import Vault

PASSPHRASE = sys.argv[1]


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def write_forever(location: str, seed: int) -> None:
    rng = random.Random(seed)
    vault = Vault.open(location, PASSPHRASE)
    entry = None
    for i in range(10_000):
        if entry is not None and rng.random() < 0.3:
            data = rng.randbytes(rng.randint(1, 150_000))
            att = vault.attach(entry, io.BytesIO(data), f"f{i}", None)
            say(f"ACK attachment {att.id} {hashlib.sha256(data).hexdigest()}")
        else:
            text = f"note {seed}-{i}"
            added = vault.add_note(text)
            entry = added.id
            say(f"ACK note {added.id} {hashlib.sha256(text.encode()).hexdigest()}")


def main() -> None:
    vault_store.CHUNK_ROW = 64 * 1024  # several committed rows per attachment
    attachments.ROWS_PER_COMMIT = 2
    for line in sys.stdin:
        location, seed = line.rstrip("\n").split("\t")
        pid = os.fork()
        if pid == 0:
            try:
                write_forever(location, int(seed))
            finally:
                os._exit(0)
        say(f"PID {pid}")
        os.waitpid(pid, 0)
        say(f"EXIT {pid}")


if __name__ == "__main__":
    main()
