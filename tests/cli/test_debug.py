"""``--debug`` / ``ALLY_DEBUG=1``: the chain of causes under an error, and never the person's data.

The journal here is damaged on purpose (one byte of a note's encrypted payload flipped), so
reading it fails with VaultDamagedError caused by the age payload check, caused in turn by
the cipher's authentication failure.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ally import debug
from ally.errors import AllyError
from ally.vault import Vault
from tests.inprocess import run_ally

PASSPHRASE = "debug test passphrase"
SECRET_TEXT = "Maria Lopez followed me to 12 Elm Street"


@pytest.fixture
def damaged_home(tmp_path: Path) -> Path:
    home = tmp_path / "home with a name"
    with Vault.create(home / "vaults" / "default", PASSPHRASE, work_factor=10) as vault:
        note = vault.add_note(SECRET_TEXT)
        number = str(note.seq)
    db = sqlite3.connect(home / "vaults" / "default" / "vault.db")
    with db:
        blob, data = db.execute(
            "SELECT blob, data FROM vault_chunks WHERE blob LIKE ? ORDER BY idx DESC LIMIT 1",
            (f"{note.id}%",),
        ).fetchone()
        flipped = bytes(data[:-3]) + bytes([data[-3] ^ 1]) + bytes(data[-2:])
        db.execute("UPDATE vault_chunks SET data = ? WHERE blob = ?", (flipped, blob))
    db.close()
    (home / "number").write_text(number)
    return home


def run(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update(ALLY_HOME=str(home), ALLY_PASSPHRASE=PASSPHRASE, **env)
    return run_ally(*args, env=environ, cwd=home.parent)  # in this process: tests/inprocess.py


def test_without_debug_only_the_message(damaged_home: Path) -> None:
    number = (damaged_home / "number").read_text()
    result = run(damaged_home, "vault", "show", number)
    assert result.returncode == 1
    assert "modified or is damaged" in result.stderr and "ally vault verify" in result.stderr
    assert "Caused by" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("how", ["--debug", "ALLY_DEBUG=1"])
def test_debug_prints_the_chain_and_no_personal_data(damaged_home: Path, how: str) -> None:
    number = (damaged_home / "number").read_text()
    if how == "--debug":
        result = run(damaged_home, "--debug", "vault", "show", number)
    else:
        result = run(damaged_home, "vault", "show", number, ALLY_DEBUG="1")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Stored data was modified or is damaged")
    causes = [line for line in lines if line.startswith(("Error:", "Caused by:"))]
    assert causes == [
        "Error: ally.vault.errors.VaultDamagedError: " + lines[0],
        "Caused by: ally.vault.agefmt.PayloadError: the file was modified or is damaged",
        "Caused by: cryptography.exceptions.InvalidTag",
    ]
    assert any(line.startswith("  at ally/vault/crypto.py:") for line in lines)
    assert any(line.startswith("  at ally/vault/agefmt.py:") for line in lines)
    assert SECRET_TEXT not in result.stderr and "Maria" not in result.stderr
    assert "home with a name" not in result.stderr and str(Path.home()) not in result.stderr
    assert "Traceback" not in result.stderr


def test_only_ally_messages_and_errno_names_are_shown() -> None:
    try:
        try:
            try:
                raise ValueError(f"input was {SECRET_TEXT!r}")
            except ValueError as error:
                raise OSError(28, "No space left", "/home/maria/journal") from error
        except OSError as error:
            raise AllyError("Could not save. Nothing was changed.") from error
    except AllyError as error:
        text = debug.describe(error)
    assert "Error: ally.errors.AllyError: Could not save. Nothing was changed." in text
    assert "Caused by: OSError [ENOSPC]" in text
    assert "Caused by: ValueError" in text
    assert SECRET_TEXT not in text and "maria" not in text and "No space left" not in text


def test_suppressed_context_and_loops_end_the_chain() -> None:
    try:
        try:
            raise KeyError("hidden")
        except KeyError:
            raise AllyError("shown") from None
    except AllyError as error:
        assert [type(e).__name__ for e in debug.chain(error)] == ["AllyError"]
    first, second = ValueError(), TypeError()
    first.__cause__, second.__cause__ = second, first
    assert len(list(debug.chain(first))) == 2


@pytest.mark.parametrize(
    ("value", "on"),
    [("1", True), ("yes", True), ("", False), ("0", False), ("false", False), ("OFF", False)],
)
def test_ally_debug_values(value: str, on: bool) -> None:
    assert debug.enabled({"ALLY_DEBUG": value}) is on
    assert debug.enabled({}) is False


def test_paths_are_cut_to_the_package() -> None:
    assert debug.short_path("/home/maria/src/ally/vault/crypto.py") == "ally/vault/crypto.py"
    assert debug.short_path("/home/maria/elsewhere/thing.py") == "thing.py"
    assert debug.short_path(f"{sys.path[-1]}/json/decoder.py").endswith("json/decoder.py")
