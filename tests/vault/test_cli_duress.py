"""`ally vault duress ...`, `limit`, `recover` and `recovery-code`, in real processes."""

from __future__ import annotations

import re
from pathlib import Path

from ally.vault import Vault

from .conftest import PASSPHRASE
from .test_cli import home, run

__all__ = ["home"]

DURESS = "blue kettle on the windowsill"
CODE = re.compile(r"\b[0-9A-Z]{5}(?:-[0-9A-Z]{5}){4}\b")


def test_init_shows_a_recovery_code_that_opens_the_journal(tmp_path: Path) -> None:
    made = run(tmp_path, "init")
    assert made.returncode == 0, made.stderr
    found = CODE.search(made.stderr)
    assert found is not None and "shown only now" in made.stderr
    assert found.group(0) not in made.stdout  # never on standard output (pipes, logs)
    recovered = run(
        tmp_path,
        "recover",
        passphrase=None,
        ALLY_RECOVERY_CODE=found.group(0).lower(),
        ALLY_NEW_PASSPHRASE="a new passphrase from the code",
    )
    assert recovered.returncode == 0, recovered.stderr
    assert run(tmp_path, "list", passphrase="a new passphrase from the code").returncode == 0


def test_the_duress_passphrase_opens_the_decoy_in_every_command(home: Path) -> None:
    assert run(home, "add", "note", "--from", "-", stdin="Real: he took my keys\n").returncode == 0
    made = run(home, "duress", "set", ALLY_DURESS_PASSPHRASE=DURESS)
    assert made.returncode == 0, made.stderr
    added = run(home, "add", "note", "--from", "-", stdin="Buy bread and eggs\n", passphrase=DURESS)
    assert added.returncode == 0, added.stderr
    real, decoy = run(home, "list"), run(home, "list", passphrase=DURESS)
    assert "he took my keys" in real.stdout and "Buy bread" not in real.stdout
    assert "Buy bread" in decoy.stdout and "he took my keys" not in decoy.stdout
    # Asked under duress, the decoy says what a journal without a duress passphrase says.
    assert "No duress passphrase is set." in run(home, "duress", "status", passphrase=DURESS).stdout
    assert "opens the decoy journal" in run(home, "duress", "status").stdout
    same = run(home, "duress", "set", ALLY_DURESS_PASSPHRASE=PASSPHRASE)
    assert same.returncode != 0 and "must differ" in same.stderr
    assert run(home, "duress", "off").returncode == 0
    gone = run(home, "list", passphrase=DURESS)
    assert gone.returncode != 0 and "does not open" in gone.stderr


def test_the_failure_limit_sends_every_later_try_to_the_recovery_code(home: Path) -> None:
    limited = run(home, "limit", "2")
    assert limited.returncode == 0, limited.stderr
    found = CODE.search(limited.stderr)
    assert found is not None
    assert run(home, "list", passphrase="wrong one").returncode != 0
    second = run(home, "list", passphrase="wrong two")
    assert second.returncode != 0 and "recovery code" in second.stderr
    refused = run(home, "list")
    assert refused.returncode != 0 and "recovery code" in refused.stderr
    recovered = run(
        home,
        "recover",
        passphrase=None,
        ALLY_RECOVERY_CODE=found.group(0),
        ALLY_NEW_PASSPHRASE="chosen after recovery",
    )
    assert recovered.returncode == 0, recovered.stderr
    assert run(home, "list", passphrase="chosen after recovery").returncode == 0
    status = run(home, "duress", "status", passphrase="chosen after recovery").stdout
    assert "after 2 wrong passphrases" in status and "A recovery code exists." in status
    with Vault.open(home / "vaults" / "default") as vault:
        assert vault.verify().ok
