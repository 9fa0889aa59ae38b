"""Half-written incidents, kept encrypted until the person finishes or deletes them.

A person writing an incident may have to leave at once (quick exit) or step away (the idle
lock). The page sends what was typed here before leaving, and every few seconds while it
changes. Each draft is an age file encrypted to the journal's own key, so the stored draft,
like the journal, reads only with the passphrase; it is kept beside the web app's sessions,
under the id of the journal it belongs to, so a decoy journal never sees the real one's
drafts. Files are never part of a draft: only the text fields are.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from dataclasses import dataclass

from ally.storage.database import Database
from ally.vault import Vault, VaultError, crypto
from ally.web.storage import WebStorage

MAX_DRAFTS = 20
"""Drafts kept per journal; the oldest goes when a new one would pass this."""

DRAFT_FIELDS = (
    "when_date",
    "when_time",
    "approximate",
    "when_words",
    "what",
    "where",
    "context",
    "who",
    "witnesses",
    "impact",
    "retaliation",
)
_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Draft:
    id: str
    saved: int
    fields: dict[str, str]

    def summary(self, width: int = 60) -> str:
        text = " ".join(self.fields.get("what", "").split())
        return text if len(text) <= width else text[: width - 1] + "…"


def new_draft_id() -> str:
    return secrets.token_hex(16)


def valid_draft_id(text: str) -> bool:
    return bool(_ID.fullmatch(text))


class DraftStore:
    def __init__(self, storage: WebStorage) -> None:
        self.storage = storage

    def save(self, vault: Vault, draft_id: str, fields: dict[str, str], now: int) -> bool:
        """Keep (or replace) a draft; False if that draft's incident was saved meanwhile."""
        kept = {name: fields.get(name, "")[:20_000] for name in DRAFT_FIELDS}
        if not any(
            value.strip()
            for name, value in kept.items()
            if name not in ("approximate", "retaliation")
        ):
            return True  # nothing typed yet: nothing to keep
        sealed = base64.b64encode(
            crypto.seal(json.dumps(kept).encode("utf-8"), [vault.recipient])
        ).decode("ascii")
        with self.storage.transaction() as db:
            rows = db.query("SELECT sealed FROM journal_drafts WHERE id = ?", (draft_id,))
            if rows and not rows[0][0]:
                return False
            db.execute("DELETE FROM journal_drafts WHERE id = ?", (draft_id,))
            db.execute(
                "INSERT INTO journal_drafts (id, vault, saved, sealed) VALUES (?, ?, ?, ?)",
                (draft_id, vault.vault_id, now, sealed),
            )
            self._trim(db, vault.vault_id)
        return True

    def _trim(self, db: Database, vault_id: str) -> None:
        rows = db.query(
            "SELECT id FROM journal_drafts WHERE vault = ? AND sealed <> '' ORDER BY saved DESC",
            (vault_id,),
        )
        for (old,) in rows[MAX_DRAFTS:]:
            db.execute("DELETE FROM journal_drafts WHERE id = ?", (old,))

    def drafts(self, vault: Vault) -> list[Draft]:
        """This journal's drafts, newest first (each decrypted with the journal's key)."""
        with self.storage.transaction() as db:
            rows = db.query(
                "SELECT id, saved, sealed FROM journal_drafts WHERE vault = ? AND sealed <> ''"
                " ORDER BY saved DESC",
                (vault.vault_id,),
            )
        identity = vault.identity_for_export()
        found = []
        for draft_id, saved, sealed in rows:
            try:
                plain = crypto.open_sealed(base64.b64decode(sealed), identity)
                fields = json.loads(plain.decode("utf-8"))
            except (ValueError, VaultError):
                continue  # not this journal's (a decoy shares the table) or damaged
            found.append(Draft(str(draft_id), int(saved), {k: str(v) for k, v in fields.items()}))
        return found

    def draft(self, vault: Vault, draft_id: str) -> Draft | None:
        return next((d for d in self.drafts(vault) if d.id == draft_id), None)

    def used(self, draft_id: str, now: int) -> None:
        """The incident was saved: forget the text, and refuse the draft if it comes late."""
        with self.storage.transaction() as db:
            db.execute("DELETE FROM journal_drafts WHERE id = ?", (draft_id,))
            db.execute(
                "INSERT INTO journal_drafts (id, vault, saved, sealed) VALUES (?, '', ?, '')",
                (draft_id, now),
            )

    def delete(self, vault: Vault, draft_id: str) -> None:
        with self.storage.transaction() as db:
            db.execute(
                "DELETE FROM journal_drafts WHERE id = ? AND vault = ?", (draft_id, vault.vault_id)
            )

    def sweep(self, before: int) -> None:
        """Drop the marks of drafts that were used, once no late copy can arrive."""
        with self.storage.transaction() as db:
            db.execute("DELETE FROM journal_drafts WHERE sealed = '' AND saved < ?", (before,))
