"""All of the vault's cryptography, behind a few functions that are hard to misuse.

The design (see docs/threat-model.md):

* A vault has one random X25519 :class:`Identity` (an age key). Every entry and attachment is an
  age file encrypted to that identity's :class:`Recipient` and to any recipient the person
  shared the vault with. So anyone holding a key can decrypt with the stock ``age`` tool.
* The identity itself is stored *locked*: an age file encrypted with the passphrase (age's scrypt
  recipient, work factor 2^18 by default, above OWASP's 2^17). Changing the passphrase re-locks
  this one small file; no content is re-encrypted.
* Files are written in streaming fashion (:class:`Sealer`), 64 KiB at a time, so any size fits
  in constant memory, and the caller sees the ciphertext as it is produced (to hash and store).

* Lookups (:class:`LookupKey`): an importer must find what it already stored without decrypting
  every entry, so each imported entry can carry an HMAC-SHA-256 of its natural key, under a
  key derived (HKDF) from the vault identity. Without the identity the digests look random.

Callers never handle file keys, nonces or raw secrets: they pass recipients in, bytes in and
out. Secret material never appears in ``repr`` or error messages.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from blake3 import blake3
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from ally.vault import agefmt
from ally.vault.errors import (
    RecipientError,
    UnusableRecipientError,
    VaultDamagedError,
    WrongPassphraseError,
)

DEFAULT_WORK_FACTOR = 18
"""scrypt log2(N) for locking the vault key: age's default, 256 MiB and ~1 s to try one guess."""

MIN_WORK_FACTOR = 10
"""Lowest accepted when locking (tests use it for speed; people always get the default)."""

_SECRET_HRP = "age-secret-key-"
_PUBLIC_HRP = "age"
_NOT_A_PUBLIC_KEY = "That is not an age public key. It should start with age1 and be 62 characters."


class Recipient:
    """An age X25519 public key (``age1...``): who can read what is encrypted to it."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise RecipientError("An age public key must hold 32 bytes.")
        if agefmt.is_low_order(key):
            raise UnusableRecipientError()
        self._key = key

    @classmethod
    def parse(cls, text: str) -> Recipient:
        """Parse ``age1...``; a clear error for anything else (ssh keys, typos, secrets)."""
        text = text.strip()
        if text.upper().startswith("AGE-SECRET-KEY-"):
            raise RecipientError(
                "That is a secret key. Share only the public key, which starts with age1."
            )
        try:
            hrp, key = agefmt.bech32_decode(text)
        except agefmt.FormatError as error:
            raise RecipientError(_NOT_A_PUBLIC_KEY) from error
        if hrp != _PUBLIC_HRP or len(key) != 32 or text != text.lower():
            raise RecipientError(_NOT_A_PUBLIC_KEY)
        return cls(key)

    @property
    def raw(self) -> bytes:
        return self._key

    def __str__(self) -> str:
        return agefmt.bech32_encode(_PUBLIC_HRP, self._key)

    def __repr__(self) -> str:
        return f"Recipient({self})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Recipient) and other._key == self._key

    def __hash__(self) -> int:
        return hash(self._key)


_NOT_A_SECRET_KEY = "That is not an age secret key (AGE-SECRET-KEY-1...)."


class Identity:
    """An age X25519 secret key. Its repr shows only the public half."""

    __slots__ = ("_private", "_secret")

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._private = X25519PrivateKey.from_private_bytes(secret)

    @classmethod
    def generate(cls) -> Identity:
        return cls(os.urandom(32))

    @classmethod
    def parse(cls, text: str) -> Identity:
        """Parse an age identity file (comments allowed) or one ``AGE-SECRET-KEY-1...`` line."""
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        if len(lines) != 1:
            raise RecipientError("An age identity file must hold exactly one secret key.")
        try:
            hrp, secret = agefmt.bech32_decode(lines[0])
        except agefmt.FormatError as error:
            raise RecipientError(_NOT_A_SECRET_KEY) from error
        if hrp != _SECRET_HRP or len(secret) != 32:
            raise RecipientError(_NOT_A_SECRET_KEY)
        return cls(secret)

    @property
    def recipient(self) -> Recipient:
        return Recipient(self._private.public_key().public_bytes_raw())

    def identity_file(self) -> str:
        """The key in age's identity-file format. Handle with care: it unlocks everything."""
        secret = agefmt.bech32_encode(_SECRET_HRP, self._secret).upper()
        return f"# public key: {self.recipient}\n{secret}\n"

    def _unwrap(self, stanza: agefmt.Stanza) -> bytes | None:
        return agefmt.unwrap_x25519(stanza, self._secret)

    def lookup_key(self) -> LookupKey:
        """The key for this vault's lookup digests (see :class:`LookupKey`)."""
        return LookupKey(agefmt.hkdf(self._secret, b"", _LOOKUP_INFO))

    def __repr__(self) -> str:
        return f"Identity(public={self.recipient})"


_LOOKUP_INFO = b"ally-vault-lookup-v1"


class LookupKey:
    """Keyed digests of what identifies an entry (a message's natural key), for lookups.

    HMAC-SHA-256 under a key derived from the vault identity with HKDF (its own label, so it
    is independent of every age key). The same value gives the same digest in this vault only;
    without the identity a digest reveals nothing about the value, and two vaults' digests of
    the same message differ. The identity survives a passphrase change, so digests do too.
    """

    __slots__ = ("_keyed",)

    def __init__(self, key: bytes) -> None:
        # HMAC's keyed start, worked out once: each digest then copies it (an import makes
        # several per message).
        self._keyed = hmac.new(key, digestmod="sha256")

    def digest(self, kind: str, value: str) -> str:
        data = f"{kind}\0{value}".encode("utf-8", "surrogatepass")
        mac = self._keyed.copy()
        mac.update(data)
        return mac.hexdigest()

    def __repr__(self) -> str:
        return "LookupKey(...)"


# --- passphrase locking -----------------------------------------------------------------------


def lock_identity(
    identity: Identity,
    passphrase: str,
    work_factor: int = DEFAULT_WORK_FACTOR,
    salt: bytes | None = None,
) -> bytes:
    """The identity file, encrypted with the passphrase (``age -d`` can open it)."""
    return lock_bytes(identity.identity_file().encode("ascii"), passphrase, work_factor, salt)


def lock_bytes(
    data: bytes, passphrase: str, work_factor: int = DEFAULT_WORK_FACTOR, salt: bytes | None = None
) -> bytes:
    """A small value as an age file locked with a passphrase (one scrypt stanza).

    ``salt``: see :func:`open_locked`; random unless given.
    """
    if not passphrase:
        raise ValueError("empty passphrase")
    if not MIN_WORK_FACTOR <= work_factor <= agefmt.MAX_SCRYPT_LOG_N:
        raise ValueError("work factor out of range")
    file_key = os.urandom(agefmt.FILE_KEY_SIZE)
    stanza = agefmt.scrypt_stanza(passphrase.encode("utf-8"), file_key, work_factor, salt)
    return _seal_with(file_key, [stanza], data)


def scrypt_params(locked: bytes) -> tuple[bytes, int]:
    """(salt, work factor) of a file locked with a passphrase; VaultDamagedError otherwise."""
    header = _split(locked)[0]
    if len(header.stanzas) != 1 or header.stanzas[0].type != "scrypt":
        raise VaultDamagedError(
            "The vault's key file is not locked with a passphrase, so no passphrase can open "
            "it: it was replaced or damaged. Run `ally vault verify`, or restore a backup."
        )
    try:
        return agefmt.scrypt_params(header.stanzas[0])
    except agefmt.FormatError as error:
        raise VaultDamagedError(
            "The vault's key file is damaged. Run `ally vault verify`."
        ) from error


def open_locked(passphrase: str, locked: Sequence[bytes | None]) -> list[bytes | None]:
    """Try one passphrase on several passphrase-locked files with the least scrypt work.

    Files locked with the same salt and work factor (a vault's passphrase and its duress
    passphrase) share one derivation: scrypt runs once per distinct (salt, work factor), and
    every file is tried whatever the outcome, so the work done, and the time taken, do not
    depend on which file (if any) the passphrase opens. Returns each file's plaintext, or
    None where the passphrase does not fit (or the slot is None). A file that opens but then
    fails its checks is damage (VaultDamagedError), not a wrong passphrase.
    """
    secret = passphrase.encode("utf-8")
    parsed = [None if data is None else (_split(data), scrypt_params(data)) for data in locked]
    derived: dict[tuple[bytes, int], bytes] = {}
    for item in parsed:
        if item is not None and item[1] not in derived:
            derived[item[1]] = agefmt.scrypt_wrap_key(secret, *item[1])
    keys = [
        None if item is None else agefmt.unwrap_with_key(item[0][0].stanzas[0], derived[item[1]])
        for item in parsed
    ]
    out: list[bytes | None] = []
    for item, key in zip(parsed, keys, strict=True):
        if item is None or key is None:
            out.append(None)
            continue
        (header, rest), _ = item
        if not header.verify_mac(key):
            raise VaultDamagedError("Stored data is damaged (header check failed).")
        out.append(b"".join(_open_payload(key, iter([rest]))))
    return out


def unopenable_lock(like: bytes, size: int) -> bytes:
    """An age file shaped like ``like`` (same salt and work factor) that nothing opens.

    Its stanza holds random bytes instead of a wrapped file key, so no passphrase fits, and
    no scrypt work is spent making it. What replaces a wiped key file: the chain still
    verifies, and the file cannot be told from a key locked with an unknown passphrase.
    """
    salt, log_n = scrypt_params(like)
    file_key = os.urandom(agefmt.FILE_KEY_SIZE)
    stanza = agefmt.scrypt_stanza_with(
        os.urandom(32), os.urandom(agefmt.FILE_KEY_SIZE), salt, log_n
    )
    return _seal_with(file_key, [stanza], os.urandom(size))


def identity_from(data: bytes) -> Identity:
    """The identity in an opened key file; VaultDamagedError if it holds none."""
    try:
        return Identity.parse(data.decode("ascii"))
    except (UnicodeDecodeError, RecipientError) as error:
        raise VaultDamagedError(
            "The vault's key file opened but holds no age key. Run `ally vault verify`."
        ) from error


def unlock_identity(locked: bytes, passphrase: str) -> Identity:
    """Open a locked identity; WrongPassphraseError if the passphrase does not fit.

    A key file that is not locked with a passphrase at all (encrypted to an age key, say) is
    damage, not a wrong passphrase: trying other passphrases would never help.
    """
    header = _split(locked)[0]
    if len(header.stanzas) != 1 or header.stanzas[0].type != "scrypt":
        raise VaultDamagedError(
            "The vault's key file is not locked with a passphrase, so no passphrase can open "
            "it: it was replaced or damaged. Run `ally vault verify`, or restore a backup."
        )
    text = b"".join(open_with([locked], passphrases=[passphrase]))
    try:
        return Identity.parse(text.decode("ascii"))
    except (UnicodeDecodeError, RecipientError) as error:
        raise VaultDamagedError(
            "The vault's key file opened but holds no age key. Run `ally vault verify`."
        ) from error


# --- sealing ----------------------------------------------------------------------------------


def _header_for(recipients: Sequence[Recipient], file_key: bytes) -> bytes:
    if not recipients:
        raise ValueError("at least one recipient is needed")
    unique = list(dict.fromkeys(recipients))
    try:
        stanzas = [agefmt.x25519_stanza(r.raw, file_key) for r in unique]
    except agefmt.UnusableKeyError as error:  # Recipient refuses such keys; kept as a guard
        raise UnusableRecipientError() from error
    return agefmt.encode_header(stanzas, file_key)


def _seal_with(file_key: bytes, stanzas: list[agefmt.Stanza], data: bytes) -> bytes:
    parts: list[bytes | bytearray] = [agefmt.encode_header(stanzas, file_key)]
    sealer = agefmt.PayloadSealer(file_key, parts.append)
    sealer.write(data)
    sealer.close()
    return b"".join(parts)


class Sealer:
    """Encrypts a stream to recipients; ciphertext goes to ``sink`` as it is produced.

    The header is sent first, then the payload. Use as a context manager, or call
    :meth:`close` to write the final chunk: an unclosed file does not decrypt.
    """

    def __init__(
        self,
        recipients: Sequence[Recipient],
        sink: Callable[[bytes | bytearray], object],
        allocate: Callable[[int], bytearray] = bytearray,
    ) -> None:
        file_key = os.urandom(agefmt.FILE_KEY_SIZE)
        sink(_header_for(recipients, file_key))
        self._payload = agefmt.PayloadSealer(file_key, sink, allocate)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._payload.write(data)

    def close(self) -> None:
        self._payload.close()

    def __enter__(self) -> Sealer:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()


def seal(data: bytes, recipients: Sequence[Recipient]) -> bytes:
    """Encrypt a small value (an entry) to the recipients, as one age file."""
    parts: list[bytes | bytearray] = []
    with Sealer(recipients, parts.append) as sealer:
        sealer.write(data)
    return b"".join(parts)


# --- opening ----------------------------------------------------------------------------------


def _split(data: bytes) -> tuple[agefmt.Header, bytes]:
    try:
        length = agefmt.header_length(data)
        if length is None:
            raise agefmt.HeaderError("no complete header")
        return agefmt.parse_header(data[:length]), data[length:]
    except agefmt.FormatError as error:
        raise VaultDamagedError(
            "Stored data is damaged (not a readable age file). Run `ally vault verify`."
        ) from error


def _file_key(
    header: agefmt.Header, identities: Sequence[Identity], passphrases: Sequence[str]
) -> bytes:
    """The file key from the first stanza a key or passphrase opens; the header MAC checked.

    Stanzas are tried in order and a malformed one stops the search, as the age reference
    implementation does. A stanza that opens fixes the file key: if the MAC then fails, the
    header was changed, whatever the other stanzas hold.
    """
    secrets_ = [p.encode("utf-8") for p in passphrases]
    try:
        for stanza in header.stanzas:
            key = _unwrap(stanza, identities, secrets_)
            if key is None:
                continue
            if not header.verify_mac(key):
                raise agefmt.HeaderMacError("the header MAC does not match")
            return key
        raise agefmt.NoMatchError("no stanza opens with the keys given")
    except agefmt.NoMatchError as error:
        if passphrases and not identities:
            raise WrongPassphraseError() from error
        raise VaultDamagedError(
            "This key cannot open that item: it was not shared with this key, or it was damaged."
        ) from error
    except agefmt.HeaderMacError as error:
        raise VaultDamagedError(
            "Stored data is damaged (header check failed). Run `ally vault verify`."
        ) from error
    except agefmt.FormatError as error:
        raise VaultDamagedError("Stored data is damaged. Run `ally vault verify`.") from error


def _unwrap(
    stanza: agefmt.Stanza, identities: Sequence[Identity], passphrases: Sequence[bytes]
) -> bytes | None:
    for identity in identities:
        key = identity._unwrap(stanza)
        if key is not None:
            return key
    for passphrase in passphrases:
        key = agefmt.unwrap_scrypt(stanza, passphrase)
        if key is not None:
            return key
    return None


def _open_payload(file_key: bytes, pieces: Iterator[bytes]) -> Iterator[bytes]:
    try:
        yield from agefmt.open_payload(file_key, pieces)
    except agefmt.HeaderError as error:
        raise VaultDamagedError(
            "Stored data is damaged (not a readable age file). Run `ally vault verify`."
        ) from error
    except agefmt.FormatError as error:
        raise VaultDamagedError(
            "Stored data was modified or is damaged. Run `ally vault verify`."
        ) from error


def open_with(
    pieces: Iterable[bytes],
    *,
    identities: Sequence[Identity] = (),
    passphrases: Sequence[str] = (),
) -> Iterator[bytes]:
    """Decrypt an age file given as byte pieces, with age keys or passphrases (age's decoder).

    Plaintext is yielded as each chunk is authenticated. Every failure is an Ally error whose
    cause names the age test kit's failure (:mod:`ally.vault.agefmt`): VaultDamagedError for
    a damaged header, payload or MAC, or for keys that open no stanza; WrongPassphraseError
    when only passphrases were given and none fits. A caller should discard what it already
    received when an error comes.
    """
    iterator = iter(pieces)
    buffer = b""
    length: int | None = None
    for piece in iterator:
        buffer += piece
        try:
            length = agefmt.header_length(buffer)
        except agefmt.FormatError:
            break
        if length is not None:
            break
    header, rest = _split(buffer)  # the whole header is in the buffer, or this raises
    file_key = _file_key(header, identities, passphrases)
    yield from _open_payload(file_key, _chain([rest], iterator))


def open_stream(pieces: Iterable[bytes], identity: Identity) -> Iterator[bytes]:
    """Decrypt an age file given as byte pieces with the identity (see :func:`open_with`)."""
    return open_with(pieces, identities=[identity])


def _chain(first: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    yield from first
    yield from rest


def open_sealed(data: bytes, identity: Identity) -> bytes:
    """Decrypt a small age file (an entry) with the identity."""
    return b"".join(open_stream([data], identity))


def rewrap_header(header: bytes, identity: Identity, recipients: Sequence[Recipient]) -> bytes:
    """A new header for the same payload, readable by ``recipients`` (sharing, exports).

    The payload is untouched, so its hash in the chain still verifies.
    """
    parsed, rest = _split(header)
    if rest:
        raise ValueError("rewrap_header takes the header only")
    return _header_for(recipients, _file_key(parsed, [identity], ()))


# --- fingerprints (no key needed) -------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """What the chain records about a stored age file: hashes of header and payload, size.

    The hashes are BLAKE3-256 (hex): as strong as SHA-256 for this purpose and several times
    faster, so hashing a 2 GB video costs less than encrypting it. (Record hashes and bundle
    file lists use SHA-256, which anyone can recompute with ``sha256sum``.)
    """

    header_hash: str
    payload_hash: str
    size: int


class Fingerprinter:
    """Hashes an age file's header and payload separately (BLAKE3) as its bytes go by.

    Separate hashes let a shared copy (new header, same payload) be checked against the chain.
    """

    def __init__(self) -> None:
        self._head = bytearray()
        self._header_hash: str | None = None
        self._payload = blake3()
        self._size = 0

    def update(self, data: bytes | bytearray | memoryview) -> None:
        self._size += len(data)
        if self._header_hash is not None:
            self._payload.update(data)
            return
        self._head += data
        try:
            length = agefmt.header_length(bytes(self._head))
        except agefmt.FormatError as error:
            raise VaultDamagedError("not an age file") from error
        if length is not None:
            self._header_hash = blake3(bytes(self._head[:length])).hexdigest()
            self._payload.update(self._head[length:])
            self._head = bytearray()

    def finish(self) -> Fingerprint:
        if self._header_hash is None:
            raise VaultDamagedError("not an age file (no complete header)")
        return Fingerprint(self._header_hash, self._payload.hexdigest(), self._size)


def fingerprint(pieces: Iterable[bytes]) -> Fingerprint:
    hasher = Fingerprinter()
    for piece in pieces:
        hasher.update(piece)
    return hasher.finish()


def split_header(data: bytes) -> tuple[bytes, bytes]:
    """(header, payload) of a complete age file held in memory."""
    try:
        length = agefmt.header_length(data)
    except agefmt.FormatError:
        length = None
    if length is None:
        raise VaultDamagedError("not an age file")
    return data[:length], data[length:]
