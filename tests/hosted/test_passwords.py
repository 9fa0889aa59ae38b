"""Argon2id password hashes: the default setting, checks, and refusals."""

from __future__ import annotations

import pytest

from ally.hosted.errors import WeakPasswordError
from ally.hosted.passwords import DEFAULT_POLICY, MAX_LENGTH, PasswordPolicy
from tests.hosted.conftest import FAST


def test_the_default_is_argon2id_with_rfc_9106s_second_setting() -> None:
    stored = DEFAULT_POLICY.hash("correct horse battery")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert "correct horse battery" not in stored
    assert DEFAULT_POLICY.verify(stored, "correct horse battery")
    assert not DEFAULT_POLICY.verify(stored, "correct horse batterx")


def test_the_same_password_hashes_differently_each_time() -> None:
    assert FAST.hash("correct horse battery") != FAST.hash("correct horse battery")


def test_unknown_accounts_and_garbage_never_verify() -> None:
    assert not FAST.verify(None, "correct horse battery")
    assert not FAST.verify("not a hash", "correct horse battery")
    stored = FAST.hash("correct horse battery")
    assert not FAST.verify(stored, "x" * (MAX_LENGTH + 1))


@pytest.mark.parametrize("password", ["", "short", "nine char", "x" * (MAX_LENGTH + 1)])
def test_too_short_or_too_long_passwords_are_refused(password: str) -> None:
    with pytest.raises(WeakPasswordError):
        FAST.hash(password)


def test_hashes_made_with_weaker_settings_need_rehashing() -> None:
    assert DEFAULT_POLICY.needs_rehash(FAST.hash("correct horse battery"))
    assert not PasswordPolicy().needs_rehash(DEFAULT_POLICY.hash("correct horse battery"))
