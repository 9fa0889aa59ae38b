"""The repository stands on its own: a plain clone, with nothing beside it, collects every test.

A person who clones Ally has no ``../shared`` folder (the reference material its developers
use). Every fixture the tests read must live in the repository, so this clones the repository
into an empty temporary folder and collects the whole suite there, and scans the code for
paths that reach outside the checkout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(
    r"""\.\./shared|/work/shared"""
    r"""|["']\.\.["']\s*/\s*["']shared["']"""
    r"""|(\.parent|parents\[\d+\])\s*/\s*["']shared["']"""
)
"""A path into the developers' reference folder beside the checkout, as a string or built with
``/`` from ``..`` or a parent folder."""


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.mark.slow
def test_a_plain_clone_collects_every_test(tmp_path: Path) -> None:
    clone = tmp_path / "empty" / "ally"
    clone.parent.mkdir()
    git("clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone), cwd=tmp_path)
    env = {**os.environ, "PYTHONPATH": str(clone / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, f"collection failed in a plain clone:\n{report[-4000:]}"
    assert "error" not in report.lower().split("collected")[-1], report[-4000:]
    counts = [int(line.rsplit(":", 1)[1]) for line in done.stdout.splitlines() if ".py: " in line]
    assert sum(counts) > 500, f"only {sum(counts)} tests collected:\n{report[-2000:]}"


def test_no_code_reads_outside_the_repository() -> None:
    tracked = git("ls-files", "src", "tests", "benchmarks", cwd=ROOT).splitlines()
    offenders = []
    for name in tracked:
        path = ROOT / name
        if path.suffix not in {".py", ".sh", ".cfg", ".toml", ".ini"} or path == Path(__file__):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert not offenders, "these read the developers' ../shared folder:\n" + "\n".join(offenders)
