"""The age format: our encoder and decoder against pyrage and the stock `age` binary."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pexpect
import pyrage
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ally.vault import agefmt, crypto
from ally.vault.errors import RecipientError, VaultDamagedError, WrongPassphraseError

AGE = shutil.which("age")
AGE_KEYGEN = shutil.which("age-keygen")
SIZES = [0, 1, 100, 65535, 65536, 65537, 131072, 300_000]


@pytest.fixture(scope="module")
def identity() -> crypto.Identity:
    return crypto.Identity.generate()


def test_stock_age_is_installed() -> None:
    assert AGE and AGE_KEYGEN, "the Debian package `age` is needed (see .ci/system-deps)"


@pytest.mark.parametrize("size", SIZES)
def test_pyrage_reads_ours_and_we_read_pyrage(identity: crypto.Identity, size: int) -> None:
    data = os.urandom(size)
    theirs = pyrage.x25519.Identity.from_str(identity.identity_file().splitlines()[-1])
    assert str(theirs.to_public()) == str(identity.recipient)
    assert pyrage.decrypt(crypto.seal(data, [identity.recipient]), [theirs]) == data
    assert crypto.open_sealed(pyrage.encrypt(data, [theirs.to_public()]), identity) == data


@pytest.mark.parametrize("size", [0, 65536, 200_000])
def test_stock_age_both_directions(identity: crypto.Identity, tmp_path: Path, size: int) -> None:
    assert AGE
    data = os.urandom(size)
    key = tmp_path / "key.txt"
    key.write_text(identity.identity_file())
    ours = tmp_path / "ours.age"
    ours.write_bytes(crypto.seal(data, [identity.recipient]))
    decrypted = subprocess.run(
        [AGE, "-d", "-i", str(key), str(ours)], capture_output=True, check=True
    )
    assert decrypted.stdout == data
    encrypted = subprocess.run(
        [AGE, "-r", str(identity.recipient)], input=data, capture_output=True, check=True
    )
    assert crypto.open_sealed(encrypted.stdout, identity) == data


def test_age_keygen_keys_work_with_us(tmp_path: Path) -> None:
    assert AGE_KEYGEN and AGE
    key = tmp_path / "advocate.txt"
    subprocess.run([AGE_KEYGEN, "-o", str(key)], check=True, capture_output=True)
    advocate = crypto.Identity.parse(key.read_text())
    public = subprocess.run([AGE_KEYGEN, "-y", str(key)], capture_output=True, check=True)
    assert str(advocate.recipient) == public.stdout.decode().strip()
    sealed = tmp_path / "x.age"
    sealed.write_bytes(
        crypto.seal(b"for the advocate", [crypto.Recipient.parse(public.stdout.decode())])
    )
    out = subprocess.run([AGE, "-d", "-i", str(key), str(sealed)], capture_output=True, check=True)
    assert out.stdout == b"for the advocate"


def test_locked_identity_opens_with_stock_age(identity: crypto.Identity, tmp_path: Path) -> None:
    """The passphrase-locked vault key is a normal age file: `age -d -i locked.age` works."""
    locked = tmp_path / "key.age"
    locked.write_bytes(crypto.lock_identity(identity, "horse battery staple", 10))
    message = tmp_path / "m.age"
    message.write_bytes(crypto.seal(b"journal entry", [identity.recipient]))
    child = pexpect.spawn(AGE, ["-d", "-i", str(locked), str(message)], timeout=30)
    child.expect("passphrase")
    child.sendline("horse battery staple")
    child.expect(pexpect.EOF)
    assert b"journal entry" in (child.before or b"")


def test_passphrase_lock_interoperates_with_pyrage(identity: crypto.Identity) -> None:
    locked = crypto.lock_identity(identity, "pass phrase", 10)
    assert b"AGE-SECRET-KEY-1" in pyrage.passphrase.decrypt(locked, "pass phrase")
    theirs = pyrage.passphrase.encrypt(identity.identity_file().encode(), "pass phrase")
    assert crypto.unlock_identity(theirs, "pass phrase").recipient == identity.recipient


def test_default_work_factor_meets_owasp() -> None:
    assert crypto.DEFAULT_WORK_FACTOR >= 17  # OWASP: scrypt N=2^17, r=8, p=1 at least
    locked = crypto.lock_identity(crypto.Identity.generate(), "x y z")
    assert b"-> scrypt " in locked and locked.split(b"\n")[1].endswith(b" 18")


def test_wrong_passphrase_is_a_clear_error(identity: crypto.Identity) -> None:
    locked = crypto.lock_identity(identity, "right", 10)
    with pytest.raises(WrongPassphraseError, match="does not open"):
        crypto.unlock_identity(locked, "wrong")


def test_rewrapped_header_keeps_payload(identity: crypto.Identity, tmp_path: Path) -> None:
    advocate = crypto.Identity.generate()
    sealed = crypto.seal(b"shared later", [identity.recipient])
    header, payload = crypto.split_header(sealed)
    shared = crypto.rewrap_header(header, identity, [advocate.recipient]) + payload
    assert crypto.open_sealed(shared, advocate) == b"shared later"
    with pytest.raises(VaultDamagedError):
        crypto.open_sealed(shared, identity)
    key = tmp_path / "adv.txt"
    key.write_text(advocate.identity_file())
    (tmp_path / "s.age").write_bytes(shared)
    out = subprocess.run(
        [AGE or "age", "-d", "-i", str(key), str(tmp_path / "s.age")],
        capture_output=True,
        check=True,
    )
    assert out.stdout == b"shared later"


def test_streaming_sealer_matches_any_write_pattern(identity: crypto.Identity) -> None:
    data = os.urandom(400_000)
    parts: list[bytes] = []
    with crypto.Sealer([identity.recipient], parts.append) as sealer:
        for start in range(0, len(data), 7919):
            sealer.write(data[start : start + 7919])
    assert b"".join(crypto.open_stream(iter(parts), identity)) == data


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=3000), position=st.integers(min_value=0), bit=st.integers(0, 7))
def test_any_flipped_bit_fails_to_decrypt(data: bytes, position: int, bit: int) -> None:
    identity = crypto.Identity.generate()
    sealed = bytearray(crypto.seal(data, [identity.recipient]))
    sealed[position % len(sealed)] ^= 1 << bit
    with pytest.raises(VaultDamagedError):
        crypto.open_sealed(bytes(sealed), identity)


def test_truncated_or_extended_files_fail(identity: crypto.Identity) -> None:
    sealed = crypto.seal(os.urandom(140_000), [identity.recipient])
    for bad in (sealed[:-1], sealed[: len(sealed) - 16], sealed[:-70_000], sealed + b"\0" * 17):
        with pytest.raises(VaultDamagedError):
            crypto.open_sealed(bad, identity)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "age1",
        "not a key",
        "ssh-ed25519 AAAA",
        "AGE-SECRET-KEY-1QQQQ",
        "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gg",
    ],
)
def test_bad_recipients_are_rejected(text: str) -> None:
    with pytest.raises(RecipientError):
        crypto.Recipient.parse(text)


def test_recipient_round_trip(identity: crypto.Identity) -> None:
    text = str(identity.recipient)
    assert crypto.Recipient.parse(text) == identity.recipient
    assert "SECRET" not in repr(identity) and text in repr(identity)


def test_strict_base64() -> None:
    assert agefmt.b64decode(agefmt.b64encode(b"abc")) == b"abc"
    for bad in (b"YWJj=", b"YWI=", b"Y", b"YR"):
        with pytest.raises(agefmt.FormatError):
            agefmt.b64decode(bad)
