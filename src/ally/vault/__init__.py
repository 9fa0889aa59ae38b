"""The evidence vault: an encrypted, tamper-evident journal of incidents and attachments.

One vault belongs to one person. It lives in one folder of the user's data directory (SQLite,
``vault.db``) or, for a hosted service, in one PostgreSQL schema; the same code runs on both.
Everything stored is encrypted in the age format, and every entry is a link in an append-only
hash chain that anyone can verify without the passphrase. Read docs/threat-model.md for what
this protects against and what it does not.

The API the rest of Ally uses (the web app, the importers, the letters, the case tracker)::

    from ally.vault import Vault, Incident, IncidentTime, Note

    vault = Vault.create(location, passphrase)      # folder path or postgresql:// URL
    vault = Vault.open(location, passphrase)        # WrongPassphraseError changes nothing
    vault = Vault.open(location)                    # locked: verify() and head_code() only

    entry = vault.add_incident(Incident(when=IncidentTime(start=...), what="..."))
    entry = vault.add_note("text")                  # or Note(text=..., tags=[...])
    entry = vault.add_entry("message", {"sender": ..., "text": ..., "sent_at": ...},
                            conversation_id="whatsapp:family")   # importers
    ids = vault.add_entries("message", [(payload, conversation_id), ...])  # one transaction:
                                                    # all stored, or none (bulk imports)
    # A whole import in one transaction: all of it is stored, or none (even after kill -9).
    # Rows are streamed to the database, so a million entries need no more memory than ten;
    # other writers wait until the block ends.
    with vault.batch() as batch:
        export = batch.add("export", {...}, lookup=file_sha256)
        batch.attach(export, stream, "chat.zip", "application/zip")
        batch.add("message", payload, conversation_id="whatsapp:family", lookup=natural_key)
    vault.find("message", [natural_key, ...])       # {key: entry id} of those stored;
                                                    # by keyed digest, nothing decrypted
    vault.backfill_lookups("message", key_of)       # once: lookups for entries stored
                                                    # before them (older vault, bundle)
    att = vault.attach(entry.id, stream, "photo.jpg", "image/jpeg")  # any .read(n) stream
    with vault.attachment_writer(entry.id, "video.mp4", "video/mp4") as w:
        w.write(chunk)                              # push-style, e.g. an async web upload
    for piece in vault.read_attachment(att.id): ...  # streamed, authenticated plaintext

    vault.entries(kind=None, conversation_id=None)  # current versions, in recorded order
    vault.timeline()                                # by when things happened
    vault.entry(ref); vault.history(ref)            # ref: id, id prefix, or entry number
    vault.edit(ref, new_payload_or_model)           # a new version; the old one is kept
    vault.forget(ref)                               # deletes content, leaves a tombstone

    report = vault.verify()                         # report.ok, report.first_problem
    vault.head_code()                               # e.g. "42-K7Q3-9XRT-M2PA-HW4D"
    vault.check_code(code)                          # was that journal state an ancestor?

    vault.share("age1...")                          # an advocate's public key
    vault.export(path)                              # full bundle: exact bytes, importable
    vault.export(path, recipients=["age1..."], entries=[ref, ...])  # for an advocate
    Vault.import_bundle(path, location, passphrase)
    verify_bundle(path)                             # no key needed
    vault.change_passphrase(new)                    # re-locks the key only
    vault.close()                                   # or use `with`

Lookups: an importer must recognise what it already stored without decrypting every entry.
An entry added with ``lookup=value`` is filed under HMAC-SHA-256(value), keyed with a key
derived from the vault key (:class:`ally.vault.crypto.LookupKey`), in a table beside the chain.
Without the passphrase a digest reveals nothing, not even whether two vaults hold the same
message; forgetting an entry deletes its digests. They are bookkeeping, not evidence: not
chained, not exported (a restored vault rebuilds them once with ``backfill_lookups``). Record
ids derived from the digest would have needed no table, but would have put a permanent
fingerprint of every message, forgotten ones included, into the public chain and its bundles.
docs/threat-model.md says what the digests reveal.

Attachments are encrypted while they are read, 64 KiB at a time, and stored in 1 MiB rows,
so plaintext never touches disk and memory stays flat for any file size. An attachment (or
entry) is acknowledged when the call returns: it is then committed and survives a crash.

Errors are :class:`ally.vault.errors.VaultError` subclasses (all ``AllyError``), with messages
that never contain journal content.
"""

from ally.model.journal import Attachment, Entry, Incident, IncidentTime, Note
from ally.vault.attachments import AttachmentWriter
from ally.vault.bundle import ExportResult, export_bundle, import_bundle, verify_bundle
from ally.vault.crypto import Identity, Recipient
from ally.vault.errors import (
    BundleError,
    EntryNotFoundError,
    PassphraseError,
    ReadOnlyVaultError,
    RecipientError,
    UnusableRecipientError,
    UnusableShareWarning,
    VaultDamagedError,
    VaultError,
    VaultExistsError,
    VaultLockedError,
    VaultNotFoundError,
    WrongPassphraseError,
)
from ally.vault.location import default_location
from ally.vault.passphrases import generate_passphrase
from ally.vault.vault import Vault
from ally.vault.verify import Problem, VerifyReport

__all__ = [
    "Attachment",
    "AttachmentWriter",
    "BundleError",
    "Entry",
    "EntryNotFoundError",
    "ExportResult",
    "Identity",
    "Incident",
    "IncidentTime",
    "Note",
    "PassphraseError",
    "Problem",
    "ReadOnlyVaultError",
    "Recipient",
    "RecipientError",
    "UnusableRecipientError",
    "UnusableShareWarning",
    "Vault",
    "VaultDamagedError",
    "VaultError",
    "VaultExistsError",
    "VaultLockedError",
    "VaultNotFoundError",
    "VerifyReport",
    "WrongPassphraseError",
    "default_location",
    "export_bundle",
    "generate_passphrase",
    "import_bundle",
    "verify_bundle",
]
