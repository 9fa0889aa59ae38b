"""One rule for a passphrase a person chooses, wherever they choose it.

The CLI prompt, ``ALLY_PASSPHRASE`` / ``--passphrase-fd`` in scripts and the web form all ask
the same of a new passphrase, so a passphrase refused in one place is refused in all of them
and the explanation is the same. The rule is deliberately simple enough to say in one
sentence: a person under stress must be able to understand why, and what to do instead
(the six generated words always pass).
"""

from __future__ import annotations

from enum import StrEnum

MIN_LENGTH = 12
MIN_DIFFERENT_CHARACTERS = 5


class Weakness(StrEnum):
    """Why a chosen passphrase is refused."""

    empty = "empty"
    short = "short"
    repetitive = "repetitive"
    digits = "digits"


EXPLANATIONS: dict[Weakness, str] = {
    Weakness.empty: "The passphrase is empty.",
    Weakness.short: (
        "That passphrase is too short: use at least 12 characters. "
        "Several words work well, like the six suggested words."
    ),
    Weakness.repetitive: (
        "That passphrase repeats too few characters to be hard to guess. "
        "Several different words work well."
    ),
    Weakness.digits: (
        "A passphrase of only digits (a date or a phone number) is easy to guess. "
        "Several words work well."
    ),
}
"""In English; the web shows the same sentences through its translations."""


def weakness(passphrase: str) -> Weakness | None:
    """Why this new passphrase is too weak, or None when it may be used."""
    text = passphrase.strip()
    if not text:
        return Weakness.empty
    if len(text) < MIN_LENGTH:
        return Weakness.short
    if len(set(text.casefold())) < MIN_DIFFERENT_CHARACTERS:
        return Weakness.repetitive
    if "".join(text.split()).isdigit():
        return Weakness.digits
    return None
