"""An unlocked key kept in the database, wrapped under a secret only the browser holds.

Why: in hosted mode any app process must be able to serve any request (issue 19 item 6),
so an unlocked journal key or case key cannot live in one process's memory alone. Yet the
server must hold no key at rest. So the unlocked key is stored next to its session, wrapped
under a key derived from that session's cookie token: a random 256-bit secret that only the
browser holds (the database keeps a one-way hash of it to find the row, never the token).
Every process can unwrap it for a request that brings the cookie; a copy of the database
alone cannot.

The wrapping: HKDF-SHA256 over the token with a fresh random salt and the purpose as
``info``, then AES-256-GCM with the purpose and the session's row id as associated data, so
a blob copied to another session's row, or used for another purpose, does not open.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ally.errors import AllyError

VERSION = "w1"
SALT_BYTES = 16
NONCE_BYTES = 12

JOURNAL = "journal-key"
"""Purpose of a person's unlocked journal key (web_journal_keys)."""
CASE_KEY = "case-key"
"""Purpose of an advocate's unlocked case key (hosted_sessions.case_key)."""


class UnwrapError(AllyError):
    """The stored key did not open with this browser's secret (another session's, changed,
    or written for another purpose). Nothing was changed; the person unlocks again."""

    def __init__(self) -> None:
        super().__init__(
            "The unlocked key kept for this browser could not be opened here. Nothing was "
            "changed: unlock again with your passphrase."
        )


def _cipher(secret: str, purpose: str, salt: bytes) -> AESGCM:
    derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=f"ally/{purpose}".encode())
    return AESGCM(derive.derive(secret.encode()))


def _associated(purpose: str, session: str) -> bytes:
    return f"ally/{purpose}\0{session}".encode()


def wrap(secret: str, purpose: str, session: str, key: bytes) -> str:
    """``key`` sealed for this session and purpose under ``secret`` (text, for a TEXT column)."""
    if not secret:
        raise ValueError("a wrapping secret is required")
    salt = os.urandom(SALT_BYTES)
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(secret, purpose, salt).encrypt(nonce, key, _associated(purpose, session))
    return f"{VERSION}.{base64.urlsafe_b64encode(salt + nonce + sealed).decode('ascii')}"


def unwrap(secret: str, purpose: str, session: str, blob: str) -> bytes:
    """The key :func:`wrap` sealed; :class:`UnwrapError` for a wrong secret, another
    session or purpose, or a changed blob."""
    version, _, body = blob.partition(".")
    if version != VERSION or not secret:
        raise UnwrapError()
    try:
        raw = base64.b64decode(body.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise UnwrapError() from None
    if len(raw) < SALT_BYTES + NONCE_BYTES + 16:
        raise UnwrapError()
    salt, nonce = raw[:SALT_BYTES], raw[SALT_BYTES : SALT_BYTES + NONCE_BYTES]
    try:
        return _cipher(secret, purpose, salt).decrypt(
            nonce, raw[SALT_BYTES + NONCE_BYTES :], _associated(purpose, session)
        )
    except InvalidTag:
        raise UnwrapError() from None
