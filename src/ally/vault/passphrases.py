"""Generated passphrases: six words from a 7,776-word list, about 77 bits of entropy.

Words are easier to remember and type than random characters, and far harder to guess than
anything a person picks. The list is the EFF large word list (CC BY 3.0 US), as shipped by
the ``xkcdpass`` package; the choice of words is ours, with ``secrets``.
"""

from __future__ import annotations

import secrets
from functools import cache
from importlib import resources

WORDS_PER_PASSPHRASE = 6
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
