"""Account passwords: Argon2id hashes, checked in constant work whether the account exists.

RFC 9106's second recommended setting (3 passes over 64 MiB, 4 lanes) by default: a guess
costs an attacker who stole the table as much memory as it costs the server. Tests pass a
cheaper :class:`PasswordPolicy`. An unknown name is checked against a dummy hash made with
the same setting, so the time taken does not say whether the name exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ally.hosted.errors import WeakPasswordError

MIN_LENGTH = 10
MAX_LENGTH = 1024
"""Longer input is refused rather than hashed: it would only let someone spend server time."""


@dataclass(frozen=True)
class PasswordPolicy:
    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4

    @cached_property
    def hasher(self) -> PasswordHasher:
        return PasswordHasher(
            time_cost=self.time_cost, memory_cost=self.memory_kib, parallelism=self.parallelism
        )

    @cached_property
    def dummy(self) -> str:
        """A hash no password is checked against successfully in practice (random input)."""
        import secrets

        return self.hasher.hash(secrets.token_hex(32))

    def check_new(self, password: str) -> None:
        """Refuse a password that is too short or absurdly long (WeakPasswordError)."""
        if len(password) < MIN_LENGTH:
            raise WeakPasswordError(
                f"Choose a password of at least {MIN_LENGTH} characters. A few unrelated "
                "words are easy to remember and hard to guess."
            )
        if len(password) > MAX_LENGTH:
            raise WeakPasswordError(f"A password can be at most {MAX_LENGTH} characters.")

    def hash(self, password: str) -> str:
        self.check_new(password)
        return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored``; with None, the same work on a dummy."""
        if len(password) > MAX_LENGTH:
            return False
        try:
            return self.hasher.verify(stored or self.dummy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """Whether a stored hash was made with weaker settings than these."""
        return self.hasher.check_needs_rehash(stored)


DEFAULT_POLICY = PasswordPolicy()
