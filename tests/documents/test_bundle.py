"""The evidence bundle from a real vault (SQLite and PostgreSQL): written in one step, checked
by `ally vault verify` (the vault's own bundle format), by `sha256sum -c`, by the stock `age`
tool, and by `ally report --check`, which also ties each plain exhibit to the chain."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from ally.documents.bundle import BundleError, verify_bundle, write_bundle
from ally.documents.casefile import build_casefile
from ally.vault import Vault
from ally.vault import verify_bundle as verify_journal

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def make(vault: Vault, target: Path, formats: tuple[str, ...] = ("md",)) -> None:
    case = build_casefile(vault, zone=dt.UTC, now=NOW)
    write_bundle(case, vault, target, formats=formats, journal=vault)


def test_bundle_verifies_everywhere(vault: Vault, tmp_path: Path) -> None:
    target = tmp_path / "evidence"
    make(vault, target, ("pdf", "docx", "md"))
    names = sorted(p.name for p in target.iterdir())
    assert names == [
        "EVIDENCE-README.txt",
        "README.txt",
        "SHA256SUMS",
        "bundle-key.txt",
        "evidence.json",
        "exhibits",
        "files",
        "manifest.json",
        "report.docx",
        "report.md",
        "report.pdf",
    ]
    assert verify_journal(target).ok, "the vault's own check accepts it"
    check = verify_bundle(target)
    assert check.ok, check.problems
    assert check.journal_checked and check.copies_checked == 3 and check.files == 6
    assert check.head_code == vault.head_code()
    sums = subprocess.run(
        [shutil.which("sha256sum") or "sha256sum", "-c", "SHA256SUMS"],
        cwd=target,
        check=True,
        capture_output=True,
    )
    assert sums.stdout.count(b": OK") == 6
    assert not list(tmp_path.glob(".ally-evidence-*")), "no staging folder left behind"


def test_stock_age_opens_the_journal_copy(vault: Vault, tmp_path: Path) -> None:
    age = shutil.which("age")
    assert age, "the age tool is required (Debian package age)"
    target = tmp_path / "evidence"
    make(vault, target)
    manifest = json.loads((target / "evidence.json").read_text())
    for exhibit in manifest["exhibits"]:
        plain = subprocess.run(
            [
                age,
                "-d",
                "-i",
                str(target / "bundle-key.txt"),
                str(target / exhibit["journal_file"]),
            ],
            check=True,
            capture_output=True,
        ).stdout
        assert plain == (target / exhibit["path"]).read_bytes()


def test_the_key_opens_only_the_reported_entries(vault: Vault, tmp_path: Path) -> None:
    target = tmp_path / "evidence"
    make(vault, target)
    journal = json.loads((target / "manifest.json").read_text())
    stored = {Path(info["path"]).name.split("-")[0] for info in journal["files"].values()}
    note = next(e for e in vault.entries() if e.kind == "note")
    assert f"{note.seq:06d}" not in stored, "notes left out of the report stay out of the bundle"
    assert journal["kind"] == "shared" and "key" not in json.dumps(journal["files"])


@pytest.mark.parametrize("damage", ["exhibit", "report", "journal-file", "key", "traversal"])
def test_damage_is_found(vault: Vault, tmp_path: Path, damage: str) -> None:
    target = tmp_path / "evidence"
    make(vault, target)
    manifest_path = target / "evidence.json"
    manifest = json.loads(manifest_path.read_text())
    first = manifest["exhibits"][0]
    if damage == "exhibit":
        path = target / first["path"]
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 1
        path.write_bytes(bytes(data))
    elif damage == "report":
        (target / "report.md").write_text("changed", encoding="utf-8")
    elif damage == "journal-file":
        path = target / first["journal_file"]
        data = bytearray(path.read_bytes())
        data[-5] ^= 1
        path.write_bytes(bytes(data))
    elif damage == "key":
        (target / "bundle-key.txt").write_text("not a key\n", encoding="utf-8")
    else:
        first["path"] = "../../etc/passwd"
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    check = verify_bundle(target)
    assert not check.ok
    assert check.problems


def test_existing_target_is_never_touched(vault: Vault, tmp_path: Path) -> None:
    target = tmp_path / "evidence"
    target.mkdir()
    (target / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(BundleError):
        make(vault, target)
    assert [p.name for p in target.iterdir()] == ["mine.txt"]


def test_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(BundleError):
        verify_bundle(tmp_path)
    (tmp_path / "evidence.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(BundleError):
        verify_bundle(tmp_path)


def test_the_bundle_key_is_private_and_called_a_secret(vault: Vault, tmp_path: Path) -> None:
    old = os.umask(0o022)  # a person's usual umask would make new files readable by all
    try:
        make(vault, tmp_path / "evidence")
    finally:
        os.umask(old)
    target = tmp_path / "evidence"
    assert stat.S_IMODE((target / "bundle-key.txt").stat().st_mode) == 0o600
    assert stat.S_IMODE((target / "report.md").stat().st_mode) == 0o644  # the rest: as asked
    readme = (target / "EVIDENCE-README.txt").read_text(encoding="utf-8")
    assert "bundle-key.txt                       SECRET KEY" in readme
    assert "bundle-key.txt is a secret. Anyone who has it can read" in readme
    assert "Give it only to the people you give the report to" in readme


def test_a_bundle_without_the_journal_has_no_key_and_no_secret_warning(
    vault: Vault, tmp_path: Path
) -> None:
    case = build_casefile(vault, zone=dt.UTC, now=NOW)
    write_bundle(case, vault, tmp_path / "plain", formats=("md",), journal=None)
    readme = (tmp_path / "plain" / "EVIDENCE-README.txt").read_text(encoding="utf-8")
    assert not (tmp_path / "plain" / "bundle-key.txt").exists()
    assert "secret" not in readme.lower() and "ally report --check plain" in readme
