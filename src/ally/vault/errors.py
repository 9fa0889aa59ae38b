"""Errors the vault raises on purpose. Messages say what to do and never contain journal data."""

from __future__ import annotations

from ally.errors import AllyError


class VaultError(AllyError):
    """Something about the vault needs the person's attention."""


class VaultNotFoundError(VaultError):
    """There is no vault at this place yet."""


class VaultExistsError(VaultError):
    """A vault already exists here; it is never overwritten."""


class WrongPassphraseError(VaultError):
    """The passphrase does not unlock the vault (or the bundle's key file)."""

    def __init__(self) -> None:
        super().__init__(
            "That passphrase does not open this vault. Nothing was changed. "
            "Check for typos, the keyboard layout and Caps Lock, then try again."
        )


class VaultLockedError(VaultError):
    """Reading or writing content needs the vault to be unlocked with its passphrase."""


class ReadOnlyVaultError(VaultError):
    """The vault was opened with a shared key, which can read but not write."""


class VaultDamagedError(VaultError):
    """Stored data failed its integrity check; ``ally vault verify`` says where."""


class EntryNotFoundError(VaultError):
    """No entry or attachment has this id or number."""


class RecipientError(VaultError):
    """A public key is not a valid age recipient."""


class BundleError(VaultError):
    """An export bundle is incomplete, damaged, or not a bundle."""


class PassphraseError(VaultError):
    """A new passphrase is unusable (empty, too short, or the two copies differ)."""


class InvalidEntryError(VaultError):
    """An entry does not fit its kind (e.g. an incident without 'what happened')."""
