"""TOTP against RFC 6238's own test vectors (Appendix B), and the acceptance rules."""

from __future__ import annotations

import base64

import pytest

from ally.hosted import totp

SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
VECTORS = [  # (time, sha1, sha256, sha512) from RFC 6238, Appendix B
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("when", "sha1", "sha256", "sha512"), VECTORS)
def test_rfc_6238_vectors(when: int, sha1: str, sha256: str, sha512: str) -> None:
    for digest, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        secret = base64.b32encode(SEEDS[digest]).decode()
        assert totp.code_at(secret, when, digits=8, digest=digest) == expected


def test_a_code_is_accepted_one_step_either_side_and_no_further() -> None:
    secret = totp.new_secret()
    now = 1_800_000_015.0
    step = int(now) // 30
    for offset in (-1, 0, 1):
        code = totp.code_at(secret, now + 30 * offset)
        assert totp.matching_step(secret, code, now, None) == step + offset
    for offset in (-3, -2, 2, 3):
        code = totp.code_at(secret, now + 30 * offset)
        assert totp.matching_step(secret, code, now, None) is None


def test_a_used_code_or_an_older_one_is_refused() -> None:
    secret = totp.new_secret()
    now = 1_800_000_015.0
    code = totp.code_at(secret, now)
    step = totp.matching_step(secret, code, now, None)
    assert step is not None
    assert totp.matching_step(secret, code, now, step) is None
    older = totp.code_at(secret, now - 30)
    assert totp.matching_step(secret, older, now, step) is None
    newer = totp.code_at(secret, now + 30)
    assert totp.matching_step(secret, newer, now + 30, step) == step + 1


def test_malformed_codes_and_other_secrets_are_refused() -> None:
    secret = totp.new_secret()
    now = 1_800_000_015.0
    code = totp.code_at(secret, now)
    assert totp.matching_step(secret, f" {code[:3]} {code[3:]} ", now, None) is not None
    for typed in ("", "12345", "1234567", "abcdef", code + "0"):
        assert totp.matching_step(secret, typed, now, None) is None
    assert totp.matching_step(totp.new_secret(), code, now, None) is None
    assert len(base64.b32decode(secret)) == 20  # 160 bits


def test_the_address_names_the_issuer_and_account() -> None:
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, "sam@example.org (north)", "Ally")
    assert uri.startswith("otpauth://totp/Ally:sam%40example.org")
    assert f"secret={secret}" in uri and "issuer=Ally" in uri
