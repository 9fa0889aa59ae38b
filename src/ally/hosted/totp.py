"""Time-based one-time codes (RFC 6238) for the second factor of advocates and admins.

Six digits, SHA-1, 30-second steps: what every authenticator app reads from an
``otpauth://`` address. A code is accepted for the current step or one step either side
(clock drift), and never twice: the caller stores the step a code was used for and passes it
back, so a code seen over someone's shoulder cannot be replayed.
"""

from __future__ import annotations

import hmac

import pyotp

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
