"""Tests never leave files in the checkout (see tests/conftest.py for the run-wide check)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import ROOT, new_files, untracked_files


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_nothing_a_test_made_is_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert len(tracked) > 100  # the real listing, not an empty one
    stray = [
        name
        for name in tracked
        if name.startswith("file:") or "pytest-of-" in name or "/tmp/" in name
    ]
    assert stray == []


def test_the_guard_sees_a_new_file_but_not_an_ignored_one(tmp_path: Path) -> None:
    git(tmp_path, "init", "--quiet")
    (tmp_path / ".gitignore").write_text("test-artifacts/\n")
    (tmp_path / "kept.txt").write_text("already here\n")
    before = untracked_files(tmp_path)
    assert before == frozenset({".gitignore", "kept.txt"})
    (tmp_path / "test-artifacts").mkdir()
    (tmp_path / "test-artifacts" / "page.png").write_bytes(b"png")
    stray = tmp_path / "file:" / "tmp" / "ro.sqlite3?mode=ro"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"")
    assert new_files(before, untracked_files(tmp_path)) == ["file:/tmp/ro.sqlite3?mode=ro"]


def test_outside_a_checkout_there_is_nothing_to_compare(tmp_path: Path) -> None:
    assert untracked_files(tmp_path / "missing") is None
    assert new_files(None, frozenset({"a"})) == []
