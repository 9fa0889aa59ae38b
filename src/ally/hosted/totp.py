"""Time-based one-time codes (RFC 6238) for the second factor of advocates and admins.

Six digits, SHA-1, 30-second steps: what every authenticator app reads from an
``otpauth://`` address. A code is accepted for the current step or one step either side
(clock drift), and never twice: the caller stores the step a code was used for and passes it
back, so a code seen over someone's shoulder cannot be replayed.

Secrets are stored sealed with a server key (:class:`ServerKey`) kept outside the database, so
a copy of the database (a backup, a dump, a read-only SQL injection) does not give anyone the
codes of the organisation's staff.
"""

from __future__ import annotations

import base64
import hmac
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ally.hosted.errors import HostedError
from ally.storage.private import private_folder
from ally.vault.location import data_dir

if TYPE_CHECKING:
    from ally.hosted.store import HostedStore

STEP_SECONDS = 30
DRIFT_STEPS = 1


def new_secret() -> str:
    """A random base32 secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` address an authenticator app reads (as a QR code or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def code_at(secret: str, when: float, digits: int = 6, digest: str = "sha1") -> str:
    """The code for the step that holds ``when`` (seconds since the epoch)."""
    import hashlib

    totp = pyotp.TOTP(secret, digits=digits, digest=getattr(hashlib, digest))
    return totp.at(int(when))


def matching_step(secret: str, code: str, now: float, last_used: int | None) -> int | None:
    """The step ``code`` belongs to, if it is valid now and later than ``last_used``; else None."""
    typed = "".join(code.split())
    if not typed.isdigit() or len(typed) != 6:
        return None
    current = int(now) // STEP_SECONDS
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        expected = code_at(secret, step * STEP_SECONDS)
        # Compare every candidate, so the time taken does not say which step matched.
        if hmac.compare_digest(expected, typed) and found is None:
            found = step
    if found is None or (last_used is not None and found <= last_used):
        return None
    return found


SEALED = "sealed1:"
"""The prefix of a TOTP secret sealed with the server key (AES-256-GCM, see ServerKey)."""
KEY_ENV = "ALLY_SERVER_KEY_FILE"
KEY_BYTES = 32
CHECK_NAME = "server-key-check"


class ServerKey:
    """The key that seals TOTP secrets at rest, kept in a file beside the app, never in the
    database (``docs/threat-model.md`` says what that protects against).

    A secret is sealed with AES-256-GCM under a fresh 96-bit nonce, with the id of the row
    it belongs to as associated data: a sealed secret copied onto another account's row does
    not open there.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise HostedError(f"The server key must be {KEY_BYTES} bytes; make a new key file.")
        self._aead = AESGCM(key)
        self.check = hmac.new(key, b"ally server key check", "sha256").hexdigest()[:32]
        """Stored in the database, so a process started with another key stops at once."""

    @classmethod
    def load(cls, path: Path | None = None) -> ServerKey:
        """The key in ``path``, else in ``$ALLY_SERVER_KEY_FILE``, else in ``server.key`` in
        Ally's data folder; a missing file is made (32 random bytes, readable by its owner
        only). Every app process of one database must be given the same file."""
        where = path or Path(os.environ.get(KEY_ENV) or data_dir() / "server.key")
        try:
            key = where.read_bytes()
        except FileNotFoundError:
            key = _make_key_file(where)
        except OSError as error:
            raise HostedError(
                f"The server key file {where} could not be read: check its permissions."
            ) from error
        return cls(key)

    def seal(self, secret: str, owner: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, secret.encode(), owner.encode())
        return SEALED + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, stored: str, owner: str) -> str:
        """The secret in ``stored``; HostedError if it was not sealed with this key for
        ``owner`` (the key file was changed, or the row was)."""
        if not stored.startswith(SEALED):
            raise HostedError("This second-factor secret is not sealed; restart Ally to seal it.")
        try:
            raw = base64.urlsafe_b64decode(stored.removeprefix(SEALED))
            return self._aead.decrypt(raw[:12], raw[12:], owner.encode()).decode()
        except (InvalidTag, ValueError) as error:
            raise HostedError(
                "A second-factor secret does not open with this server key. Start Ally with "
                "the key file it was set up with."
            ) from error


def _make_key_file(where: Path) -> bytes:
    """A new random key in a new 0600 file; if another process made it first, theirs."""
    private_folder(where.parent)
    key = os.urandom(KEY_BYTES)
    try:
        handle = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return where.read_bytes()
    with os.fdopen(handle, "wb") as file:
        file.write(key)
        file.flush()
        os.fsync(file.fileno())
    return key


def bind_key(store: HostedStore, key: ServerKey) -> int:
    """Check that ``key`` is this database's server key (the first key to come is kept) and
    seal every TOTP secret still stored in clear (rows written before secrets were sealed).
    Returns how many were sealed. Safe to run at every start, from several processes."""
    with store.transaction() as db:
        db.execute(
            "INSERT INTO hosted_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (CHECK_NAME, key.check),
        )
        kept = db.query("SELECT value FROM hosted_meta WHERE name = ?", (CHECK_NAME,))
        if not hmac.compare_digest(str(kept[0][0]), key.check):
            raise HostedError(
                "This server key is not the one this database was set up with. Give every app "
                f"process the same key file (--server-key-file or {KEY_ENV})."
            )
        sealed = 0
        for table in ("hosted_accounts", "hosted_invitations"):
            rows = db.query(
                f"SELECT id, totp_secret FROM {table}"
                " WHERE totp_secret IS NOT NULL AND substr(totp_secret, 1, ?) <> ?",
                (len(SEALED), SEALED),
            )
            for row_id, secret in rows:
                db.execute(
                    f"UPDATE {table} SET totp_secret = ? WHERE id = ? AND totp_secret = ?",
                    (key.seal(str(secret), str(row_id)), row_id, secret),
                )
                sealed += 1
    return sealed


def rotate_key(store: HostedStore, old: ServerKey, new: ServerKey) -> int:
    """Reseal every TOTP secret from ``old`` to ``new`` and make ``new`` this database's key,
    all in one transaction (a failure leaves everything under ``old``). For a key file that
    was copied where it should not be. Returns how many secrets were resealed."""
    bind_key(store, old)  # refuses if ``old`` is not the database's key
    with store.transaction() as db:
        resealed = 0
        for table in ("hosted_accounts", "hosted_invitations"):
            rows = db.query(f"SELECT id, totp_secret FROM {table} WHERE totp_secret IS NOT NULL")
            for row_id, stored in rows:
                secret = old.open(str(stored), str(row_id))
                db.execute(
                    f"UPDATE {table} SET totp_secret = ? WHERE id = ?",
                    (new.seal(secret, str(row_id)), row_id),
                )
                resealed += 1
        db.execute("UPDATE hosted_meta SET value = ? WHERE name = ?", (new.check, CHECK_NAME))
    return resealed
