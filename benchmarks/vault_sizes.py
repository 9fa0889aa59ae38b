"""Bytes a vault stores per journal entry and per attachment, for sizing (docs/scale.md).

Run: .venv/bin/python benchmarks/vault_sizes.py [--entries 1000] [--attachment-kb 1024]

Creates a throwaway vault, records ``--entries`` incidents of a typical length (about 400
characters of the person's words, a place, two people, a tag) and one attachment, and reports
the growth of the vault's files per entry and the attachment's stored size against its
plaintext size. Plaintext sizes are printed alongside, so the encryption and chaining
overhead is visible.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import tempfile
from pathlib import Path

from ally.model.journal import Incident, IncidentTime
from ally.vault import Vault

WHAT = (
    "He sent three messages to my work phone after I asked him to stop, saying he knew which "
    "bus I take and that he would be waiting. I saved screenshots. My manager saw the last one "
    "and said I should report it. I felt scared to leave the building alone and asked a "
    "colleague to walk me to the stop. This is the fourth time this month."
)


def footprint(location: Path) -> int:
    """Bytes on disk of every file of the vault (database, WAL, keys)."""
    return sum(path.stat().st_size for path in location.rglob("*") if path.is_file())


def incident(number: int) -> Incident:
    when = IncidentTime(
        start=dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC) + dt.timedelta(hours=number)
    )
    return Incident(
        when=when, what=WHAT, where="Office, 3rd floor", who=["J. Doe"], witnesses=["A. Colleague"],
        tags=["messages"],
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--attachment-kb", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        location = Path(work) / "vault"
        Vault.create(location, "sizing passphrase", work_factor=10).close()
        empty = footprint(location)
        plain = len(incident(0).model_dump_json())
        vault = Vault.open(location, "sizing passphrase")
        for number in range(args.entries):
            vault.add_incident(incident(number))
        vault.close()
        vault = Vault.open(location, "sizing passphrase")
        with_entries = footprint(location)
        data = os.urandom(args.attachment_kb * 1024)  # photos and videos do not compress
        entry = vault.add_note("attachment holder")
        vault.close()
        before = footprint(location)
        vault = Vault.open(location, "sizing passphrase")
        vault.attach(entry.id, io.BytesIO(data), "photo.jpg", "image/jpeg")
        vault.close()
        after = footprint(location)
    per_entry = (with_entries - empty) / args.entries
    print(f"empty vault on disk:           {empty:,} bytes")
    print(f"incident, plaintext JSON:      {plain:,} bytes")
    print(f"incident, stored (per entry):  {per_entry:,.0f} bytes ({args.entries:,} entries)")
    print(f"attachment, plaintext:         {len(data):,} bytes")
    print(f"attachment, stored:            {after - before:,} bytes ")


if __name__ == "__main__":
    main()
