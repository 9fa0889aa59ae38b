"""THIRD_PARTY.md names every data file Ally ships and every vendored test fixture, with the
licence and origin; a new one without a row fails here instead of shipping unlisted."""

from __future__ import annotations

import fnmatch
import gzip
import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "THIRD_PARTY.md").read_text(encoding="utf-8")
NAMED = re.findall(r"`((?:src|tests|benchmarks)/[^`\s]+)`", TEXT)
"""Every path the file names (folders end with /, patterns may use *)."""


def tracked(prefix: str) -> list[str]:
    done = subprocess.run(
        ["git", "ls-files", prefix], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def listed(path: str) -> bool:
    return any(
        path.startswith(name) if name.endswith("/") else fnmatch.fnmatch(path, name)
        for name in NAMED
    )


def test_every_shipped_data_file_has_a_row() -> None:
    data = [p for p in tracked("src/ally") if not p.endswith((".py", "py.typed"))]
    assert len(data) > 100  # the packs alone are more: this is the real listing
    assert [p for p in data if not listed(p)] == []


def test_every_vendored_fixture_folder_has_a_row_and_a_readme() -> None:
    folders = sorted({p.split("/")[2] for p in tracked("tests/fixtures") if p.count("/") > 2})
    assert {"age-testkit", "hsds", "whatstk", "vaults", "plugins"} <= set(folders)
    for folder in folders:
        files = tracked(f"tests/fixtures/{folder}")
        assert all(listed(p) for p in files), folder
        readmes = [p for p in files if Path(p).name in ("README.md", "SOURCE.md")]
        assert readmes, f"tests/fixtures/{folder} needs a README or SOURCE.md with its origin"
    assert all(listed(p) for p in tracked("tests/evidence/fixtures"))
    assert all(listed(p) for p in tracked("benchmarks/data"))


def test_third_party_licences_sit_beside_their_files() -> None:
    for folder, licence in [
        ("whatstk", "GNU GENERAL PUBLIC LICENSE"),
        ("hsds", "Attribution-ShareAlike 4.0"),
        ("age-testkit", "Unlicense"),
    ]:
        texts = [
            (ROOT / p).read_text(encoding="utf-8")
            for p in tracked(f"tests/fixtures/{folder}")
            if Path(p).name.startswith("LICENSE")
        ]
        assert len(texts) == 1 and licence in texts[0], folder
        assert f"`tests/fixtures/{folder}/`" in TEXT


def test_the_model_row_says_what_the_model_was_trained_on() -> None:
    with gzip.open(ROOT / "src/ally/evidence/detect/model.json.gz", "rt") as handle:
        trained_on = json.load(handle)["trained_on"]
    assert (
        "Ally's own labelled messages" in trained_on and "benchmarks/data/harassment" in trained_on
    )
    row = next(line for line in TEXT.splitlines() if "model.json.gz" in line)
    assert "Ally's own labelled messages" in row and "No third-party labelled data" in row
    assert row.rstrip().endswith("| AGPL-3.0-or-later, as Ally. |")
