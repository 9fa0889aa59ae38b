"""What else can open a vault, and when it stops opening: duress, recovery, the failure limit.

For a person who may be forced to open their journal in front of the person who harms them
(see docs/threat-model.md, "Duress, decoy and the failure limit"):

* **A duress passphrase** (optional). Typed where the passphrase goes, it opens a *decoy
  journal*: an ordinary vault kept beside the real one (a file in its folder, or a schema
  next to its schema in PostgreSQL), holding whatever plausible entries
  the person wrote in it. Or, if the person chose so, it first **wipes** the real journal's
  key material (the real passphrase and the recovery code stop working for good) and then
  opens the decoy, which they left empty. Its slot is an age file locked with the duress
  passphrase *with the same salt and work factor as the real key file*, so one scrypt
  derivation tries both, and every try (real, duress or wrong) does the same work.
* **A recovery code** (optional; made by ``ally vault init`` and whenever the person asks):
  25 random characters (125 bits), shown once, never stored. The vault key is kept locked
  with it in a second slot, so it can unlock the vault and set a new passphrase.
* **A limit on failed unlocks** (optional; needs a recovery code). Failures are counted in the
  vault's own database, by every shell. When the limit is reached, the key file in the chain
  is *replaced by the copy locked with the recovery code*: from then on no passphrase opens
  the vault, in any process, after any restart, until the recovery code sets a new one.

The slots live in ``vault_slots`` and the counter in ``vault_guard``, beside the chain (not in
it: the chain is public and exported, and must not say that a duress passphrase exists). Both
tables are added on first use; older Ally ignores them, and vaults without them open as before.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ally.storage.database import Database
from ally.storage.vault_store import DB_FILENAME, VaultStore
from ally.vault import crypto
from ally.vault.crypto import Identity
from ally.vault.errors import VaultError, WrongPassphraseError

DURESS = "duress"
"""The slot the duress passphrase opens: the decoy's key and what to do (mode)."""
DURESS_INFO = "duress-info"
"""The same, encrypted to the real vault key: lets the real journal show and reuse it."""
RECOVERY = "recovery"
"""The vault key locked with the recovery code."""

MODES = ("decoy", "wipe")
DECOY_FILENAME = "notes.db"
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so a code copied by hand is read back right."""
RECOVERY_GROUPS = 5
RECOVERY_WORK_FACTOR = 14
"""scrypt for the recovery slot: 125 random bits need no stretching; this is age-compatible."""


class RecoveryRequiredError(VaultError):
    """Too many failed unlocks: only the recovery code opens the vault now."""

    def __init__(self) -> None:
        super().__init__(
            "Too many wrong passphrases: this journal now opens only with its recovery code. "
            "Use the recovery code to choose a new passphrase "
            "(`ally vault recover`, or 'Use your recovery code' on the unlock page)."
        )


class WrongRecoveryCodeError(VaultError):
    """The recovery code does not open this vault."""

    def __init__(self) -> None:
        super().__init__(
            "That recovery code does not open this journal. Nothing was changed. "
            "Check each group of five characters and try again."
        )


class NoRecoveryCodeError(VaultError):
    """The vault has no recovery code (made before they existed, or never asked for)."""

    def __init__(self) -> None:
        super().__init__(
            "This journal has no recovery code. Open it with its passphrase and make one "
            "(`ally vault recovery-code`, or the Safety page)."
        )


# --- recovery codes -------------------------------------------------------------------------


def new_recovery_code() -> str:
    """25 random Crockford base-32 characters in groups of five (125 bits)."""
    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(5 * RECOVERY_GROUPS))
    return "-".join(chars[i : i + 5] for i in range(0, len(chars), 5))


def normalise_code(text: str) -> str:
    """What a person typed, as the code was made: case, spaces, dashes and look-alikes."""
    table = str.maketrans({"O": "0", "I": "1", "L": "1"})
    chars = "".join(c for c in text.upper().translate(table) if c.isalnum())
    return "-".join(chars[i : i + 5] for i in range(0, len(chars), 5))


# --- storage --------------------------------------------------------------------------------


class Slots:
    """SQL for ``vault_slots`` and ``vault_guard`` on a vault's database (made on first use)."""

    def __init__(self, store: VaultStore) -> None:
        self.store = store
        self.db: Database = store.db

    def _exists(self) -> bool:
        return self.store._has_table("vault_slots")

    def ensure(self, tx: Database) -> None:
        blob = "BYTEA" if self.db.kind == "postgresql" else "BLOB"
        tx.execute(
            f"CREATE TABLE IF NOT EXISTS vault_slots (name TEXT PRIMARY KEY, data {blob} NOT NULL)"
        )
        tx.execute(
            "CREATE TABLE IF NOT EXISTS vault_guard (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )

    def get(self, name: str) -> bytes | None:
        if not self._exists():
            return None
        rows = self.db.query("SELECT data FROM vault_slots WHERE name = ?", (name,))
        return bytes(rows[0][0]) if rows else None

    def put(self, tx: Database, name: str, data: bytes) -> None:
        self.ensure(tx)
        tx.execute("DELETE FROM vault_slots WHERE name = ?", (name,))
        tx.execute("INSERT INTO vault_slots (name, data) VALUES (?, ?)", (name, data))

    def delete(self, tx: Database, name: str) -> None:
        self.ensure(tx)
        tx.execute("DELETE FROM vault_slots WHERE name = ?", (name,))

    def setting(self, name: str, tx: Database | None = None) -> str | None:
        if not self._exists():
            return None
        rows = (tx or self.db).query("SELECT value FROM vault_guard WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def set(self, tx: Database, name: str, value: str | None) -> None:
        self.ensure(tx)
        tx.execute("DELETE FROM vault_guard WHERE name = ?", (name,))
        if value is not None:
            tx.execute("INSERT INTO vault_guard (name, value) VALUES (?, ?)", (name, value))

    # --- the failure limit -------------------------------------------------------------------

    def limit(self) -> int | None:
        value = self.setting("limit")
        return int(value) if value and value.isdigit() and int(value) > 0 else None

    def locked_out(self) -> bool:
        return self.setting("locked_out") == "1"


# --- what the duress slot holds -------------------------------------------------------------


@dataclass(frozen=True)
class Duress:
    """What the duress passphrase does: its mode, and the decoy journal's key."""

    mode: str
    decoy: Identity

    def encode(self) -> bytes:
        return json.dumps({"v": 1, "mode": self.mode, "key": self.decoy.identity_file()}).encode()

    @classmethod
    def decode(cls, data: bytes) -> Duress:
        try:
            value = json.loads(data)
            mode = value["mode"] if value["mode"] in MODES else "decoy"
            return cls(mode, Identity.parse(value["key"]))
        except (ValueError, KeyError, TypeError) as error:
            raise VaultError(
                "The duress settings are damaged. Open the journal with its passphrase and "
                "set the duress passphrase again."
            ) from error


DECOY_SCHEMA_SUFFIX = "_notes"
"""A PostgreSQL vault's decoy lives in the schema named like the vault's plus this."""
_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,56}$")
_SEARCH_PATH = re.compile(r"-c\s*search_path=\S*")


def is_postgres(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


def schema_of(db: Database) -> str | None:
    """The schema a PostgreSQL vault's tables are in (its connection's current schema)."""
    rows = db.query("SELECT current_schema()")
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


def decoy_location(location: str, schema: str | None = None) -> str:
    """Where a vault's decoy journal lives: a file beside the vault's own database, or, for
    a vault in PostgreSQL (``schema``: the one its tables are in), the schema of the same
    name plus ``_notes`` in the same database (same address, another ``search_path``)."""
    if is_postgres(location):
        return _decoy_url(location, schema)
    path = Path(location.removeprefix("sqlite:///"))
    if path.suffix == ".db":
        return str(path.with_name(f"{path.stem}-2.db"))
    return str(path / DECOY_FILENAME)


def _decoy_url(url: str, schema: str | None) -> str:
    if schema is None or not _SCHEMA.match(schema):
        raise VaultError(
            "A duress passphrase on PostgreSQL needs the journal in a schema whose name has "
            "only lower-case letters, digits and underscores (at most 57), set by "
            "'options=-csearch_path=NAME' in its address. Nothing was changed."
        )
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = " ".join(value for key, value in query if key == "options")
    options = _SEARCH_PATH.sub("", options).strip()
    options = f"{options} -csearch_path={schema}{DECOY_SCHEMA_SUFFIX}".strip()
    query = [(key, value) for key, value in query if key != "options"] + [("options", options)]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def _decoy_schema(url: str) -> str:
    """The schema a decoy address (made by :func:`decoy_location`) names."""
    options = " ".join(v for k, v in parse_qsl(urlsplit(url).query) if k == "options")
    found = _SEARCH_PATH.findall(options)
    name = found[-1].partition("=")[2] if found else ""
    if not _SCHEMA.match(name):
        raise VaultError("That is not the address of a decoy journal. Nothing was changed.")
    return name


def make_room(db: Database, location: str) -> None:
    """Before a decoy is created: on PostgreSQL its schema must exist (made through the
    real vault's connection). A folder needs nothing."""
    if not is_postgres(location):
        return
    try:
        db.execute(f'CREATE SCHEMA IF NOT EXISTS "{_decoy_schema(location)}"')
    except VaultError:
        raise
    except Exception as error:  # no privilege to create schemas, or the server went away
        raise VaultError(
            "The decoy journal could not be made: the database user needs permission to "
            "create a schema in this database. Nothing was changed."
        ) from error


def delete_database(location: str) -> None:
    """Remove a decoy: its SQLite files (the database and its WAL and shared-memory files),
    or on PostgreSQL its vault's tables, and its schema if nothing else is left in it."""
    if is_postgres(location):
        _drop_pg_vault(location)
        return
    path = Path(location)
    if path.suffix != ".db":
        path = path / DB_FILENAME
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _drop_pg_vault(location: str) -> None:
    schema = _decoy_schema(location)
    db = Database(location)
    try:
        rows = db.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", (schema,)
        )
        tables = [str(r[0]) for r in rows if _SCHEMA.match(str(r[0])) and r[0].startswith("vault_")]
        with db.transaction() as tx:
            for table in tables:
                tx.execute(f'DROP TABLE IF EXISTS "{schema}"."{table}"')
        with contextlib.suppress(Exception):  # something else is kept there: leave it
            db.execute(f'DROP SCHEMA IF EXISTS "{schema}" RESTRICT')
    finally:
        db.close()


@dataclass(frozen=True)
class Unlocked:
    """What a passphrase opened: the real vault's key, or the duress slot."""

    identity: Identity | None
    duress: Duress | None


def try_passphrase(slots: Slots, key_file: bytes, passphrase: str) -> Unlocked:
    """One derivation, both slots tried; WrongPassphraseError when neither opens.

    Counting the failure (and the limit) is the caller's, which can write to the chain.
    """
    opened_key, opened_duress = crypto.open_locked(passphrase, [key_file, slots.get(DURESS)])
    if opened_key is not None:
        return Unlocked(crypto.identity_from(opened_key), None)
    if opened_duress is not None:
        return Unlocked(None, Duress.decode(opened_duress))
    raise WrongPassphraseError()
