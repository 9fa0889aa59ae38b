"""Errors the vault raises on purpose. Messages say what to do and never contain journal data."""

from __future__ import annotations

from ally.errors import AllyError, AllyWarning


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


class UnusableRecipientError(RecipientError):
    """A well-formed age public key that no one can hold (all zeros, or a low-order point).

    Encrypting to it would give every reader the same all-zero secret, so age forbids it and
    pyca/cryptography refuses the exchange. Ally refuses it when a key is read, shared or met
    inside a file.
    """

    def __init__(self) -> None:
        super().__init__(
            "That age key cannot be used: it is a placeholder key (all zeros or another "
            "'low-order' value) that no one holds, so nothing encrypted to it could be read. "
            "Ask the person for the public key their age program shows (it starts with age1)."
        )


class BundleError(VaultError):
    """A bundle could not be written, or is incomplete, damaged or not a bundle.

    The one error for both kinds of bundle: the journal's export (:mod:`ally.vault.bundle`)
    and the evidence bundle that carries a report with it (:mod:`ally.documents.bundle`).
    """


class PassphraseError(VaultError):
    """A new passphrase is unusable (empty, too short, or the two copies differ)."""


class InvalidEntryError(VaultError):
    """An entry does not fit its kind (e.g. an incident without 'what happened')."""


class UnusableShareWarning(AllyWarning):
    """The vault is shared with a key no one can hold; new content is not encrypted to it.

    Ally before this check accepted an all-zero or low-order age key for sharing; a vault
    that recorded one keeps working, skipping that key, and says so once per command.
    """

    def __init__(self) -> None:
        super().__init__(
            "This journal is shared with an age key that cannot be used (a placeholder key), "
            "so new entries are not encrypted to it. `ally vault shares` lists it; remove it "
            "with `ally vault unshare KEY`."
        )
