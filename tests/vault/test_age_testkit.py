"""The age test kit (C2SP/CCTV) against Ally's decoder: every vector's outcome, as named.

Each vector says what decrypting it must give: ``success`` with a payload hash, or one of the
named failures. Ally's decoder reports every failure as an Ally error (VaultDamagedError, or
WrongPassphraseError for passphrases alone) whose ``__cause__`` is the age failure from
:mod:`ally.vault.agefmt`, so the test can tell "header failure" from "no match", "HMAC
failure" and "payload failure". For a payload failure, what was released before the error
must match the hash too (the kit's rule: nothing unauthenticated is ever handed out).

Ally implements age's X25519 and scrypt recipients. The hybrid (ML-KEM) and ASCII-armoured
vectors use features it does not; for those the test asserts an Ally error and nothing else.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ally.errors import AllyError
from ally.vault import agefmt, crypto
from ally.vault.crypto import Identity
from ally.vault.errors import RecipientError, VaultDamagedError, WrongPassphraseError

KIT = Path(__file__).parents[1] / "fixtures" / "age-testkit" / "testdata"
VECTORS = sorted(KIT.iterdir())

FAILURES: dict[str, type[agefmt.FormatError]] = {
    "header failure": agefmt.HeaderError,
    "no match": agefmt.NoMatchError,
    "HMAC failure": agefmt.HeaderMacError,
    "payload failure": agefmt.PayloadError,
}


@dataclass
class Vector:
    name: str
    expect: str
    payload: str | None
    identities: list[str] = field(default_factory=list)
    passphrases: list[str] = field(default_factory=list)
    armored: bool = False
    body: bytes = b""

    @property
    def unsupported(self) -> bool:
        """Features Ally does not implement: ASCII armour, ML-KEM hybrid keys."""
        return self.armored or self.name.startswith(("armor", "hybrid"))


def read_vector(path: Path) -> Vector:
    data = path.read_bytes()
    head, _, body = data.partition(b"\n\n")
    fields: dict[str, list[str]] = {}
    for line in head.decode("utf-8").splitlines():
        key, _, value = line.partition(": ")
        fields.setdefault(key, []).append(value)
    if fields.get("compressed") == ["zlib"]:
        body = zlib.decompress(body)
    return Vector(
        name=path.name,
        expect=fields["expect"][0],
        payload=(fields.get("payload") or [None])[0],
        identities=fields.get("identity", []),
        passphrases=fields.get("passphrase", []),
        armored=fields.get("armored") == ["yes"],
        body=body,
    )


def pieces(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def decrypt(vector: Vector, piece_size: int) -> tuple[bytes, BaseException | None]:
    """What the decoder released, and the error it ended with (None: it read to the end)."""
    released = bytearray()
    try:
        identities = [Identity.parse(text) for text in vector.identities]
        for chunk in crypto.open_with(
            pieces(vector.body, piece_size),
            identities=identities,
            passphrases=vector.passphrases,
        ):
            released += chunk
    except Exception as error:  # every kind is caught here so the test can name it
        return bytes(released), error
    return bytes(released), None


def test_the_kit_is_complete() -> None:
    """All 143 vectors are here, and the X25519 and scrypt ones are among them."""
    assert len(VECTORS) == 143
    names = {path.name for path in VECTORS}
    assert sum(name.startswith("x25519") for name in names) == 14
    assert sum(name.startswith("scrypt") for name in names) == 25
    assert {"x25519_low_order", "x25519_identity", "stream_last_chunk_empty"} <= names


@pytest.mark.parametrize("path", VECTORS, ids=[path.name for path in VECTORS])
@pytest.mark.parametrize("piece_size", [1 << 20, 1000])
def test_vector(path: Path, piece_size: int) -> None:
    vector = read_vector(path)
    released, error = decrypt(vector, piece_size)
    if error is not None:
        assert isinstance(error, AllyError), f"{type(error).__name__} escaped: {error}"
    if vector.unsupported:
        assert isinstance(error, AllyError), "armoured and hybrid files are refused"
        assert released == b""
        if vector.name.startswith("hybrid") and vector.identities:
            assert isinstance(error, RecipientError)
        return
    if vector.expect == "success":
        assert error is None, f"{type(error).__name__}: {error} (cause {error.__cause__!r})"
        assert hashlib.sha256(released).hexdigest() == vector.payload
        return
    assert error is not None, f"{vector.name} decrypted, but the kit expects {vector.expect}"
    assert isinstance(error, VaultDamagedError | WrongPassphraseError)
    assert type(error.__cause__) is FAILURES[vector.expect], (
        f"expected {vector.expect}, got {error.__cause__!r}"
    )
    if vector.expect == "no match" and vector.passphrases and not vector.identities:
        assert isinstance(error, WrongPassphraseError)
    if vector.expect == "payload failure":
        assert hashlib.sha256(released).hexdigest() == vector.payload


def test_every_expected_outcome_is_exercised() -> None:
    """The supported vectors cover success and each named failure, for X25519 and scrypt."""
    seen = {
        (vector.name.split("_")[0], vector.expect)
        for vector in map(read_vector, VECTORS)
        if not vector.unsupported
    }
    for kind in ("x25519", "scrypt"):
        for outcome in ("success", "header failure", "no match"):
            assert (kind, outcome) in seen
    assert ("hmac", "HMAC failure") in seen
    assert ("stream", "payload failure") in seen
