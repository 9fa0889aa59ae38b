"""One passphrase rule for every door: the web page, the CLI prompt and scripts all use it."""

from __future__ import annotations

import pytest

from ally.vault.errors import PassphraseError
from ally.vault.passphrases import (
    MIN_PASSPHRASE_CHARS,
    check_new_passphrase,
    generate_passphrase,
    long_enough,
)


def test_the_rule_is_twelve_characters_not_counting_the_ends() -> None:
    assert MIN_PASSPHRASE_CHARS == 12
    assert long_enough("twelve chars") and long_enough("  twelve chars  ")
    assert not long_enough("elevenchars") and not long_enough("   elevenchars   ")
    check_new_passphrase("lantern orbit pepper")


@pytest.mark.parametrize(
    ("passphrase", "message"),
    [("", "empty"), ("    ", "empty"), ("elevenchars", "at least 12 characters")],
)
def test_a_weak_passphrase_is_refused_with_what_to_do(passphrase: str, message: str) -> None:
    with pytest.raises(PassphraseError, match=message):
        check_new_passphrase(passphrase)


def test_every_generated_passphrase_passes() -> None:
    for _ in range(200):
        passphrase = generate_passphrase()
        assert len(passphrase.split()) == 6
        check_new_passphrase(passphrase)


def test_no_other_length_rule_is_left_in_the_shells() -> None:
    """The CLI and the web page keep no minimum of their own (the old 10 and 12)."""
    from pathlib import Path

    import ally

    root = Path(ally.__file__).parent
    for shell in ("cli/vault.py", "web/person/journal.py"):
        source = (root / shell).read_text(encoding="utf-8")
        assert "MIN_PASSPHRASE" not in source and "MIN_OWN_PASSPHRASE" not in source, shell
        assert "len(passphrase" not in source and "len(own)" not in source, shell
