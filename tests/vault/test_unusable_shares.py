"""All-zero and low-order age keys: refused when read, shared or met in a file; a vault that
recorded one (made by Ally before the check, tests/fixtures/vaults/unusable-share) still works.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ally.model.journal import Incident, IncidentTime
from ally.vault import (
    Identity,
    Recipient,
    RecipientError,
    UnusableRecipientError,
    UnusableShareWarning,
    Vault,
    VaultDamagedError,
    VaultError,
    WrongPassphraseError,
    agefmt,
    crypto,
)
from tests.inprocess import run_ally
from tests.vault.conftest import PASSPHRASE, WEAK

LEGACY = Path(__file__).parents[1] / "fixtures" / "vaults" / "unusable-share"
LEGACY_PASSPHRASE = "correct horse battery staple"

P = 2**255 - 19
ORDER_8 = (
    325606250916557431795983626356110631294008115727848805560023387167927233504,
    39382357235489614581723060781553021112529911719440698176882885853963445705823,
)
SMALL_ORDER_U = (0, 1, *ORDER_8, P - 1, P, P + 1)
"""u-coordinates of the points of order 1, 2, 4 and 8, and non-canonical encodings of some."""


def key_text(u: int, high_bit: bool = False) -> str:
    raw = bytearray(u.to_bytes(32, "little"))
    if high_bit:
        raw[31] |= 0x80
    return agefmt.bech32_encode("age", bytes(raw))


ZERO_KEY = key_text(0)
LOW_KEY = key_text(ORDER_8[0])


@pytest.mark.parametrize("u", SMALL_ORDER_U)
@pytest.mark.parametrize("high_bit", [False, True])
def test_small_order_keys_are_refused_when_read(u: int, high_bit: bool) -> None:
    with pytest.raises(UnusableRecipientError, match="cannot be used"):
        Recipient.parse(key_text(u, high_bit))
    with pytest.raises(UnusableRecipientError):
        Recipient(bytes(key_text_raw(u, high_bit)))


def key_text_raw(u: int, high_bit: bool) -> bytes:
    return agefmt.bech32_decode(key_text(u, high_bit))[1]


def test_the_all_zero_key_text_is_the_one_from_the_report() -> None:
    assert ZERO_KEY.startswith("age1qqqqqqqqqqqqqqqqqqqq")
    assert issubclass(UnusableRecipientError, RecipientError)


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_real_keys_are_accepted(secret: bytes) -> None:
    recipient = Identity(secret).recipient
    assert Recipient.parse(str(recipient)) == recipient


def test_sealing_refuses_a_low_order_key_even_without_recipient() -> None:
    """agefmt's own guard: the zero check is live, and names the failure."""
    with pytest.raises(agefmt.UnusableKeyError):
        agefmt.x25519_stanza(bytes(32), os.urandom(16))


def test_share_refuses_and_records_nothing(vault: Vault) -> None:
    before = len(vault.records)
    for key in (ZERO_KEY, LOW_KEY):
        for existing in (True, False):
            with pytest.raises(UnusableRecipientError):
                vault.share(key, include_existing=existing)
    assert len(vault.records) == before
    vault.add_note("still writable")
    assert vault.shared_with() == [] and vault.unusable_shares() == []


def legacy_copy(tmp_path: Path) -> Path:
    target = tmp_path / "legacy"
    shutil.copytree(LEGACY, target)
    return target


def test_a_vault_made_before_the_check_keeps_working(tmp_path: Path) -> None:
    location = legacy_copy(tmp_path)
    advocate = Identity.parse((location / "advocate-identity.txt").read_text())
    with Vault.open(location, LEGACY_PASSPHRASE) as vault:
        assert vault.unusable_shares() == [ZERO_KEY, LOW_KEY]
        assert vault.shared_with() == [advocate.recipient]
        assert vault.verify().ok
        with pytest.warns(UnusableShareWarning, match="ally vault unshare"):
            entry = vault.add_note("Written after the update.")
        assert vault.entry(entry.id).note().text == "Written after the update."
    # The real share still gets new entries; the placeholder keys were skipped.
    with Vault.open_with_identity(location, advocate) as shared:
        texts = [e.note().text for e in shared.entries("note")]
    assert texts == ["Written before the journal was shared.", "Written after the update."]


def test_the_unusable_keys_can_be_unshared_by_their_text(tmp_path: Path) -> None:
    location = legacy_copy(tmp_path)
    with Vault.open(location, LEGACY_PASSPHRASE) as vault:
        vault.unshare(f"  {ZERO_KEY}\n")
        assert vault.unusable_shares() == [LOW_KEY]
        vault.unshare(LOW_KEY)
        assert vault.unusable_shares() == []
        with pytest.raises(UnusableRecipientError):  # gone: now an ordinary bad key
            vault.unshare(LOW_KEY)
        with pytest.raises(VaultError, match="not shared with that key"):
            vault.unshare(Identity.generate().recipient)
    with Vault.open(location, LEGACY_PASSPHRASE) as vault, warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning any more
        vault.add_note("after unsharing")
        assert vault.verify().ok
        assert vault.unusable_shares() == []


def cli(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    environ.update(ALLY_HOME=str(home), ALLY_PASSPHRASE=LEGACY_PASSPHRASE)
    return run_ally("vault", *args, env=environ, input=stdin)  # in this process


def test_the_cli_warns_lists_and_unshares(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "vaults").mkdir(parents=True)
    shutil.copytree(LEGACY, home / "vaults" / "default")
    added = cli(home, "add", "note", "--from", "-", stdin="Called HR\n")
    assert added.returncode == 0, added.stderr
    assert added.stderr.count("Warning: This journal is shared with an age key that cannot") == 1
    assert "Traceback" not in added.stderr and "ValueError" not in added.stderr
    listed = cli(home, "shares")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert len(lines) == 3
    assert lines[1].startswith(ZERO_KEY) and f"ally vault unshare {ZERO_KEY}" in lines[1]
    assert lines[2].startswith(LOW_KEY) and "cannot be used" in lines[2]
    assert "cannot be used" not in lines[0]
    for key in (ZERO_KEY, LOW_KEY):
        assert cli(home, "unshare", key).returncode == 0
    assert len(cli(home, "shares").stdout.splitlines()) == 1
    again = cli(home, "add", "note", "--from", "-", stdin="Wrote to HR\n")
    assert again.returncode == 0 and "Warning" not in again.stderr


def test_the_cli_refuses_to_share_with_a_placeholder_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "vaults").mkdir(parents=True)
    shutil.copytree(LEGACY, home / "vaults" / "default")
    shared = cli(home, "share", ZERO_KEY, "--new-only")
    assert shared.returncode == 1
    assert "cannot be used" in shared.stderr and "Traceback" not in shared.stderr


def test_a_key_file_that_is_not_passphrase_locked_is_damage_not_a_wrong_passphrase() -> None:
    identity = Identity.generate()
    to_a_key = crypto.seal(identity.identity_file().encode(), [Identity.generate().recipient])
    with pytest.raises(VaultDamagedError, match="not locked with a passphrase"):
        crypto.unlock_identity(to_a_key, "any passphrase")
    locked = crypto.lock_identity(identity, "right", work_factor=10)
    with pytest.raises(WrongPassphraseError):
        crypto.unlock_identity(locked, "wrong")
    assert repr(crypto.unlock_identity(locked, "right")) == repr(identity)


def test_a_locked_file_holding_no_key_is_damage() -> None:
    not_a_key = _scrypt_file(b"\xff\xfe not an identity", "pw")
    with pytest.raises(VaultDamagedError, match="holds no age key"):
        crypto.unlock_identity(not_a_key, "pw")


def _scrypt_file(data: bytes, passphrase: str) -> bytes:
    file_key = os.urandom(16)
    stanza = agefmt.scrypt_stanza(passphrase.encode(), file_key, 10)
    parts: list[bytes | bytearray] = [agefmt.encode_header([stanza], file_key)]
    sealer = agefmt.PayloadSealer(file_key, parts.append)
    sealer.write(data)
    sealer.close()
    return b"".join(parts)


def test_a_vault_made_today_that_recorded_a_bad_share_keeps_working(location: str) -> None:
    """Today's storage and chain, on SQLite and PostgreSQL, with the share records an older
    Ally wrote (appended below the share check, as that Ally did): nothing is locked."""
    advocate = Identity.generate()
    with Vault.create(location, PASSPHRASE, work_factor=WEAK) as vault:
        vault.add_note("Before sharing.")
        vault.share(advocate.recipient)
        vault._append("share", to=ZERO_KEY)  # what `share KEY --new-only` recorded before
        vault._append("share", to=LOW_KEY)
        with pytest.warns(UnusableShareWarning, match="ally vault unshare"):
            vault.add_note("Right after the bad shares.")
    with Vault.open(location, PASSPHRASE) as vault:
        assert vault.unusable_shares() == [ZERO_KEY, LOW_KEY]
        assert vault.shared_with() == [advocate.recipient]
        with pytest.warns(UnusableShareWarning):
            incident = vault.add_incident(
                Incident(
                    when=IncidentTime(start=dt.datetime(2026, 11, 2, 21, 5, tzinfo=dt.UTC)),
                    what="Sent the same message from a new account.",
                )
            )
        assert vault.verify().ok
        assert vault.entry(incident.id).incident().what == (
            "Sent the same message from a new account."
        )
        for key in (ZERO_KEY, LOW_KEY):
            vault.unshare(key)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            vault.add_note("After unsharing.")
    with Vault.open_with_identity(location, advocate) as shared:
        texts = [e.note().text for e in shared.entries("note")]
    assert texts == ["Before sharing.", "Right after the bad shares.", "After unsharing."]
