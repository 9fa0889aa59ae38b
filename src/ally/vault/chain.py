"""The append-only hash chain: public records, their hashes, and the rules verify checks.

Each stored item (an entry version, an attachment, a key change, a share, a forget) is one
*record*: public metadata only — number, random id, kind, time recorded, which earlier record
it refers to, and the hashes (BLAKE3) of its encrypted files. Each record's hash covers the previous
record's hash, as in a transparency log, so a changed, removed, inserted or reordered record
breaks every hash after it. Because only ciphertext hashes are chained, anyone can verify the
journal without the passphrase, and without learning what it says.

A record is hashed in one canonical JSON form (sorted keys, no spaces, ASCII), which is also
the form stored, so a bundle's manifest can be re-checked by any JSON-capable tool.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

FORMAT_VERSION = 1
_DOMAIN = b"ally-vault-record-v1\n"
_GENESIS = b"ally-vault-genesis-v1\n"
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
_BLOB_RE = r'"([a-z]+)":\{"h":"([0-9a-f]{64})","n":(0|[1-9][0-9]{0,15}),"p":"([0-9a-f]{64})"\}'
_BLOB = re.compile(_BLOB_RE)
_CANONICAL = re.compile(
    r'^\{"at":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)",'
    r'"blobs":\{((?:' + _BLOB_RE.replace("(", "(?:").replace("(?:?:", "(?:") + r",?)*)\},"
    r'"id":"([0-9a-f]{16})","kind":"([a-z][a-z0-9_-]{0,31})",'
    r'"of":(null|"[0-9a-f]{16}"),"prev":"([0-9a-f]{64})",'
    r'"seq":([1-9][0-9]{0,15}),"to":(null|"[a-z0-9]{1,200}"),"v":1\}$'
)
"""A stored record, exactly as :meth:`Record.canonical` writes it (parsed without json)."""


def _blob_text(name: str, ref: BlobRef) -> str:
    return f'"{name}":{{"h":"{ref.header_hash}","n":{ref.size},"p":"{ref.payload_hash}"}}'


SYSTEM_KINDS = frozenset({"key", "attachment", "forget", "share", "unshare"})
_BLOB_NAMES: dict[str, frozenset[str]] = {
    "key": frozenset({"key"}),
    "attachment": frozenset({"meta", "file"}),
    "forget": frozenset(),
    "share": frozenset(),
    "unshare": frozenset(),
}
_CONTENT_BLOBS = frozenset({"content"})


class RecordError(ValueError):
    """A stored record is malformed (wrong fields or types)."""


def blob_names(kind: str) -> frozenset[str]:
    """Which encrypted files a record of this kind carries."""
    return _BLOB_NAMES.get(kind, _CONTENT_BLOBS)


def genesis_hash(vault_id: str) -> str:
    """The 'previous hash' of record 1: binds the chain to this vault's id."""
    return hashlib.sha256(_GENESIS + vault_id.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class BlobRef:
    """The fingerprint of one encrypted file: header hash, payload hash, total size."""

    header_hash: str
    payload_hash: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"h": self.header_hash, "n": self.size, "p": self.payload_hash}


@dataclass(frozen=True)
class Record:
    """One link of the chain (public metadata only)."""

    seq: int
    id: str
    kind: str
    at: str
    prev: str
    of: str | None = None
    to: str | None = None
    blobs: dict[str, BlobRef] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "blobs": {name: ref.to_json() for name, ref in sorted(self.blobs.items())},
            "id": self.id,
            "kind": self.kind,
            "of": self.of,
            "prev": self.prev,
            "seq": self.seq,
            "to": self.to,
            "v": FORMAT_VERSION,
        }

    def canonical(self) -> str:
        return canonical_json(self.to_json())

    def digest(self) -> str:
        return text_digest(self.canonical())

    @property
    def is_content(self) -> bool:
        return self.kind not in SYSTEM_KINDS

    @property
    def root_id(self) -> str:
        """The id an edit chain or attachment hangs off (its own id for originals)."""
        return self.of if self.is_content and self.of else self.id

    @classmethod
    def parse(cls, text: str) -> Record:
        """Parse a stored record. Its hash is always taken over the stored text itself
        (:func:`text_digest`), so any change to the text, even one that parses to the same
        values, changes the hash."""
        match = _CANONICAL.match(text)
        if match is None:
            raise RecordError("not a record in canonical form")
        at, blobs, rid, kind, of, prev, seq, to = match.groups()
        refs = {name: BlobRef(h, p, int(n)) for name, h, n, p in _BLOB.findall(blobs or "")}
        expected = ",".join(_blob_text(name, ref) for name, ref in sorted(refs.items()))
        if (blobs or "") != expected:
            raise RecordError("bad file references")
        if set(refs) != blob_names(kind):
            raise RecordError("wrong files for this kind")
        of_id = None if of == "null" else of[1:-1]
        recipient = None if to == "null" else to[1:-1]
        return cls(int(seq), rid, kind, at, prev, of_id, recipient, refs)


def text_digest(text: str) -> str:
    """The chain hash of a record, from its stored (canonical JSON) text."""
    return hashlib.sha256(_DOMAIN + text.encode("utf-8")).hexdigest()


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def now_text() -> str:
    """The current time in the one format records use (UTC, microseconds, 'Z')."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> dt.datetime | None:
    if not _TIME.match(text):
        return None
    try:
        return dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


# --- head codes -------------------------------------------------------------------------------

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE = re.compile(r"^(\d+)-([0-9A-Z]{4})-([0-9A-Z]{4})-([0-9A-Z]{4})-([0-9A-Z]{4})$")


def head_code(seq: int, digest: str) -> str:
    """A short code for the chain head: entry count plus 80 bits of its hash.

    e.g. ``42-K7Q3-9XRT-M2PA-HW4D``. Sent to oneself or a lawyer, it later proves that the
    journal, up to entry 42, existed in exactly this form when the code was sent.
    """
    bits = base64.b32encode(bytes.fromhex(digest)[:10]).decode("ascii")
    text = bits.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _CROCKFORD))
    return f"{seq}-" + "-".join(text[i : i + 4] for i in range(0, 16, 4))


def parse_head_code(code: str) -> tuple[int, str] | None:
    """(seq, code) normalised (upper case, O→0, I/L→1), or None if it is not a head code."""
    text = code.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")
    text = re.sub(r"\s+", "", text)
    match = _CODE.match(text)
    if not match or any(c not in _CROCKFORD for c in "".join(match.groups()[1:])):
        return None
    return int(match.group(1)), text
