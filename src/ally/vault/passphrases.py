"""Passphrases: the one rule for a passphrase a person chooses, and generated ones.

Generated passphrases are six words from a 7,776-word list, about 77 bits of entropy. Words
are easier to remember and type than random characters, and far harder to guess than anything
a person picks. The list is the EFF large word list (CC BY 3.0 US), as shipped by the
``xkcdpass`` package; the choice of words is ours, with ``secrets``.

A passphrase the person picks themselves is held to :func:`check_new_passphrase`, everywhere
one is set (the web page, the CLI prompt, a script's ``ALLY_PASSPHRASE``), so no door is
weaker than another.
"""

from __future__ import annotations

import secrets
from functools import cache
from importlib import resources

from ally.vault.errors import PassphraseError

WORDS_PER_PASSPHRASE = 6
MIN_PASSPHRASE_CHARS = 12
"""Characters a chosen passphrase needs, not counting spaces at its ends. Whoever copies the
journal can guess offline, slowed only by scrypt; twelve characters is the least that is
still slow to guess when it is a few words, and every generated passphrase has more."""
_EXPECTED_WORDS = 7776


@cache
def word_list() -> tuple[str, ...]:
    text = resources.files("xkcdpass").joinpath("static/eff-long").read_text(encoding="utf-8")
    words = tuple(sorted({w for w in text.split() if w.replace("-", "").isalpha()}))
    if len(words) != _EXPECTED_WORDS:
        raise RuntimeError("the passphrase word list is incomplete; reinstall Ally")
    return words


def generate_passphrase(words: int = WORDS_PER_PASSPHRASE) -> str:
    """Random words joined by spaces, e.g. 'unhappy kindle abacus sample ripcord thigh'."""
    pool = word_list()
    return " ".join(secrets.choice(pool) for _ in range(words))


def long_enough(passphrase: str) -> bool:
    """Whether a chosen passphrase meets the rule (for forms that word the problem themselves)."""
    return len(passphrase.strip()) >= MIN_PASSPHRASE_CHARS


def check_new_passphrase(passphrase: str) -> None:
    """Refuse a new passphrase that is empty or shorter than the rule, saying what to do."""
    if not passphrase.strip():
        raise PassphraseError("The new passphrase is empty.")
    if not long_enough(passphrase):
        raise PassphraseError(
            f"Use a passphrase of at least {MIN_PASSPHRASE_CHARS} characters (several words "
            "work well), or the generated one."
        )
