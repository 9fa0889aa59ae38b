"""The age v1 file format (https://age-encryption.org/v1), built on vetted primitives.

Why our own encoder rather than only pyrage: the vault must (a) stream a 2 GB attachment in
fixed chunks while hashing it, at close to the speed of the ``age`` binary, and (b) add a
recipient to an existing file by re-wrapping its file key in a new header, without touching the
payload. Neither is exposed by pyrage. The cryptography itself is pyca/cryptography's X25519,
HKDF-SHA-256, HMAC-SHA-256 and ChaCha20-Poly1305, plus hashlib's scrypt; this module only does
the encoding the age specification lays down. The test suite checks every direction against
the stock ``age`` binary and against pyrage.

Nothing outside :mod:`ally.vault.crypto` should import this module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION_LINE = b"age-encryption.org/v1"
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
FILE_KEY_SIZE = 16
NONCE_SIZE = 16
MAX_HEADER = 64 * 1024
MAX_SCRYPT_LOG_N = 22
_X25519_INFO = b"age-encryption.org/v1/X25519"
_SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
_ZERO_NONCE = bytes(12)


class FormatError(ValueError):
    """Base of every way an age file or key fails to decode (damaged, or not age at all).

    The subclasses are the failures the age test kit (C2SP/CCTV) names, so a caller and the
    conformance tests can tell them apart; :mod:`ally.vault.crypto` turns each into an Ally
    error and keeps this one as its cause.
    """


class HeaderError(FormatError):
    """The header is malformed (the test kit's "header failure")."""


class NoMatchError(FormatError):
    """The header is well formed but none of the keys or passphrases opens a stanza."""


class HeaderMacError(FormatError):
    """A stanza opened, but the header's MAC does not match: the header was changed."""


class PayloadError(FormatError):
    """The payload was modified, truncated or extended (the test kit's "payload failure")."""


class UnusableKeyError(FormatError):
    """An X25519 public key is a low-order point (all-zero shared secret): age forbids it."""


# --- encodings -------------------------------------------------------------------------------


def b64encode(data: bytes) -> bytes:
    """age's base64: standard alphabet, no padding."""
    return base64.b64encode(data).rstrip(b"=")


def b64decode(text: bytes) -> bytes:
    """Strict inverse of :func:`b64encode`: rejects padding and non-canonical encodings."""
    if b"=" in text or len(text) % 4 == 1 or b"\n" in text or b"\r" in text:
        raise HeaderError("bad base64 in the header")
    try:
        data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except ValueError as error:
        raise HeaderError("bad base64 in the header") from error
    if b64encode(data) != text:
        raise HeaderError("non-canonical base64 in the header")
    return data


_BECH32_ALPHABET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _bech32_polymod(values: Iterable[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i, gen in enumerate(_BECH32_GEN):
            if (top >> i) & 1:
                check ^= gen
    return check


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: Iterable[int], from_bits: int, to_bits: int, pad: bool) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << to_bits) - 1
    for value in data:
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (to_bits - bits)) & maxv)
    elif not pad and (bits >= from_bits or (acc << (to_bits - bits)) & maxv):
        raise FormatError("bad key encoding")
    return out


def bech32_encode(hrp: str, data: bytes) -> str:
    """Bech32 (BIP 173) as age uses it for keys; no length limit."""
    words = _convert_bits(data, 8, 5, pad=True)
    poly = _bech32_polymod([*_hrp_expand(hrp), *words, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32_ALPHABET[w] for w in words + checksum)


def bech32_decode(text: str) -> tuple[str, bytes]:
    """Decode a bech32 string (all lower or all upper case); returns (hrp, data)."""
    if text.lower() != text and text.upper() != text:
        raise FormatError("mixed case in a key")
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text):
        raise FormatError("not a bech32 key")
    hrp, rest = text[:pos], text[pos + 1 :]
    try:
        words = [_BECH32_ALPHABET.index(c) for c in rest]
    except ValueError:
        # `from None`: list.index's ValueError says nothing more.
        raise FormatError("bad character in a key") from None
    if _bech32_polymod([*_hrp_expand(hrp), *words]) != 1:
        raise FormatError("bad checksum in a key")
    return hrp, bytes(_convert_bits(words[:-6], 5, 8, pad=False))


# --- key derivation ----------------------------------------------------------------------------


def hkdf(ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def _scrypt_key(passphrase: bytes, salt: bytes, log_n: int) -> bytes:
    n = 1 << log_n
    return hashlib.scrypt(
        passphrase, salt=_SCRYPT_LABEL + salt, n=n, r=8, p=1, maxmem=1024 * n + (32 << 20), dklen=32
    )


# --- stanzas and header -----------------------------------------------------------------------


@dataclass(frozen=True)
class Stanza:
    """One recipient stanza: ``-> type args...`` and a base64 body."""

    type: str
    args: tuple[str, ...]
    body: bytes

    def encode(self) -> bytes:
        line = b"-> " + " ".join((self.type, *self.args)).encode("ascii") + b"\n"
        text = b64encode(self.body)
        lines = [text[i : i + 64] for i in range(0, len(text), 64)]
        if not lines or len(lines[-1]) == 64:
            lines.append(b"")
        return line + b"".join(part + b"\n" for part in lines)


def _shared_secret(private: X25519PrivateKey, public: bytes) -> bytes | None:
    """The X25519 shared secret, or None when it is all zeros (``public`` is a low-order point).

    pyca/cryptography refuses an all-zero result with a bare ValueError; age requires that
    refusal, so it is turned into None here for the callers to name the failure.
    """
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(public))
    except ValueError:
        return None
    return None if shared == bytes(32) else shared


def is_low_order(public: bytes) -> bool:
    """Whether an X25519 public key gives an all-zero shared secret with every private key.

    A clamped private key is a multiple of 8, so every point of order 1, 2, 4 or 8 (the
    all-zero key among them, and their non-canonical encodings) gives zero with any key; one
    exchange with a fresh key tells.
    """
    return _shared_secret(X25519PrivateKey.generate(), public) is None


def x25519_stanza(recipient: bytes, file_key: bytes) -> Stanza:
    """Wrap ``file_key`` for an X25519 public key (32 bytes), as the spec lays down."""
    ephemeral = X25519PrivateKey.generate()
    share = ephemeral.public_key().public_bytes_raw()
    shared = _shared_secret(ephemeral, recipient)
    if shared is None:
        raise UnusableKeyError("this public key is not usable (a low-order point)")
    wrap_key = hkdf(shared, share + recipient, _X25519_INFO)
    body = ChaCha20Poly1305(wrap_key).encrypt(_ZERO_NONCE, file_key, None)
    return Stanza("X25519", (b64encode(share).decode("ascii"),), body)


def scrypt_stanza(
    passphrase: bytes, file_key: bytes, log_n: int, salt: bytes | None = None
) -> Stanza:
    """Wrap ``file_key`` with a passphrase (age's scrypt recipient, r=8, p=1).

    ``salt`` is random unless given: a vault's passphrase slots share one salt, so a single
    derivation tries every slot (see ``crypto.open_locked``).
    """
    salt = os.urandom(16) if salt is None else salt
    if len(salt) != 16:
        raise ValueError("an age scrypt salt holds 16 bytes")
    return scrypt_stanza_with(scrypt_wrap_key(passphrase, salt, log_n), file_key, salt, log_n)


def scrypt_stanza_with(wrap_key: bytes, file_key: bytes, salt: bytes, log_n: int) -> Stanza:
    """A scrypt stanza from a wrap key already derived (see :func:`scrypt_wrap_key`)."""
    body = ChaCha20Poly1305(wrap_key).encrypt(_ZERO_NONCE, file_key, None)
    return Stanza("scrypt", (b64encode(salt).decode("ascii"), str(log_n)), body)


def scrypt_wrap_key(passphrase: bytes, salt: bytes, log_n: int) -> bytes:
    """The key scrypt derives from a passphrase: the only costly step of trying one."""
    return _scrypt_key(passphrase, salt, log_n)


def unwrap_x25519(stanza: Stanza, secret: bytes) -> bytes | None:
    """The file key if ``secret`` (a raw X25519 private key) opens this stanza, else None."""
    if stanza.type != "X25519":
        return None
    if len(stanza.args) != 1 or len(stanza.body) != FILE_KEY_SIZE + TAG_SIZE:
        raise HeaderError("malformed X25519 stanza")
    share = b64decode(stanza.args[0].encode("ascii"))
    if len(share) != 32:
        raise HeaderError("malformed X25519 stanza")
    private = X25519PrivateKey.from_private_bytes(secret)
    shared = _shared_secret(private, share)
    if shared is None:
        raise HeaderError("the X25519 stanza's share is a low-order point")
    recipient = private.public_key().public_bytes_raw()
    wrap_key = hkdf(shared, share + recipient, _X25519_INFO)
    try:
        return ChaCha20Poly1305(wrap_key).decrypt(_ZERO_NONCE, stanza.body, None)
    except InvalidTag:
        return None


def scrypt_params(stanza: Stanza) -> tuple[bytes, int]:
    """(salt, log2 of the work factor) of a well-formed scrypt stanza; HeaderError if not."""
    if stanza.type != "scrypt" or len(stanza.args) != 2:
        raise HeaderError("malformed scrypt stanza")
    if len(stanza.body) != FILE_KEY_SIZE + TAG_SIZE:
        raise HeaderError("malformed scrypt stanza")
    salt = b64decode(stanza.args[0].encode("ascii"))
    log_n_text = stanza.args[1]
    if (
        len(salt) != 16
        or not log_n_text.isascii()
        or not log_n_text.isdigit()
        or log_n_text.startswith("0")
    ):
        raise HeaderError("malformed scrypt stanza")
    log_n = int(log_n_text)
    if log_n > MAX_SCRYPT_LOG_N:
        raise HeaderError("the passphrase work factor is too large to try safely")
    return salt, log_n


def unwrap_with_key(stanza: Stanza, wrap_key: bytes) -> bytes | None:
    """The file key if the derived ``wrap_key`` opens this scrypt stanza, else None."""
    try:
        return ChaCha20Poly1305(wrap_key).decrypt(_ZERO_NONCE, stanza.body, None)
    except InvalidTag:
        return None


def unwrap_scrypt(stanza: Stanza, passphrase: bytes) -> bytes | None:
    """The file key if ``passphrase`` opens this scrypt stanza, else None."""
    if stanza.type != "scrypt":
        return None
    salt, log_n = scrypt_params(stanza)
    return unwrap_with_key(stanza, _scrypt_key(passphrase, salt, log_n))


def encode_header(stanzas: Iterable[Stanza], file_key: bytes) -> bytes:
    """The full header, ending with the MAC line."""
    text = VERSION_LINE + b"\n" + b"".join(s.encode() for s in stanzas) + b"---"
    mac = hmac.new(hkdf(file_key, b"", b"header"), text, "sha256").digest()
    return text + b" " + b64encode(mac) + b"\n"


@dataclass(frozen=True)
class Header:
    """A parsed header: its stanzas, the MAC, and the exact bytes it was parsed from."""

    stanzas: tuple[Stanza, ...]
    mac: bytes
    raw: bytes

    def verify_mac(self, file_key: bytes) -> bool:
        text = self.raw[: self.raw.rindex(b"\n---") + 4]
        expected = hmac.new(hkdf(file_key, b"", b"header"), text, "sha256").digest()
        return hmac.compare_digest(expected, self.mac)


def header_length(data: bytes) -> int | None:
    """Length of the header at the start of ``data``, or None if it is not complete yet.

    Used to split a stored file into header and payload for hashing, without any key: the
    header ends with the first line that starts with ``---`` (base64 never contains '-').
    """
    prefix = VERSION_LINE + b"\n"
    if not data.startswith(prefix):
        if len(data) >= len(prefix) or not prefix.startswith(data):
            raise HeaderError("not an age file")
        return None
    mac_line = data.find(b"\n--- ", 0, MAX_HEADER)
    end = data.find(b"\n", mac_line + 5, MAX_HEADER + 100) if mac_line >= 0 else -1
    if end < 0:
        if len(data) > MAX_HEADER:
            raise HeaderError("the header is too long")
        return None
    return end + 1


def parse_header(raw: bytes) -> Header:
    """Parse exactly one header (``raw`` must be the header bytes, as header_length found)."""
    lines = raw.split(b"\n")
    if lines[0] != VERSION_LINE or lines[-1] != b"":
        raise HeaderError("not an age file")
    stanzas: list[Stanza] = []
    i = 1
    while lines[i].startswith(b"-> "):
        try:
            parts = lines[i][3:].decode("ascii").split(" ")
        except UnicodeDecodeError as error:
            raise HeaderError("malformed stanza") from error
        if any(not p or not p.isprintable() for p in parts):
            raise HeaderError("malformed stanza")
        body = b""
        i += 1
        while True:
            if i >= len(lines) - 1 or len(lines[i]) > 64:
                raise HeaderError("malformed stanza body")
            body += lines[i]
            i += 1
            if len(lines[i - 1]) < 64:
                break
        stanzas.append(Stanza(parts[0], tuple(parts[1:]), b64decode(body)))
    if i != len(lines) - 2 or not lines[i].startswith(b"--- ") or not stanzas:
        raise HeaderError("malformed header")
    if any(s.type == "scrypt" for s in stanzas) and len(stanzas) > 1:
        raise HeaderError("a passphrase (scrypt) stanza must be the only one in the header")
    mac = b64decode(lines[i][4:])
    if len(mac) != 32:
        raise HeaderError("malformed header MAC")
    return Header(tuple(stanzas), mac, raw)


# --- payload (STREAM) -------------------------------------------------------------------------


def _chunk_nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class PayloadSealer:
    """Encrypts a byte stream in 64 KiB STREAM chunks, pushing ciphertext to ``sink``.

    Full chunks are encrypted straight from the caller's buffer into one output buffer per
    write (no intermediate copies); only a partial chunk, or one full chunk that might turn
    out to be the last, is held back, because the last chunk is sealed with a flag.
    Each ``sink`` call gets a buffer from ``allocate`` (a new one by default, which the sink may
    keep; a pool may hand out recycled ones, saving the kernel from zeroing fresh pages).
    """

    def __init__(
        self,
        file_key: bytes,
        sink: Callable[[bytes | bytearray], object],
        allocate: Callable[[int], bytearray] = bytearray,
    ) -> None:
        nonce = os.urandom(NONCE_SIZE)
        self._aead = ChaCha20Poly1305(hkdf(file_key, nonce, b"payload"))
        self._sink = sink
        self._allocate = allocate
        self._held = bytearray()
        self._counter = 0
        self._closed = False
        sink(nonce)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._closed:
            raise ValueError("write after close")
        with memoryview(data) as view:
            view = view.cast("B")
            chunks: list[memoryview] = []
            if self._held:
                room = CHUNK_SIZE - len(self._held)
                self._held += view[:room]
                view = view[room:]
                if not view:
                    return
                chunks.append(memoryview(bytes(self._held)))
                self._held = bytearray()
            full = (len(view) - 1) // CHUNK_SIZE
            chunks += [view[i * CHUNK_SIZE : (i + 1) * CHUNK_SIZE] for i in range(full)]
            self._emit(chunks)
            self._held += view[full * CHUNK_SIZE :]

    def _emit(self, chunks: list[memoryview]) -> None:
        if not chunks:
            return
        step = CHUNK_SIZE + TAG_SIZE
        out = self._allocate(len(chunks) * step)
        with memoryview(out) as target:
            for i, chunk in enumerate(chunks):
                nonce = _chunk_nonce(self._counter, False)
                self._aead.encrypt_into(nonce, chunk, None, target[i * step : (i + 1) * step])
                self._counter += 1
        self._sink(out)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._sink(self._aead.encrypt(_chunk_nonce(self._counter, True), bytes(self._held), None))
        self._held = bytearray()


def open_payload(file_key: bytes, pieces: Iterator[bytes]) -> Iterator[bytes]:
    """Decrypt a STREAM payload given as byte pieces of any size; yields plaintext.

    Raises PayloadError if it was modified, truncated or extended (HeaderError if even the
    nonce is missing). Each chunk is yielded once it is authenticated, so what came before an
    error is genuine: the age test kit checks exactly that. A full-size chunk may be the last
    one or not; the likelier reading (last when nothing follows) is tried first.
    """
    buffer = bytearray()
    for piece in pieces:
        buffer += piece
        if len(buffer) >= NONCE_SIZE:
            break
    if len(buffer) < NONCE_SIZE:
        # The nonce belongs to the header in the test kit's terms: nothing was decrypted.
        raise HeaderError("the file is truncated (no payload nonce)")
    aead = ChaCha20Poly1305(hkdf(file_key, bytes(buffer[:NONCE_SIZE]), b"payload"))
    del buffer[:NONCE_SIZE]
    sealed = CHUNK_SIZE + TAG_SIZE
    counter = 0
    exhausted = False
    while True:
        while len(buffer) <= sealed and not exhausted:
            more = next(pieces, None)
            if more is None:
                exhausted = True
            else:
                buffer += more
        more_follows = len(buffer) > sealed
        chunk = bytes(buffer[:sealed])
        del buffer[:sealed]
        full = len(chunk) == sealed
        if len(chunk) < TAG_SIZE or (not full and counter > 0 and len(chunk) == TAG_SIZE):
            raise PayloadError("the file is truncated or damaged")
        plain, last = _open_chunk(aead, counter, chunk, last_first=not more_follows, either=full)
        counter += 1
        if plain:
            yield plain
        if last and more_follows:
            raise PayloadError("there is data after the end of the encrypted file")
        if last:
            return
        if not more_follows:
            raise PayloadError("the file is truncated (its last chunk is missing)")


def _open_chunk(
    aead: ChaCha20Poly1305, counter: int, chunk: bytes, *, last_first: bool, either: bool
) -> tuple[bytes, bool]:
    """A chunk's plaintext and whether it was the last; ``either``: it may be last or not."""
    readings = (True, False) if last_first else (False, True)
    failure: InvalidTag | None = None
    for last in readings if either else readings[:1]:
        try:
            return aead.decrypt(_chunk_nonce(counter, last), chunk, None), last
        except InvalidTag as error:
            failure = error
    raise PayloadError("the file was modified or is damaged") from failure
