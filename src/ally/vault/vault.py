"""The Vault object: one person's encrypted, tamper-evident journal (see the package docstring)."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from pydantic import BaseModel, ValidationError

from ally.model.journal import (
    KIND_PATTERN,
    Attachment,
    Entry,
    Incident,
    Note,
)
from ally.storage.database import Database, StorageError
from ally.storage.vault_store import (
    DB_FILENAME,
    VaultStore,
    blob_key,
    database_for,
)
from ally.vault import crypto, keyslots
from ally.vault.attachments import AttachmentWriter, Readable, blocks
from ally.vault.batch import Batch, ChainWriter, Spec
from ally.vault.chain import (
    FORMAT_VERSION,
    SYSTEM_KINDS,
    Record,
    RecordError,
    head_code,
    parse_head_code,
    parse_time,
)
from ally.vault.crypto import Identity, Recipient
from ally.vault.envelope import envelope, read_envelope
from ally.vault.errors import (
    EntryNotFoundError,
    InvalidEntryError,
    PassphraseError,
    ReadOnlyVaultError,
    UnusableRecipientError,
    UnusableShareWarning,
    VaultDamagedError,
    VaultError,
    VaultExistsError,
    VaultLockedError,
    VaultNotFoundError,
    WrongPassphraseError,
)
from ally.vault.verify import UNREADABLE_VAULT, Problem, Progress, VerifyReport, verify_store

if TYPE_CHECKING:
    from ally.vault.backup import BackupResult
    from ally.vault.bundle import ExportResult

NO_VAULT = "There is no vault there yet. Create one with `ally vault init`."
"""Said by open and verify where there is no vault (no file, or no vault tables)."""
STALE_UPLOAD = dt.timedelta(hours=1)
"""An unfinished upload older than this is treated as abandoned and removed on open."""


class _Index:
    """What the chain says, organised for lookups. Rebuilt from records; holds no secrets."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.hashes: list[str] = []
        self.by_id: dict[str, Record] = {}
        self.versions: dict[str, list[Record]] = {}
        self.attachments: dict[str, list[Record]] = {}
        self.forgotten: dict[str, int] = {}
        self.shared: dict[str, Recipient] = {}
        self.unusable: dict[str, int] = {}
        """Keys shared before Ally refused low-order ones: key text -> the share's number."""
        self.key: Record | None = None

    def add(self, record: Record, digest: str) -> None:
        self.records.append(record)
        self.hashes.append(digest)
        self.by_id[record.id] = record
        if record.is_content:
            self.versions.setdefault(record.root_id, []).append(record)
        elif record.kind == "attachment" and record.of:
            self.attachments.setdefault(record.of, []).append(record)
        elif record.kind == "forget" and record.of:
            self.forgotten.setdefault(record.of, record.seq)
        elif record.kind == "key":
            self.key = record
        elif record.kind == "share" and record.to:
            try:
                self.shared[record.to] = Recipient.parse(record.to)
            except UnusableRecipientError:
                self.unusable[record.to] = record.seq
        elif record.kind == "unshare" and record.to:
            self.shared.pop(record.to, None)
            self.unusable.pop(record.to, None)

    @property
    def seq(self) -> int:
        return len(self.records)

    def is_forgotten(self, record: Record) -> bool:
        if record.id in self.forgotten:
            return True
        return record.of is not None and record.of in self.forgotten


class Vault:
    """An open vault. Create with :meth:`create`, open with :meth:`open`; close when done."""

    def __init__(self, store: VaultStore, identity: Identity | None, read_only: bool) -> None:
        self._store = store
        self._identity = identity
        self._own_key: tuple[Identity, str, bool] | None = None
        """(key, vault's public key text, whether the key is the vault's own): worked out
        once, not at every decryption (each comparison costs two X25519 checks)."""
        self._read_only = read_only
        self._idx: _Index | None = None
        self._batch: Batch | None = None
        self._lookup_from: int | None = None
        self._lookup_digests: crypto.LookupKey | None = None
        self._parsed_recipient: tuple[str, Recipient] | None = None
        self.location = ""
        """Where this vault is (a decoy journal is elsewhere than the one asked for)."""
        self.recovery_code: str | None = None
        """The recovery code just made (by ``create(recovery=True)``): show it once, then drop."""
        meta = store.meta()
        if meta.get("format") != str(FORMAT_VERSION):
            raise VaultDamagedError(
                "This vault was made by a newer Ally or is damaged. Run `ally vault verify`."
            )
        self.vault_id = meta.get("vault_id", "")

    @property
    def _index(self) -> _Index:
        """The chain, parsed on first use (verify alone never needs it)."""
        if self._idx is None:
            self._flush_batch()
            self._idx = _Index()
            self._load(self._store.records_after(0))
        return self._idx

    # --- opening and creating -----------------------------------------------------------------

    @classmethod
    def create(
        cls,
        location: str | Path,
        passphrase: str,
        *,
        work_factor: int = crypto.DEFAULT_WORK_FACTOR,
        recovery: bool = False,
        identity: Identity | None = None,
    ) -> Vault:
        """Make a new vault at a folder or ``postgresql://`` URL, locked with ``passphrase``.

        With ``recovery``, a recovery code is made too (``vault.recovery_code``, shown once).
        """
        if not passphrase:
            raise VaultError("The passphrase cannot be empty.")
        store = VaultStore(database_for(location))
        if store.exists():
            store.db.close()
            raise VaultExistsError("A vault already exists there. Nothing was changed.")
        identity = identity or Identity.generate()
        locked = crypto.lock_identity(identity, passphrase, work_factor)
        vault_id = secrets.token_hex(8)
        key = Spec("key", secrets.token_hex(8), to=str(identity.recipient), small={"key": locked})
        code = keyslots.new_recovery_code() if recovery else None
        with store.db.transaction() as tx:  # a crash leaves a whole vault or none
            store.create_tables(tx)
            store.init_meta(tx, vault_id, FORMAT_VERSION)
            store.create_lookup_tables(tx)
            store.set_lookup_state(tx, "from", "1")  # every entry gets its lookups as written
            _write_records(store, tx, vault_id, [key])
            if code is not None:
                keyslots.Slots(store).put(tx, keyslots.RECOVERY, _recovery_lock(identity, code))
        vault = cls(store, identity, read_only=False)
        vault.location = str(location)
        vault.recovery_code = code
        return vault

    @classmethod
    def open(cls, location: str | Path, passphrase: str | None = None) -> Vault:
        """Open a vault; with the passphrase it is unlocked (read and write), else only verify.

        The duress passphrase, if one was set, returns the decoy journal instead (after
        wiping the real key material, if the person chose so): the same work is done and an
        ordinary unlocked Vault is returned. A wrong passphrase counts towards the failure
        limit, if one is set; past it, RecoveryRequiredError, and nothing is tried.
        """
        store = cls._existing(location)
        try:
            vault = cls(store, None, read_only=passphrase is None)
            vault.location = str(location)
            if passphrase is None:
                return vault
            opened = vault._unlock(passphrase)
            if opened.duress is not None:
                decoy = cls._open_decoy(vault, opened.duress.decoy, passphrase)
                store.db.close()
                return decoy
            assert opened.identity is not None
            vault._identity = opened.identity
            vault._drop_stale_uploads()
        except BaseException:
            store.db.close()
            raise
        return vault

    def _unlock(self, passphrase: str) -> keyslots.Unlocked:
        slots = keyslots.Slots(self._store)
        if slots.locked_out():
            raise keyslots.RecoveryRequiredError()
        key_file = self._key_file()
        try:
            opened = keyslots.try_passphrase(slots, key_file, passphrase)
        except WrongPassphraseError:
            if self._count_failure(slots):
                raise keyslots.RecoveryRequiredError() from None
            raise
        wipe = opened.duress is not None and opened.duress.mode == "wipe"
        if wipe and slots.setting("wiped") != "1":
            self._wipe_key_material(slots, key_file)
        if slots.setting("failures") is not None:
            with self._store.db.transaction() as tx:
                slots.set(tx, "failures", None)
        return opened

    def _count_failure(self, slots: keyslots.Slots) -> bool:
        """Count a wrong passphrase; at the limit, only the recovery code opens. Locked out?"""
        limit = slots.limit()
        recovery = slots.get(keyslots.RECOVERY)
        if limit is None or recovery is None:
            return False
        with self._store.db.transaction() as tx:
            failures = int(slots.setting("failures", tx) or 0) + 1
            slots.set(tx, "failures", str(failures))
            if failures < limit:
                return False
            slots.set(tx, "locked_out", "1")
        self._replace_key_file(recovery)
        return True

    def _wipe_key_material(self, slots: keyslots.Slots, key_file: bytes) -> None:
        """Destroy every copy of the real key this vault holds: then nothing opens it.

        The key file becomes one that no passphrase opens (same shape, salt and work factor),
        and the recovery copy is deleted, with SQLite's secure delete and the WAL truncated,
        so the old bytes are overwritten in the file rather than left in free pages.
        """
        size = len(Identity.generate().identity_file())
        self._replace_key_file(crypto.unopenable_lock(key_file, size), wipe=slots)

    def _replace_key_file(self, locked: bytes, wipe: keyslots.Slots | None = None) -> None:
        """A new key record holding ``locked``; the old key file deleted and overwritten."""
        index = self._keys()
        assert index.key is not None
        secure = self._store.db.kind == "sqlite"
        if secure:
            self._store.db.execute("PRAGMA secure_delete=ON")
        spec = Spec(
            "key",
            secrets.token_hex(8),
            to=index.key.to,
            small={"key": locked},
            deletes=(blob_key(index.key.id, "key"),),
        )
        with self._store.db.transaction() as tx:
            _write_records(self._store, tx, self.vault_id, [spec])
            if wipe is not None:
                wipe.delete(tx, keyslots.RECOVERY)
                wipe.delete(tx, keyslots.DURESS_INFO)
                wipe.set(tx, "limit", None)
                wipe.set(tx, "wiped", "1")
        if secure:
            self._store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        elif wipe is not None:
            # PostgreSQL keeps deleted rows until it vacuums: ask it to now. Never let this
            # fail an unlock (a user that does not own the tables only gets a warning).
            with contextlib.suppress(Exception):
                self._store.db.execute("VACUUM vault_chunks, vault_slots")
        self._idx = None

    @classmethod
    def _open_decoy(cls, real: Vault, identity: Identity, passphrase: str) -> Vault:
        """The decoy journal, opened with its key from the duress slot (no second scrypt)."""
        where = real._decoy_where()
        try:
            store = cls._existing(where)
        except VaultNotFoundError:  # deleted by hand: start it again, empty
            keyslots.make_room(real._store.db, where)
            return cls.create(where, passphrase, identity=identity)
        try:
            decoy = cls(store, identity, read_only=False)
            decoy.location = where
            decoy._drop_stale_uploads()
        except BaseException:
            store.db.close()
            raise
        return decoy

    @classmethod
    def recover(
        cls,
        location: str | Path,
        code: str,
        new_passphrase: str,
        *,
        work_factor: int = crypto.DEFAULT_WORK_FACTOR,
    ) -> Vault:
        """Open with the recovery code and lock the key with a new passphrase; clears the
        failure count. WrongRecoveryCodeError changes nothing."""
        if not new_passphrase:
            raise VaultError("The passphrase cannot be empty.")
        store = cls._existing(location)
        try:
            vault = cls(store, None, read_only=False)
            vault.location = str(location)
            slots = keyslots.Slots(store)
            locked = slots.get(keyslots.RECOVERY)
            if locked is None:
                raise keyslots.NoRecoveryCodeError()
            try:
                identity = crypto.unlock_identity(locked, keyslots.normalise_code(code))
            except WrongPassphraseError:
                raise keyslots.WrongRecoveryCodeError() from None
            vault._identity = identity
            if vault.recipient != identity.recipient:
                raise VaultDamagedError("The recovery code opened another vault's key.")
            vault.change_passphrase(new_passphrase, work_factor=work_factor)
            with store.db.transaction() as tx:
                slots.set(tx, "failures", None)
                slots.set(tx, "locked_out", None)
            vault._drop_stale_uploads()
        except BaseException:
            store.db.close()
            raise
        return vault

    @classmethod
    def open_with_identity(cls, location: str | Path, identity: Identity | str) -> Vault:
        """Open read-only with a shared recipient's own age identity (an advocate's key)."""
        store = cls._existing(location)
        key = identity if isinstance(identity, Identity) else Identity.parse(identity)
        try:
            return cls(store, key, read_only=True)
        except BaseException:
            store.db.close()
            raise

    @classmethod
    def open_with_sealed_key(cls, location: str | Path, sealed: bytes, holder: Identity) -> Vault:
        """Open read and write with the vault's own key, sealed to ``holder`` by
        :meth:`sealed_key` (a background worker's in-memory key; see ``hosted/jobs.py``).

        VaultDamagedError if ``holder`` cannot open the seal or the key is another vault's.
        """
        return cls.open_unlocked(location, crypto.identity_from(crypto.open_sealed(sealed, holder)))

    @classmethod
    def open_unlocked(cls, location: str | Path, identity: Identity) -> Vault:
        """Open read and write with the vault's own key, already unlocked elsewhere (a
        worker's seal, or another app process's unlock kept wrapped for the browser, see
        ``web/vaults.py``). VaultDamagedError if the key is another vault's."""
        store = cls._existing(location)
        try:
            vault = cls(store, identity, read_only=False)
            vault.location = str(location)
            if vault.recipient != identity.recipient:
                raise VaultDamagedError("The key given is another journal's key.")
        except BaseException:
            store.db.close()
            raise
        return vault

    def sealed_key(self, recipients: Sequence[Recipient]) -> bytes:
        """This vault's key (of the journal open now: the decoy's, after the duress
        passphrase), sealed to ``recipients`` so that only their keys open it.

        Why: a background job must write to the journal after the person's request has
        ended, without the key ever resting anywhere in clear (``hosted/jobs.py``)."""
        identity = self._require_identity()
        return crypto.seal(identity.identity_file().encode("ascii"), recipients)

    def unseal(self, data: bytes) -> bytes:
        """Open a small age file sealed to this vault's own recipient (a job's options or
        result, sealed with :func:`ally.vault.crypto.seal` to :attr:`recipient`)."""
        return crypto.open_sealed(data, self._require_identity())

    def unseal_stream(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        """Like :meth:`unseal`, for a large file given in pieces (an uploaded export)."""
        return crypto.open_stream(pieces, self._require_identity())

    @staticmethod
    def _existing(location: str | Path) -> VaultStore:
        _require_file(location)
        store = VaultStore(database_for(location))
        try:
            found = store.exists()
        except BaseException:
            store.db.close()
            raise
        if not found:
            store.db.close()
            raise VaultNotFoundError(NO_VAULT)
        return store

    def close(self) -> None:
        self._identity = None
        self._lookup_digests = None
        self._store.db.close()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def unlocked(self) -> bool:
        return self._identity is not None

    @property
    def recipient(self) -> Recipient:
        """The vault's own public key (what its content is encrypted to)."""
        assert self._index.key is not None and self._index.key.to is not None
        to = self._index.key.to
        parsed = self._parsed_recipient
        if parsed is None or parsed[0] != to:
            # Parsed once per key: every decryption compares it (about 1 ms a parse).
            parsed = self._parsed_recipient = (to, Recipient.parse(to))
        return parsed[1]

    @property
    def store(self) -> VaultStore:
        return self._store

    def _load(self, rows: list[tuple[int, str, str]]) -> None:
        for seq, text, digest in rows:
            if seq != self._index.seq + 1:
                raise VaultDamagedError(
                    f"Entry {self._index.seq + 1} is missing. Run `ally vault verify`."
                )
            try:
                record = Record.parse(text)
            except RecordError as error:
                raise VaultDamagedError(
                    f"Entry {seq} is damaged. Run `ally vault verify`."
                ) from error
            self._index.add(record, digest)

    def _refresh(self) -> None:
        """Pick up records another process (the web app, an importer) appended meanwhile."""
        self._flush_batch()
        self._load(self._store.records_after(self._index.seq))

    def _flush_batch(self) -> None:
        """Inside a batch, reads see what it added so far (rolled back with it if it fails)."""
        if self._batch is not None:
            self._batch.flush()

    def _keys(self) -> _Index:
        """The index, or — when it is not loaded — one of just the key and share records.

        Unlocking and bulk writes need only these few records; loading the whole chain for
        them would make opening a large vault, and importing into it, grow with its size.
        """
        if self._idx is not None:
            return self._idx
        index = _Index()
        for _, text, digest in self._store.system_records():
            try:
                index.add(Record.parse(text), digest)
            except RecordError as error:
                raise VaultDamagedError(
                    "The vault's key is damaged. Run `ally vault verify`."
                ) from error
        return index

    def _key_file(self) -> bytes:
        key = self._keys().key
        if key is None:
            raise VaultDamagedError("The vault's key is missing. Run `ally vault verify`.")
        return self._store.blob_bytes(blob_key(key.id, "key"))

    def _drop_stale_uploads(self) -> None:
        now = dt.datetime.now(dt.UTC)
        for key, started in self._store.pending():
            try:
                old = now - dt.datetime.fromisoformat(started) > STALE_UPLOAD
            except ValueError:
                old = True
            if old:
                self._store.drop_pending(key)

    # --- writing ------------------------------------------------------------------------------

    def _require_writable(self) -> Identity:
        if self._identity is None:
            raise VaultLockedError("Unlock the vault with its passphrase first.")
        if self._read_only:
            raise ReadOnlyVaultError("This vault was opened with a shared key: it is read-only.")
        if self._batch is not None:
            raise VaultError("A batch is open on this vault: add to it, or finish it first.")
        return self._identity

    def _recipients(self) -> list[Recipient]:
        """Who new content is encrypted to: the vault key and every key it is shared with.

        Without the record index loaded (a bulk import), only the few key and share records
        are read, so importing into a large vault does not load its whole chain.
        """
        index = self._keys()
        if index.key is None or index.key.to is None:
            raise VaultDamagedError("The vault's key is missing. Run `ally vault verify`.")
        if index.unusable:
            warnings.warn(UnusableShareWarning(), stacklevel=3)
        return [Recipient.parse(index.key.to), *index.shared.values()]

    def _seal_entry(
        self,
        kind: str,
        payload: Mapping[str, Any],
        conversation_id: str | None,
        recipients: list[Recipient] | None = None,
    ) -> bytes:
        """Check an entry (kind, model, JSON-able) and encrypt it; nothing is stored yet."""
        _check_kind(kind)
        _validate(kind, payload)
        try:
            body = envelope(payload, conversation_id)
        except (TypeError, ValueError) as error:
            raise InvalidEntryError("The entry holds values that cannot be stored.") from error
        return crypto.seal(body, recipients or self._recipients())

    def _seal_extra(
        self,
        extra: Mapping[str, Mapping[str, Any]] | None,
        recipients: list[Recipient] | None = None,
    ) -> dict[str, bytes]:
        """A record's extra small files (a page's search index), each sealed like an entry."""
        if not extra:
            return {}
        if any(name in ("content", "meta", "key", "file") for name in extra):
            raise InvalidEntryError("That name is used by the vault itself.")
        try:
            return {
                name: crypto.seal(envelope(value, None), recipients or self._recipients())
                for name, value in extra.items()
            }
        except (TypeError, ValueError) as error:
            raise InvalidEntryError("The entry holds values that cannot be stored.") from error

    def read_extra(self, version_id: str, name: str) -> dict[str, Any] | None:
        """An extra small file of one version of an entry, decrypted (None if it has none)."""
        record = self._lookup(version_id)
        if name not in record.blobs or self._index.is_forgotten(record):
            return None
        body = self._decrypt_json(blob_key(record.id, name))
        value = body.get("payload") if isinstance(body, dict) else None
        return value if isinstance(value, dict) else None

    def _append(
        self,
        kind: str,
        *,
        record_id: str | None = None,
        of: str | None = None,
        to: str | None = None,
        small: Mapping[str, bytes] | None = None,
        streamed: Mapping[str, crypto.Fingerprint] | None = None,
        deletes: tuple[str, ...] = (),
    ) -> Record:
        """Add one record (and its files) to the chain in a single transaction."""
        spec = Spec(
            kind,
            record_id or secrets.token_hex(8),
            of,
            to,
            dict(small or {}),
            dict(streamed or {}),
            deletes,
        )
        return self._append_all([spec])[0]

    def _append_all(self, specs: list[Spec]) -> list[Record]:
        """Add records in order, all in one transaction: all of them are stored, or none."""
        if self._batch is not None:
            raise VaultError("A batch is open on this vault: add to it, or finish it first.")
        with self._store.db.transaction() as tx:
            records = _write_records(self._store, tx, self.vault_id, specs)
        self._refresh()
        return records

    def add_entries(
        self, kind: str, items: Iterable[tuple[Mapping[str, Any], str | None]]
    ) -> list[str]:
        """Add many entries of one kind in one transaction (importers); returns their ids.

        ``items`` are (payload, conversation id) pairs. All are stored, or none is.
        """
        with self.batch() as batch:
            return [batch.add(kind, p, conversation_id=c) for p, c in items]

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """Add many entries and attachments in one transaction: all are stored, or none.

        ::

            with vault.batch() as batch:
                export = batch.add("export", {...}, lookup=file_sha256)
                batch.attach(export, stream, "chat.zip", "application/zip")
                for message in messages:
                    batch.add("message", payload, conversation_id=..., lookup=natural_key)

        An error (or Ctrl-C) inside the block rolls everything back, and so does a crash or
        ``kill -9``: the journal then holds none of it. Rows go to the database as they are
        made, so memory stays flat for any number of entries; the vault's write lock is held
        until the block ends. While it is open, the vault's other write methods refuse.
        """
        self._require_writable()
        lookup_key = self._lookup_key()
        self._ensure_lookups()
        try:
            with self._store.db.transaction() as tx:
                writer = ChainWriter(self._store, tx, self.vault_id)
                if self._idx is not None:
                    self._refresh()  # a share made meanwhile by another process counts
                self._batch = Batch(self, writer, self._recipients(), lookup_key)
                yield self._batch
                writer.finish()
        except BaseException:
            self._idx = None  # it may have read records that were just rolled back
            raise
        finally:
            self._batch = None
        if self._idx is not None:
            self._refresh()

    def find(self, kind: str, lookups: Iterable[str]) -> dict[str, str]:
        """Which of these lookup values an entry of ``kind`` was added with: value -> entry id.

        Looks up keyed digests (see :class:`ally.vault.crypto.LookupKey`), so nothing is
        decrypted. Forgotten entries are not found. Inside a batch, what it added is found.
        Entries stored before this vault had lookups are found only after
        :meth:`backfill_lookups`.
        """
        key = self._lookup_key()
        self._ensure_lookups()
        self._flush_batch()
        digests = {key.digest(kind, value): value for value in lookups}
        found = self._store.find_lookups(list(digests))
        return {digests[digest]: entry for digest, entry in found.items()}

    def backfill_lookups(
        self,
        kind: str,
        key_of: Callable[[dict[str, Any]], str | list[str] | None],
        *,
        lookup_kind: str | None = None,
    ) -> int:
        """Give lookups to the entries of ``kind`` stored before this vault had them; once.

        A vault made by an older Ally, or restored from a bundle (lookups are not exported),
        holds entries without lookups. ``key_of`` reads an entry's lookup value from its
        payload (None: none). Those entries are decrypted once; later calls return 0 at once.
        Returns how many lookups were added.
        """
        self._require_writable()
        key = self._lookup_key()
        since = self._ensure_lookups()
        mark = f"done:{kind}"
        if since <= 1 or self._store.lookup_state(mark) is not None:
            return 0
        self._refresh()
        rows: list[tuple[str, str]] = []
        for versions in self._index.versions.values():
            root = versions[0]
            if root.kind != kind or root.seq >= since or self._index.is_forgotten(versions[-1]):
                continue
            payload = self._build(versions[-1], root).payload
            value = key_of(payload) if payload is not None else None
            values = [value] if isinstance(value, str) else value or []
            rows.extend((key.digest(lookup_kind or kind, v), root.id) for v in values)
        with self._store.db.transaction() as tx:
            self._store.put_lookups(tx, rows, skip_existing=True)
            self._store.set_lookup_state(tx, mark, str(since))
        return len(rows)

    def _lookup_key(self) -> crypto.LookupKey:
        if self._identity is None:
            raise VaultLockedError("Unlock the vault with its passphrase first.")
        if self._read_only:
            raise ReadOnlyVaultError("This vault was opened with a shared key: it is read-only.")
        if self._lookup_digests is None:
            self._lookup_digests = self._identity.lookup_key()
        return self._lookup_digests

    def _ensure_lookups(self) -> int:
        """The entry number from which every entry got its lookups when written.

        A vault made before lookups existed gets its lookup tables here, on first use (an
        additive change: older Ally versions still open it); entries before that number need
        :meth:`backfill_lookups`.
        """
        if self._lookup_from is None:
            value = self._store.lookup_state("from")
            if value is None:
                with self._store.db.transaction() as tx:
                    head = int(self._store.locked_head(tx).partition(":")[0])
                    self._store.create_lookup_tables(tx)
                    value = self._store.lookup_state("from")
                    if value is None:
                        value = str(head + 1)
                        self._store.set_lookup_state(tx, "from", value)
            self._lookup_from = int(value)
        return self._lookup_from

    def add_entry(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        conversation_id: str | None = None,
    ) -> Entry:
        """Add an entry of any journal kind ("message" for imported messages, ...)."""
        self._require_writable()
        sealed = self._seal_entry(kind, payload, conversation_id)
        record = self._append(kind, small={"content": sealed})
        return self.entry(record.id)

    def add_incident(self, incident: Incident) -> Entry:
        """Record an incident (validated by the Incident model)."""
        return self.add_entry("incident", incident.model_dump(mode="json"))

    def add_note(self, note: Note | str) -> Entry:
        """Record a note (plain text is accepted for convenience)."""
        value = Note(text=note) if isinstance(note, str) else note
        return self.add_entry("note", value.model_dump(mode="json"))

    def edit(
        self,
        ref: str,
        payload: Mapping[str, Any] | Incident | Note,
        *,
        conversation_id: str | None = None,
        extra: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Entry:
        """Save a new version of an entry; every earlier version stays in the journal.
        ``extra``: the new version's extra small files (see ``Batch.add``)."""
        self._require_writable()
        root = self._root(ref)
        if self._index.is_forgotten(root):
            raise VaultError("That entry was forgotten; it cannot be edited.")
        data = payload.model_dump(mode="json") if hasattr(payload, "model_dump") else payload
        assert isinstance(data, Mapping)
        sealed = self._seal_entry(root.kind, data, conversation_id)
        small = {"content": sealed, **self._seal_extra(extra)}
        self._append(root.kind, of=root.id, small=small)
        return self.entry(root.id)

    def attach(
        self,
        entry_ref: str,
        stream: Readable,
        filename: str | None,
        media_type: str | None = None,
        *,
        size_hint: int | None = None,
        progress: Progress | None = None,
    ) -> Attachment:
        """Encrypt a binary stream into an attachment of an entry, as it is read.

        The plaintext is only ever held one read at a time (1 MiB), so a web upload can be
        passed straight in, and a 2 GB video needs no more memory than a photo.
        """
        with self.attachment_writer(entry_ref, filename, media_type) as writer:
            for block in blocks(stream):
                writer.write(block)
                if progress:
                    progress(writer.size, size_hint or 0)
        assert writer.result is not None
        return writer.result

    def attachment_writer(
        self, entry_ref: str, filename: str | None, media_type: str | None = None
    ) -> AttachmentWriter:
        """A writable object for pushing an attachment in pieces (e.g. from an async upload)."""
        self._require_writable()
        root = self._root(entry_ref)
        if self._index.is_forgotten(root):
            raise VaultError("That entry was forgotten; nothing can be attached to it.")
        return AttachmentWriter(self, root.id, filename, media_type)

    def staged_attachment(
        self, filename: str | None, media_type: str | None = None
    ) -> AttachmentWriter:
        """A file streamed in (encrypted, in pending rows) before its entry is saved.

        Pass it to :meth:`add_entry_with_files` or :meth:`attach_files`, which make the entry
        and its files part of the journal in one transaction; until then nothing is, and
        ``abort()`` removes the rows (a web upload that breaks off saves nothing).
        """
        self._require_writable()
        return AttachmentWriter(self, "", filename, media_type)

    def add_entry_with_files(
        self,
        kind: str,
        payload: Mapping[str, Any],
        files: Iterable[AttachmentWriter],
        *,
        conversation_id: str | None = None,
    ) -> Entry:
        """An entry and its staged files in one transaction: all of it is stored, or none."""
        self._require_writable()
        sealed = self._seal_entry(kind, payload, conversation_id)
        entry_id = secrets.token_hex(8)
        specs = [Spec(kind, entry_id, small={"content": sealed})]
        specs += [_attachment_spec(entry_id, writer) for writer in files]
        self._append_all(specs)
        return self.entry(entry_id)

    def attach_files(self, entry_ref: str, files: Iterable[AttachmentWriter]) -> None:
        """Staged files added to an existing entry in one transaction: all of them, or none."""
        self._require_writable()
        root = self._root(entry_ref)
        if self._index.is_forgotten(root):
            raise VaultError("That entry was forgotten; nothing can be attached to it.")
        specs = [_attachment_spec(root.id, writer) for writer in files]
        if specs:
            self._append_all(specs)

    def forget(self, ref: str) -> None:
        """Delete an entry's content (all versions and attachments) or one attachment.

        A tombstone stays: the chain still verifies, and shows that something was forgotten
        and when. This cannot be undone.
        """
        self._require_writable()
        record = self._lookup(ref)
        if record.kind == "attachment":
            targets = [record]
        elif record.is_content:
            record = self._index.by_id[record.root_id]
            targets = [
                *self._index.versions[record.id],
                *self._index.attachments.get(record.id, []),
            ]
        else:
            raise EntryNotFoundError("Only entries and attachments can be forgotten.")
        if record.id in self._index.forgotten:
            return
        self._ensure_lookups()  # the forget also drops the entry's lookups
        deletes = tuple(blob_key(t.id, name) for t in targets for name in t.blobs)
        self._append("forget", of=record.id, deletes=deletes)

    def heads(self, kind: str) -> list[tuple[str, str, int]]:
        """(entry id, current version's id, number) of each entry of ``kind`` that still
        has content, without decrypting anything: a reader that keeps what it decrypted can
        tell what changed since (a new version has a new id)."""
        self._refresh()
        return [
            (versions[0].id, versions[-1].id, versions[0].seq)
            for versions in self._index.versions.values()
            if versions[0].kind == kind and not self._index.is_forgotten(versions[-1])
        ]

    def has_entries(self, kind: str) -> bool:
        """Whether the journal holds any entry of this kind (without reading the chain)."""
        return self._store.has_kind(kind)

    def rewrite(
        self,
        ref: str,
        kind: str,
        payload: Mapping[str, Any],
        lookups: Iterable[tuple[str, str]] = (),
        extra: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> str:
        """Forget an entry and add what replaces it, in one transaction; returns the new id.

        For taking one message out of a page of imported messages: the page is forgotten
        (its content deleted, a tombstone left) and a new page holds the others, found by
        their lookups as before. A crash leaves the old page or the new one, never neither.
        """
        self._require_writable()
        record = self._root(ref)
        if record.id in self._index.forgotten:
            raise VaultError("That entry was forgotten already.")
        self._ensure_lookups()
        key = self._lookup_key()
        targets = [*self._index.versions[record.id], *self._index.attachments.get(record.id, [])]
        deletes = tuple(blob_key(t.id, name) for t in targets for name in t.blobs)
        sealed = self._seal_entry(kind, payload, None)
        small = {"content": sealed, **self._seal_extra(extra)}
        new_id = secrets.token_hex(8)
        digests = [key.digest(k, value) for k, value in lookups]
        with self._store.db.transaction() as tx:
            writer = ChainWriter(self._store, tx, self.vault_id)
            writer.add(Spec("forget", secrets.token_hex(8), of=record.id, deletes=deletes))
            writer.add(Spec(kind, new_id, small=small), None, digests)
            writer.finish()
        self._refresh()
        return new_id

    def change_passphrase(
        self, new_passphrase: str, *, work_factor: int = crypto.DEFAULT_WORK_FACTOR
    ) -> None:
        """Lock the vault key with a new passphrase. Content is not re-encrypted.

        The old locked key is deleted, so the old passphrase stops working everywhere this
        vault is stored (older backups and exports keep their own copy). With a duress
        passphrase set, the new lock shares its salt and work factor, so one derivation still
        tries both.
        """
        identity = self._require_writable()
        if not new_passphrase:
            raise VaultError("The passphrase cannot be empty.")
        old = self._index.key
        assert old is not None
        salt, work_factor = self._duress_params() or (None, work_factor)
        if salt is not None and self._duress_opens(new_passphrase):
            raise PassphraseError(
                "That is the duress passphrase. Choose a different one. Nothing was changed."
            )
        locked = crypto.lock_identity(identity, new_passphrase, work_factor, salt)
        self._append(
            "key",
            to=str(identity.recipient),
            small={"key": locked},
            deletes=(blob_key(old.id, "key"),),
        )

    # --- duress passphrase, recovery code, failure limit (see keyslots) ----------------------

    def _duress_params(self) -> tuple[bytes, int] | None:
        slot = keyslots.Slots(self._store).get(keyslots.DURESS)
        return crypto.scrypt_params(slot) if slot is not None else None

    def _duress_opens(self, passphrase: str) -> bool:
        slot = keyslots.Slots(self._store).get(keyslots.DURESS)
        return slot is not None and crypto.open_locked(passphrase, [slot])[0] is not None

    def set_duress(self, passphrase: str, mode: str = "decoy") -> None:
        """Set (or change) the duress passphrase and what it does: ``decoy`` opens the decoy
        journal; ``wipe`` destroys this vault's key material first. The decoy journal is made
        empty the first time, and kept when the passphrase or mode changes."""
        identity = self._require_writable()
        if mode not in keyslots.MODES:
            raise VaultError("The duress passphrase can open a decoy journal or wipe this one.")
        if not passphrase:
            raise PassphraseError("The duress passphrase cannot be empty.")
        where = self._decoy_where()
        key_file = self._key_file()
        if crypto.open_locked(passphrase, [key_file])[0] is not None:
            raise PassphraseError(
                "The duress passphrase must differ from the journal's passphrase. "
                "Nothing was changed."
            )
        salt, log_n = crypto.scrypt_params(key_file)
        duress = keyslots.Duress(mode, self._decoy_identity(identity, where, passphrase, log_n))
        slots = keyslots.Slots(self._store)
        with self._store.db.transaction() as tx:
            slots.put(
                tx, keyslots.DURESS, crypto.lock_bytes(duress.encode(), passphrase, log_n, salt)
            )
            slots.put(tx, keyslots.DURESS_INFO, crypto.seal(duress.encode(), [self.recipient]))

    def _decoy_identity(
        self, identity: Identity, where: str, passphrase: str, log_n: int
    ) -> Identity:
        """The decoy journal's key: the existing decoy's, re-locked with the new duress
        passphrase, or a new empty decoy's."""
        current = self._duress_info(identity)
        if current is not None:
            try:
                store = self._existing(where)
            except VaultNotFoundError:
                pass
            else:
                with Vault(store, current.decoy, read_only=False) as decoy:
                    decoy.change_passphrase(passphrase, work_factor=log_n)
                return current.decoy
        self._remove_decoy(where, None)
        keyslots.make_room(self._store.db, where)
        with Vault.create(where, passphrase, work_factor=log_n) as decoy:
            assert decoy._identity is not None
            return decoy._identity

    def _duress_info(self, identity: Identity) -> keyslots.Duress | None:
        info = keyslots.Slots(self._store).get(keyslots.DURESS_INFO)
        if info is None:
            return None
        return keyslots.Duress.decode(crypto.open_sealed(info, identity))

    def duress_mode(self) -> str | None:
        """``decoy``, ``wipe``, or None when no duress passphrase is set."""
        info = self._duress_info(self._require_identity())
        return info.mode if info is not None else None

    def clear_duress(self) -> None:
        """Remove the duress passphrase and delete the decoy journal (first, so a failure
        leaves the duress passphrase working rather than a decoy nothing knows about)."""
        identity = self._require_writable()
        current = self._duress_info(identity)
        if current is not None:
            self._remove_decoy(self._decoy_where(), current.decoy)
        slots = keyslots.Slots(self._store)
        with self._store.db.transaction() as tx:
            slots.delete(tx, keyslots.DURESS)
            slots.delete(tx, keyslots.DURESS_INFO)

    def _decoy_where(self) -> str:
        """Where this vault's decoy journal is (or would be) kept."""
        schema = None
        if keyslots.is_postgres(self.location):
            schema = keyslots.schema_of(self._store.db)
        return keyslots.decoy_location(self.location, schema)

    def _remove_decoy(self, where: str, decoy: Identity | None) -> None:
        """Delete the decoy journal at ``where``. A folder's decoy file is Ally's own; in
        PostgreSQL the schema could hold another person's journal, so a journal there is
        deleted only if it is this vault's decoy (``decoy``: its key), else refused."""
        if keyslots.is_postgres(where):
            try:
                store = self._existing(where)
            except VaultNotFoundError:
                return
            with Vault(store, None, read_only=True) as found:
                ours = decoy is not None and found.recipient == decoy.recipient
            if not ours:
                raise VaultError(
                    "Another journal is kept in the schema where this journal's decoy would "
                    "go (its name plus '_notes'). Nothing was changed."
                )
        keyslots.delete_database(where)

    def make_recovery_code(self) -> str:
        """A new recovery code (the old one stops working). Show it once; it is not stored."""
        identity = self._require_writable()
        code = keyslots.new_recovery_code()
        with self._store.db.transaction() as tx:
            keyslots.Slots(self._store).put(tx, keyslots.RECOVERY, _recovery_lock(identity, code))
        return code

    def has_recovery_code(self) -> bool:
        return keyslots.Slots(self._store).get(keyslots.RECOVERY) is not None

    def failure_limit(self) -> int | None:
        """After how many wrong passphrases in a row only the recovery code opens (None: never)."""
        return keyslots.Slots(self._store).limit()

    def set_failure_limit(self, limit: int | None) -> str | None:
        """Set or remove the failure limit; returns a new recovery code if one had to be made
        (show it once: without it, reaching the limit would lock the person out for good)."""
        self._require_writable()
        if limit is not None and not 1 <= limit <= 1000:
            raise VaultError("Choose a limit between 1 and 1000 wrong passphrases.")
        code = None
        if limit is not None and not self.has_recovery_code():
            code = self.make_recovery_code()
        slots = keyslots.Slots(self._store)
        with self._store.db.transaction() as tx:
            slots.set(tx, "limit", None if limit is None else str(limit))
            slots.set(tx, "failures", None)
        return code

    def share(
        self,
        recipient: Recipient | str,
        *,
        include_existing: bool = True,
        progress: Progress | None = None,
    ) -> None:
        """Let another age key (an advocate's, a lawyer's) read this vault.

        New content is encrypted to them too. With ``include_existing``, every file already
        stored gets a re-wrapped header for them (kept beside it; the evidence is unchanged).
        """
        identity = self._require_writable()
        who = recipient if isinstance(recipient, Recipient) else Recipient.parse(recipient)
        if who == self.recipient:
            raise VaultError("That is this vault's own key; it can already read everything.")
        headers = self._grant_headers(identity, who, progress) if include_existing else {}
        with self._store.db.transaction() as tx:
            for key, header in headers.items():
                self._store.put_grant(tx, key, str(who), header)
        if str(who) not in self._index.shared:
            self._append("share", to=str(who))

    def _grant_headers(
        self, identity: Identity, who: Recipient, progress: Progress | None
    ) -> dict[str, bytes]:
        keys = [
            blob_key(r.id, name)
            for r in self._index.records
            if (r.is_content or r.kind == "attachment") and not self._index.is_forgotten(r)
            for name in r.blobs
        ]
        out: dict[str, bytes] = {}
        for done, key in enumerate(keys, start=1):
            header = self._stored_header(key)
            out[key] = crypto.rewrap_header(header, identity, [who])
            if progress:
                progress(done, len(keys))
        return out

    def unshare(self, recipient: Recipient | str) -> None:
        """Stop encrypting new content to a recipient (what they already have stays theirs).

        A key listed by :meth:`unusable_shares` can be given as its text: it no longer parses
        as a recipient, but it must still be possible to take it off the list.
        """
        self._require_writable()
        text = recipient.strip() if isinstance(recipient, str) else str(recipient)
        if text not in self._index.unusable:
            text = str(recipient if isinstance(recipient, Recipient) else Recipient.parse(text))
            if text not in self._index.shared:
                raise VaultError("This vault is not shared with that key.")
        with self._store.db.transaction() as tx:
            tx.execute("DELETE FROM vault_grants WHERE recipient = ?", (text,))
        self._append("unshare", to=text)

    def shared_with(self) -> list[Recipient]:
        self._refresh()
        return list(self._index.shared.values())

    def unusable_shares(self) -> list[str]:
        """Keys this vault records as shared that no one can hold (see UnusableShareWarning).

        Older Ally accepted them; new content is not encrypted to them. Each can be removed
        with :meth:`unshare`.
        """
        self._refresh()
        return sorted(self._index.unusable, key=self._index.unusable.__getitem__)

    # --- reading ------------------------------------------------------------------------------

    def open_addressed(self, data: bytes) -> bytes:
        """A small age file someone encrypted to this journal's key (a note an advocate wrote
        for the person, in hosted mode); VaultDamagedError if it is not addressed to it."""
        return crypto.open_sealed(data, self._require_identity())

    def key(self) -> Identity:
        """The unlocked key (the decoy's, after the duress passphrase). Why public: a hosted
        app keeps it wrapped for the browser that unlocked it (``web/vaults.py``), so another
        app process can serve that browser. Handle with care: it opens everything."""
        return self._require_identity()

    def _require_identity(self) -> Identity:
        if self._identity is None:
            raise VaultLockedError("Unlock the vault with its passphrase to read entries.")
        return self._identity

    def _lookup(self, ref: str) -> Record:
        """An entry by id, id prefix (4+ characters), or number (``12`` or ``#12``)."""
        self._refresh()
        text = ref.strip().lstrip("#")
        if text.isdigit() and 0 < int(text) <= self._index.seq and len(text) < 8:
            return self._index.records[int(text) - 1]
        if text in self._index.by_id:
            return self._index.by_id[text]
        matches = [r for k, r in self._index.by_id.items() if len(text) >= 4 and k.startswith(text)]
        if len(matches) == 1:
            return matches[0]
        raise EntryNotFoundError("No entry has that number or id. `ally vault list` shows them.")

    def _root(self, ref: str) -> Record:
        record = self._lookup(ref)
        if not record.is_content:
            raise EntryNotFoundError("That number is not a journal entry.")
        return self._index.by_id[record.root_id]

    def _stored_header(self, key: str) -> bytes:
        first = next(self._store.read_blob(key), b"")
        return crypto.split_header(first)[0]

    def _pieces(self, key: str) -> Iterator[bytes]:
        """A stored file's bytes, with a shared recipient's header swapped in where needed."""
        identity = self._require_identity()
        pieces = self._store.read_blob(key)
        if self._index.key is not None and self._is_own(identity):
            return pieces
        grant = self._store.grant(key, str(identity.recipient))
        if grant is None:
            return pieces
        first = next(pieces, b"")
        payload = crypto.split_header(first)[1]
        return _prepend([grant, payload], pieces)

    def _is_own(self, identity: Identity) -> bool:
        """Whether ``identity`` is this vault's own key (not a shared recipient's)."""
        assert self._index.key is not None and self._index.key.to is not None
        to, known = self._index.key.to, self._own_key
        if known is None or known[0] is not identity or known[1] != to:
            known = self._own_key = (identity, to, identity.recipient == self.recipient)
        return known[2]

    def _decrypt_json(self, key: str) -> dict[str, Any]:
        data = b"".join(crypto.open_stream(self._pieces(key), self._require_identity()))
        try:
            return read_envelope(data)
        except ValueError as error:
            raise VaultDamagedError(
                "An entry's content is not readable. Run `ally vault verify`."
            ) from error

    def entry(self, ref: str) -> Entry:
        """The current version of an entry (by id, version id, or number)."""
        root = self._root(ref)
        return self._build(self._index.versions[root.id][-1], root)

    def history(self, ref: str) -> list[Entry]:
        """Every version of an entry, oldest first."""
        root = self._root(ref)
        return [self._build(v, root) for v in self._index.versions[root.id]]

    def entries(
        self,
        kind: str | None = None,
        conversation_id: str | None = None,
        skip: Collection[str] = (),
    ) -> list[Entry]:
        """Current versions of all entries, in the order they were first recorded.
        ``skip``: kinds left out before anything is decrypted (pages of imported messages
        are hundreds of age files a page listing entries does not need)."""
        self._refresh()
        out = []
        for versions in self._index.versions.values():
            if (kind is not None and versions[0].kind != kind) or versions[0].kind in skip:
                continue
            entry = self._build(versions[-1], versions[0])
            if conversation_id is None or entry.conversation_id == conversation_id:
                out.append(entry)
        return out

    def timeline(self, skip: Collection[str] = ()) -> list[Entry]:
        """Entries that still have content, ordered by when they happened (Ally's own
        bookkeeping, such as the case's records, is left out; so are the kinds in ``skip``)."""
        return sorted(
            (e for e in self.entries(skip=skip) if not e.forgotten and not e.is_bookkeeping),
            key=lambda e: (e.occurred_at(), e.seq),
        )

    def _build(self, version: Record, root: Record) -> Entry:
        forgotten = self._index.is_forgotten(version)
        payload: dict[str, Any] | None = None
        conversation: str | None = None
        if not forgotten:
            body = self._decrypt_json(blob_key(version.id, "content"))
            payload, conversation = body.get("payload"), body.get("conversation_id")
        moment = parse_time(version.at)
        assert moment is not None
        return Entry(
            id=version.id,
            root_id=root.id,
            seq=root.seq,
            version_seq=version.seq,
            kind=root.kind,
            version=self._index.versions[root.id].index(version) + 1,
            recorded_at=moment,
            payload=payload,
            conversation_id=conversation,
            forgotten=forgotten,
            attachments=tuple(
                self._attachment(a) for a in self._index.attachments.get(root.id, [])
            ),
        )

    def _attachment(self, record: Record) -> Attachment:
        forgotten = self._index.is_forgotten(record)
        meta: dict[str, Any] = {}
        if not forgotten:
            meta = self._decrypt_json(blob_key(record.id, "meta"))["payload"]
        moment = parse_time(record.at)
        assert moment is not None and record.of is not None
        return Attachment(
            id=record.id,
            entry_id=record.of,
            seq=record.seq,
            recorded_at=moment,
            filename=meta.get("filename"),
            media_type=meta.get("media_type"),
            size=meta.get("size"),
            forgotten=forgotten,
        )

    def attachment(self, ref: str) -> Attachment:
        record = self._lookup(ref)
        if record.kind != "attachment":
            raise EntryNotFoundError("That number is not an attachment.")
        return self._attachment(record)

    def read_attachment(self, ref: str) -> Iterator[bytes]:
        """The attachment's plaintext, streamed in authenticated 64 KiB pieces."""
        record = self._lookup(ref)
        if record.kind != "attachment":
            raise EntryNotFoundError("That number is not an attachment.")
        if self._index.is_forgotten(record):
            raise EntryNotFoundError("That attachment was forgotten.")
        return crypto.open_stream(
            self._pieces(blob_key(record.id, "file")), self._require_identity()
        )

    def save_attachment(self, ref: str, out: BinaryIO, progress: Progress | None = None) -> int:
        total = self.attachment(ref).size or 0
        done = 0
        for piece in self.read_attachment(ref):
            out.write(piece)
            done += len(piece)
            if progress:
                progress(done, total)
        return done

    # --- integrity ----------------------------------------------------------------------------

    def verify(self, progress: Progress | None = None) -> VerifyReport:
        """Check the whole chain and every stored file; needs no passphrase."""
        return verify_store(self._store, progress)

    @classmethod
    def verify_at(
        cls, location: str | Path, progress: Progress | None = None, codes: Iterable[str] = ()
    ) -> VerifyReport:
        """Verify the vault at ``location`` however damaged it is: a report, never an error
        about its content (only "there is no vault there").

        Unlike :meth:`open`, nothing about the vault needs to be intact to get this far.
        """
        _require_file(location)
        try:  # read-only: verifying never writes, not even to a damaged file
            store = VaultStore(database_for(location, read_only=True))
        except StorageError:  # not even opened: the file is damaged from its first page
            report = VerifyReport(problems=[Problem(0, UNREADABLE_VAULT)])
            report.codes = dict.fromkeys(codes, False)
            return report
        try:
            try:
                found = store.exists()
            except StorageError:
                found = True  # its table list is damaged: verify tells how far it gets
            if not found:
                raise VaultNotFoundError(NO_VAULT)
            return verify_store(store, progress, codes)
        finally:
            store.db.close()

    def backup(self, path: str | Path) -> BackupResult:
        """Write a consistent, verified copy of the whole vault (see :mod:`ally.vault.backup`);
        needs no passphrase, and writers may carry on meanwhile."""
        from ally.vault.backup import backup

        return backup(self._store, path)

    def head_code(self) -> str:
        """A short code for the journal as it stands now (see chain.head_code)."""
        self._refresh()
        return head_code(self._index.seq, self._index.hashes[-1])

    def check_code(self, code: str) -> bool:
        """Whether a head code noted earlier is part of this journal's history."""
        parsed = parse_head_code(code)
        self._refresh()
        if parsed is None or not 0 < parsed[0] <= self._index.seq:
            return False
        return head_code(parsed[0], self._index.hashes[parsed[0] - 1]) == parsed[1]

    # --- export and import --------------------------------------------------------------------

    def export(
        self,
        path: str | Path,
        *,
        recipients: Iterable[Recipient | str] = (),
        entries: Iterable[str] | None = None,
        progress: Progress | None = None,
    ) -> ExportResult:
        """Write an export bundle (see :mod:`ally.vault.bundle`)."""
        from ally.vault.bundle import export_bundle

        return export_bundle(
            self, path, recipients=recipients, entry_refs=entries, progress=progress
        )

    @classmethod
    def import_bundle(
        cls,
        bundle: str | Path,
        location: str | Path,
        passphrase: str | None = None,
        *,
        progress: Progress | None = None,
    ) -> Vault:
        """Recreate a vault from a full bundle (verified first), then open it."""
        from ally.vault.bundle import import_bundle

        import_bundle(bundle, location, progress)
        return cls.open(location, passphrase)

    @property
    def records(self) -> list[Record]:
        """The public chain records (no content), for listings and exports."""
        self._refresh()
        return list(self._index.records)

    def record_hashes(self) -> list[str]:
        self._refresh()
        return list(self._index.hashes)

    def is_forgotten(self, record: Record) -> bool:
        return self._index.is_forgotten(record)

    def identity_for_export(self) -> Identity:
        """The unlocked key, for re-wrapping headers in a shared export."""
        return self._require_identity()


def _write_records(
    store: VaultStore, tx: Database, vault_id: str, specs: list[Spec]
) -> list[Record]:
    """Chain ``specs`` onto the locked head inside ``tx``: records, files, deletions, head."""
    writer = ChainWriter(store, tx, vault_id)
    records = [writer.add(spec) for spec in specs]
    writer.finish()
    return records


def _attachment_spec(entry_id: str, writer: AttachmentWriter) -> Spec:
    record_id, meta, fingerprint = writer.record_parts()
    return Spec(
        "attachment", record_id, entry_id, small={"meta": meta}, streamed={"file": fingerprint}
    )


def _recovery_lock(identity: Identity, code: str) -> bytes:
    work = min(keyslots.RECOVERY_WORK_FACTOR, crypto.DEFAULT_WORK_FACTOR)
    return crypto.lock_identity(identity, keyslots.normalise_code(code), work)


def _check_kind(kind: str) -> None:
    if not KIND_PATTERN.match(kind) or kind in SYSTEM_KINDS:
        raise InvalidEntryError("That name cannot be used as an entry kind.")


def _validate(kind: str, data: Mapping[str, Any]) -> None:
    """Incidents and notes must fit their models; the error names the field, not its value.

    (That every value can be stored as JSON is checked when the entry is encoded.)"""
    models: dict[str, type[BaseModel]] = {"incident": Incident, "note": Note}
    model = models.get(kind)
    try:
        if model is not None:
            model.model_validate(data)
    except ValidationError as error:
        # `from None`: pydantic's error quotes the entry's values (the person's words).
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or kind
        raise InvalidEntryError(f"{where}: {first['msg']}. Nothing was saved.") from None
    except (TypeError, ValueError) as error:
        raise InvalidEntryError("The entry holds values that cannot be stored.") from error


def _require_file(location: str | Path) -> None:
    """Refuse a SQLite location with no vault file before it is opened (opening would create
    an empty database there); a PostgreSQL location is checked once connected."""
    text = str(location)
    if not text.startswith(("postgresql://", "postgres://")) and not _sqlite_file(text).is_file():
        raise VaultNotFoundError(NO_VAULT)


def _sqlite_file(location: str) -> Path:
    """The database file a folder location stands for (looked at before anything is created)."""
    path = Path(location.removeprefix("sqlite:///"))
    return path if path.suffix == ".db" else path / DB_FILENAME


def _prepend(first: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    yield from first
    yield from rest
