"""The web app's only cryptography: session data sealed under keys that only the person holds.

A session's answers are encrypted with a random data key. That key is stored twice at most,
each time wrapped under a secret the server never keeps: the cookie token (while the session
is unlocked) and the save code (if the person asked for one). Locking a session throws the
cookie's wrap away, so the database alone, or the browser's cookie jar after a lock, reveals
nothing. Fernet (authenticated encryption from ``cryptography``) does the sealing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 4
CODE_GROUP_SIZE = 5


def new_token() -> str:
    """A fresh cookie token: 256 random bits."""
    return secrets.token_urlsafe(32)


def looks_like_token(text: str) -> bool:
    return len(text) == 43 and all(ch.isalnum() or ch in "-_" for ch in text)


def new_code() -> str:
    """A save code of 100 random bits, easy to copy: ``7KQ2M-XW4PD-...``."""
    chars = [secrets.choice(_CROCKFORD) for _ in range(CODE_GROUPS * CODE_GROUP_SIZE)]
    groups = [
        "".join(chars[i : i + CODE_GROUP_SIZE]) for i in range(0, len(chars), CODE_GROUP_SIZE)
    ]
    return "-".join(groups)


def normalise_code(text: str) -> str | None:
    """A typed code in canonical form (case, spaces, O/0 and I/L/1 forgiven), or None."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != CODE_GROUPS * CODE_GROUP_SIZE or any(c not in _CROCKFORD for c in cleaned):
        return None
    size = CODE_GROUP_SIZE
    return "-".join(cleaned[i : i + size] for i in range(0, len(cleaned), size))


def lookup_key(secret: str, purpose: str) -> str:
    """What the database indexes a secret by: a one-way hash, so it cannot be turned back."""
    return hashlib.sha256(f"ally-web/{purpose}/{secret}".encode()).hexdigest()


def _derive(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"ally-web/{purpose}".encode(), hashlib.sha256).digest()


def csrf_token(secret: str) -> str:
    """The form token for a session: derived from the cookie, so nothing needs storing."""
    return _derive(secret, "csrf").hex()


def same_token(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def new_data_key() -> bytes:
    return Fernet.generate_key()


def _wrapper(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(secret, "wrap")))


def wrap(secret: str, data_key: bytes) -> str:
    return _wrapper(secret).encrypt(data_key).decode()


def unwrap(secret: str, wrapped: str) -> bytes | None:
    try:
        return _wrapper(secret).decrypt(wrapped.encode())
    except InvalidToken:
        return None


def seal(data_key: bytes, plaintext: bytes) -> str:
    return Fernet(data_key).encrypt(plaintext).decode()


def unseal(data_key: bytes, sealed: str) -> bytes | None:
    try:
        return Fernet(data_key).decrypt(sealed.encode())
    except InvalidToken:
        return None
