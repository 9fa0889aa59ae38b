"""Advocates by consent: a person shares their case with one advocate or with their
organisation's team, and can take it back at any time.

What is shared is encrypted before it reaches the database, to the case keys
(:mod:`ally.hosted.keys`) of the advocates it is shared with and to the person's own journal
key, as age files: the case (the answers and case events the plan is worked out from, and the
dates of the journal's incidents, so an advocate's deadlines are the person's own), the
journal entries the person chose, and their files. The tables hold ciphertext and random
ids only. Taking a share back (:meth:`Sharing.revoke`) deletes all of it, and the advocates'
notes on it, in one transaction: nothing is left to read.

Who may read a share is decided here, once: an enabled advocate of the person's organisation
listed as a reader of that share (:meth:`Sharing._readable`). Every share, update, revoke,
read and note goes into the audit log with the person as its subject, so the person sees
each read of their case.

A share "with the team" follows the team (:meth:`Sharing.refresh_for_person`,
:meth:`Sharing.refresh_for_advocate`): the person consented to their organisation's team, so
an advocate who makes a case key later is added, and one who was disabled is taken out, the
next time someone who can open the share is here with their key — the person unlocking their
journal, or an advocate already on the share unlocking their case key. Everything the share
holds is then decrypted in this process and encrypted again to the team as it is now and the
person's journal key; the server never needs a key of its own for it. Each advocate added or
taken out is recorded in the person's audit trail. A share with one advocate never extends to
anyone else.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ally.hosted import audit
from ally.hosted.accounts import Account
from ally.hosted.errors import HostedError
from ally.hosted.keys import CaseKeys
from ally.hosted.store import HostedStore
from ally.model.journal import Attachment, Entry
from ally.storage.database import Database, schema_lock
from ally.vault import crypto
from ally.vault.crypto import Identity, Recipient
from ally.vault.errors import VaultError

MAX_FILE_BYTES = 25 * 1024 * 1024
"""A file larger than this is not shared (it is encrypted in memory); the page says so."""
MAX_NOTE = 4000

REWRAP_BATCH = 10
"""At most this many team shares are re-wrapped by one advocate's request (tens of ms each)."""
_TEAM = (
    "hosted_case_keys k JOIN hosted_accounts a ON a.id = k.account WHERE k.org = s.org"
    " AND a.org = s.org AND a.role = 'advocate' AND a.disabled = 0"
)
"""The organisation's team (as ``CaseKeys.holders``), for the share ``s`` of a query."""
Opener = Callable[[bytes], bytes]
"""Opens an age file addressed to a share: the person's journal, or a reader's case key."""


def _schema(blob: str) -> tuple[str, ...]:
    return (
        # One row per share: whose, with whom (``advocate`` NULL: the whole team), and the
        # person's journal key (public), to which advocates' notes are encrypted too.
        """CREATE TABLE IF NOT EXISTS hosted_shares (
            id TEXT PRIMARY KEY,
            org TEXT NOT NULL REFERENCES hosted_orgs (id),
            person TEXT NOT NULL REFERENCES hosted_accounts (id),
            advocate TEXT REFERENCES hosted_accounts (id),
            new_entries INTEGER NOT NULL,
            person_key TEXT NOT NULL,
            created BIGINT NOT NULL,
            updated BIGINT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS hosted_shares_person ON hosted_shares (person)",
        # Who can read a share: the advocates its items are encrypted to.
        """CREATE TABLE IF NOT EXISTS hosted_share_readers (
            share TEXT NOT NULL REFERENCES hosted_shares (id),
            advocate TEXT NOT NULL REFERENCES hosted_accounts (id),
            PRIMARY KEY (share, advocate)
        )""",
        "CREATE INDEX IF NOT EXISTS hosted_share_readers_advocate"
        " ON hosted_share_readers (advocate)",
        # What is shared, as age files. ``ref``: the journal's own random id of the entry or
        # file (never content), so an entry is not shared twice.
        f"""CREATE TABLE IF NOT EXISTS hosted_share_items (
            share TEXT NOT NULL REFERENCES hosted_shares (id),
            id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('case', 'entry', 'file')),
            ref TEXT NOT NULL,
            sealed {blob} NOT NULL,
            PRIMARY KEY (share, id)
        )""",
        f"""CREATE TABLE IF NOT EXISTS hosted_share_notes (
            share TEXT NOT NULL REFERENCES hosted_shares (id),
            id TEXT NOT NULL,
            author TEXT NOT NULL REFERENCES hosted_accounts (id),
            at BIGINT NOT NULL,
            sealed {blob} NOT NULL,
            PRIMARY KEY (share, id)
        )""",
    )


class SharingError(HostedError):
    """A share could not be made as asked."""


class NotSharedError(HostedError):
    """This case is not shared with this advocate (or no longer is)."""

    def __init__(self) -> None:
        super().__init__("This case is not shared with you, or it is no longer shared.")


@dataclass(frozen=True)
class ShareInfo:
    id: str
    person: str
    person_login: str
    advocate: str | None
    """The advocate it is shared with; None: the organisation's team."""
    new_entries: bool
    created: int
    updated: int
    readers: tuple[str, ...]
    """The advocates (account ids) who can read it."""
    org: str = ""


@dataclass(frozen=True)
class TeamChange:
    """A team share encrypted again to the team as it is now."""

    share: str
    added: tuple[str, ...]
    """Advocates (account ids) who can read it now and could not before."""
    removed: tuple[str, ...]
    """Readers taken out: no longer an enabled advocate with a case key here."""


@dataclass
class ShareContent:
    """What a person chose to share, in clear, before it is encrypted."""

    case: dict[str, Any] | None = None
    """``{"events": [...], "journal_dates": [...]}``: what ``case_view`` needs."""
    entries: list[Entry] = field(default_factory=list)
    files: list[tuple[Attachment, bytes]] = field(default_factory=list)
    timezone: str | None = None
    """The journal's zone (America/Los_Angeles), sealed with each entry: the advocate reads
    the times as the person typed them, with the plan shared or not."""
    chats: list[tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)
    """Imported chats: each one's summary (``ChatSummary.as_shared``) and its messages
    (``chat_messages``), sealed as one small summary and pages of ``CHAT_PAGE`` messages."""


@dataclass(frozen=True)
class SharedChat:
    """A shared chat's summary as its advocate reads it (no message: those are read a page
    at a time, ``Sharing.read_chat_page``)."""

    id: str
    summary: dict[str, Any]
    timezone: str | None

    def days(self, zone: dt.tzinfo) -> tuple[dt.date, dt.date] | None:
        """The chat's first and last day, in ``zone`` (the person's)."""
        first, last = (
            shared_moment(self.summary.get("first")),
            shared_moment(self.summary.get("last")),
        )
        if first is None or last is None:
            return None
        return first.astimezone(zone).date(), last.astimezone(zone).date()


@dataclass(frozen=True)
class SharedNote:
    id: str
    author: str
    """The advocate's sign-in name."""
    at: int
    sealed: bytes


@dataclass
class SharedCase:
    """A share as its advocate reads it, decrypted."""

    share: ShareInfo
    case: dict[str, Any] | None
    entries: list[Entry]
    files: dict[str, Attachment]
    notes: list[tuple[SharedNote, str]]
    timezone: str | None = None
    """The person's zone, from the newest entry shared with it (or the plan); None when
    only older shares, made before the zone travelled with entries, hold it."""
    chats: list[SharedChat] = field(default_factory=list)


class Sharing:
    """Shares: made and revoked by the person, read and annotated by their advocates."""

    def __init__(
        self, store: HostedStore, keys: CaseKeys, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.keys = keys
        self.clock = clock
        with store.transaction() as db:
            schema_lock(db)
            for statement in _schema("BYTEA" if db.kind == "postgresql" else "BLOB"):
                db.execute(statement)

    # --- the person's side ---------------------------------------------------------------

    def advocates(self, person: Account) -> list[tuple[str, str]]:
        """(account id, sign-in name) of the person's organisation's advocates with a key."""
        holders = {h.account for h in self.keys.holders(person.org)}
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT id, login FROM hosted_accounts WHERE org = ? AND role = 'advocate'"
                " AND disabled = 0 ORDER BY login",
                (person.org,),
            )
        return [(str(r[0]), str(r[1])) for r in rows if str(r[0]) in holders]

    def share(
        self,
        person: Account,
        journal_key: Recipient,
        to: str | None,
        content: ShareContent,
        *,
        new_entries: bool,
    ) -> ShareInfo:
        """Share with one advocate (``to``: their account id) or the team (None).

        Sharing again with the same advocate (or the team) replaces what that share holds,
        keeping its notes: the person's way to update what they share.
        """
        if person.role != "person":
            raise SharingError("Only the person whose case it is can share it.")
        readers = self._readers_for(person, to)
        recipients = [r for _, r in readers] + [journal_key]
        items = self._seal_items(content, recipients)
        now = int(self.clock())
        with self.store.transaction() as db:
            existing = self._existing(db, person, to)
            share_id = existing or secrets.token_hex(16)
            if existing:
                _lock(db, existing)
                db.execute("DELETE FROM hosted_share_items WHERE share = ?", (share_id,))
                db.execute("DELETE FROM hosted_share_readers WHERE share = ?", (share_id,))
                db.execute(
                    "UPDATE hosted_shares SET new_entries = ?, person_key = ?, updated = ?"
                    " WHERE id = ?",
                    (int(new_entries), str(journal_key), now, share_id),
                )
            else:
                db.execute(
                    "INSERT INTO hosted_shares (id, org, person, advocate, new_entries,"
                    " person_key, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (share_id, person.org, person.id, to, int(new_entries), str(journal_key),
                     now, now),
                )  # fmt: skip
            db.executemany(
                "INSERT INTO hosted_share_readers (share, advocate) VALUES (?, ?)",
                [(share_id, account) for account, _ in readers],
            )
            self._insert_items(db, share_id, items)
        kind = "case-share-updated" if existing else "case-shared"
        audit.append(self.store, person.org, person.id, kind, now, subject=person.id)
        found = self._share(share_id)
        assert found is not None
        return found

    def _readers_for(self, person: Account, to: str | None) -> list[tuple[str, Recipient]]:
        holders = self.keys.holders(person.org)
        if to is not None:
            holders = [h for h in holders if h.account == to]
            if not holders:
                raise SharingError(
                    "That advocate cannot receive shared cases yet. Choose another one, or "
                    "share with the whole team."
                )
        if not holders:
            raise SharingError(
                "No advocate here can receive shared cases yet. Ask your organisation."
            )
        return [(h.account, h.recipient) for h in holders]

    def _existing(self, db: Database, person: Account, to: str | None) -> str | None:
        if to is None:
            rows = db.query(
                "SELECT id FROM hosted_shares WHERE person = ? AND advocate IS NULL", (person.id,)
            )
        else:
            rows = db.query(
                "SELECT id FROM hosted_shares WHERE person = ? AND advocate = ?", (person.id, to)
            )
        return str(rows[0][0]) if rows else None

    def _seal_items(
        self, content: ShareContent, recipients: Sequence[Recipient]
    ) -> list[tuple[str, str, bytes]]:
        """(kind, ref, age file) for everything shared, encrypted before any transaction."""
        items: list[tuple[str, str, bytes]] = []
        if content.case is not None:
            body = json.dumps(content.case, sort_keys=True).encode()
            items.append(("case", "case", crypto.seal(body, recipients)))
        for entry in content.entries:
            body = _entry_body(entry, content.timezone)
            items.append(("entry", entry.root_id, crypto.seal(body, recipients)))
        for summary, messages in content.chats:
            items.extend(_chat_items(summary, messages, content.timezone, recipients))
        for attachment, data in content.files:
            if len(data) > MAX_FILE_BYTES:
                continue
            items.append(("file", attachment.id, crypto.seal(data, recipients)))
        return items

    def _insert_items(self, db: Database, share: str, items: list[tuple[str, str, bytes]]) -> None:
        db.executemany(
            "INSERT INTO hosted_share_items (share, id, kind, ref, sealed) VALUES (?, ?, ?, ?, ?)",
            [(share, secrets.token_hex(8), kind, ref, data) for kind, ref, data in items],
        )

    def add_new(
        self,
        person: Account,
        entry: Entry,
        files: list[tuple[Attachment, bytes]],
        timezone: str | None = None,
    ) -> int:
        """Share a new journal entry with every share that asked for new entries; how many."""
        shares = [s for s in self.shares_of(person) if s.new_entries]
        content = ShareContent(entries=[entry], files=files, timezone=timezone)
        for info in shares:
            for _ in range(3):  # again if the share's readers changed meanwhile (a re-wrap)
                if self._add_items(info.id, content):
                    break
            audit.append(
                self.store, person.org, person.id, "case-share-updated", int(self.clock()),
                subject=person.id,
            )  # fmt: skip
        return len(shares)

    def _add_items(self, share_id: str, content: ShareContent) -> bool:
        """Add to a share, encrypted to its readers; False if they changed while encrypting."""
        info = self._share(share_id)
        if info is None:
            return True  # revoked a moment ago
        recipients = [self._recipient(account) for account in info.readers]
        items = self._seal_items(
            content, [r for r in recipients if r is not None] + [self._person_key(info.id)]
        )
        with self.store.transaction() as db:
            _lock(db, info.id)
            if not db.query("SELECT 1 FROM hosted_shares WHERE id = ?", (info.id,)):
                return True
            if set(self._readers(db, info.id)) != set(info.readers):
                return False
            self._insert_items(db, info.id, items)
            db.execute(
                "UPDATE hosted_shares SET updated = ? WHERE id = ?", (int(self.clock()), info.id)
            )
        return True

    # --- a team share follows the team ----------------------------------------------------

    def stale_team_shares(
        self,
        org: str,
        person: str | None = None,
        reader: str | None = None,
        limit: int | None = None,
    ) -> list[ShareInfo]:
        """The organisation's team shares (of one person, or that one advocate reads, if
        given) whose readers are not the team as it is now: an advocate made a case key since,
        or a reader was disabled. One query finds them, so finding none is cheap."""
        sql = f"""SELECT s.id FROM hosted_shares s
            WHERE s.org = ? AND s.advocate IS NULL
            AND (EXISTS (SELECT 1 FROM {_TEAM} AND NOT EXISTS (SELECT 1 FROM hosted_share_readers r
                         WHERE r.share = s.id AND r.advocate = k.account))
                 OR EXISTS (SELECT 1 FROM hosted_share_readers r WHERE r.share = s.id
                         AND NOT EXISTS (SELECT 1 FROM {_TEAM} AND k.account = r.advocate)))"""
        args: list[str] = [org]
        if person is not None:
            sql += " AND s.person = ?"
            args.append(person)
        if reader is not None:
            sql += " AND EXISTS (SELECT 1 FROM hosted_share_readers r"
            sql += " WHERE r.share = s.id AND r.advocate = ?)"
            args.append(reader)
        sql += " ORDER BY s.created, s.id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self.store.transaction() as db:
            rows = db.query(sql, tuple(args))
        found = [self._share(str(row[0])) for row in rows]
        return [s for s in found if s is not None]

    def refresh_for_person(
        self, person: Account, journal_key: Recipient, opener: Opener
    ) -> list[TeamChange]:
        """The person's team shares, encrypted again to the team as it is now, opened with
        their journal (``opener``). Shares made with another journal key (the decoy journal
        is open) are left alone."""
        if person.role != "person":
            return []
        changes = []
        for info in self.stale_team_shares(person.org, person.id):
            if self._person_key(info.id) != journal_key:
                continue
            change = self._rewrap(info, opener)
            if change is not None:
                changes.append(change)
        return changes

    def refresh_for_advocate(
        self, advocate: Account, identity: Identity, limit: int = REWRAP_BATCH
    ) -> list[TeamChange]:
        """Up to ``limit`` team shares this advocate can read, encrypted again to the team as
        it is now, opened with their case key (unlocked now: on unlocking it and on each
        caseload view, so a large organisation's shares are brought up a batch at a time)."""
        if advocate.role != "advocate":
            return []
        changes = []
        for info in self.stale_team_shares(advocate.org, reader=advocate.id, limit=limit):
            try:
                self._readable(advocate, info.id)
            except NotSharedError:
                continue
            change = self._rewrap(info, lambda data: crypto.open_sealed(data, identity))
            if change is not None:
                changes.append(change)
        return changes

    def pending_for(self, advocate: Account) -> int:
        """How many team shares of this advocate's organisation they cannot read yet (they
        will once the person, or a colleague on the share, is here with their key)."""
        if advocate.role != "advocate" or not self.keys.has_key(advocate):
            return 0
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT COUNT(*) FROM hosted_shares s WHERE s.org = ? AND s.advocate IS NULL"
                " AND NOT EXISTS (SELECT 1 FROM hosted_share_readers r"
                " WHERE r.share = s.id AND r.advocate = ?)",
                (advocate.org, advocate.id),
            )
        return int(rows[0][0])

    def _rewrap(self, info: ShareInfo, opener: Opener) -> TeamChange | None:
        """Encrypt everything the team share holds again to the team now and the person's
        journal key. None (nothing changed) if ``opener`` cannot open it, or the share changed
        meanwhile (the next chance tries again)."""
        team = self.keys.holders(info.org)
        recipients = [holder.recipient for holder in team] + [self._person_key(info.id)]
        with self.store.transaction() as db:
            items = db.query(
                "SELECT id, sealed FROM hosted_share_items WHERE share = ?", (info.id,)
            )
            notes = db.query(
                "SELECT id, sealed FROM hosted_share_notes WHERE share = ?", (info.id,)
            )
        try:
            resealed = [
                (crypto.seal(opener(bytes(sealed)), recipients), str(item))
                for item, sealed in items
            ]
        except VaultError:
            return None  # not addressed to this key
        renoted = []
        for note, sealed in notes:
            try:
                renoted.append((crypto.seal(opener(bytes(sealed)), recipients), str(note)))
            except VaultError:  # written before this advocate joined: left as it was
                continue
        readers = tuple(sorted(holder.account for holder in team))
        with self.store.transaction() as db:
            _lock(db, info.id)
            if (
                not db.query("SELECT 1 FROM hosted_shares WHERE id = ?", (info.id,))
                or set(self._readers(db, info.id)) != set(info.readers)
                or {str(r[0]) for r in items} != _ids(db, "hosted_share_items", info.id)
            ):
                return None  # revoked, updated or re-wrapped meanwhile
            db.executemany(
                "UPDATE hosted_share_items SET sealed = ? WHERE share = ? AND id = ?",
                [(sealed, info.id, item) for sealed, item in resealed],
            )
            db.executemany(
                "UPDATE hosted_share_notes SET sealed = ? WHERE share = ? AND id = ?",
                [(sealed, info.id, note) for sealed, note in renoted],
            )
            db.execute("DELETE FROM hosted_share_readers WHERE share = ?", (info.id,))
            db.executemany(
                "INSERT INTO hosted_share_readers (share, advocate) VALUES (?, ?)",
                [(info.id, account) for account in readers],
            )
        change = TeamChange(
            info.id,
            tuple(a for a in readers if a not in info.readers),
            tuple(a for a in info.readers if a not in readers),
        )
        now = int(self.clock())
        for account in change.added:
            audit.append(self.store, info.org, account, "case-share-extended", now, info.person)
        for account in change.removed:
            audit.append(self.store, info.org, account, "case-share-narrowed", now, info.person)
        return change

    def _readers(self, db: Database, share_id: str) -> tuple[str, ...]:
        rows = db.query(
            "SELECT advocate FROM hosted_share_readers WHERE share = ? ORDER BY advocate",
            (share_id,),
        )
        return tuple(str(row[0]) for row in rows)

    def revoke(self, person: Account, share_id: str) -> bool:
        """Take a share back: its content and notes are deleted at once. False if the person
        has no such share (someone else's id changes nothing)."""
        with self.store.transaction() as db:
            _lock(db, share_id)
            rows = db.query(
                "SELECT 1 FROM hosted_shares WHERE id = ? AND person = ?", (share_id, person.id)
            )
            if not rows:
                return False
            for table in ("hosted_share_items", "hosted_share_notes", "hosted_share_readers"):
                db.execute(f"DELETE FROM {table} WHERE share = ?", (share_id,))
            db.execute("DELETE FROM hosted_shares WHERE id = ?", (share_id,))
        audit.append(
            self.store, person.org, person.id, "case-share-revoked", int(self.clock()),
            subject=person.id,
        )  # fmt: skip
        return True

    def shares_of(self, person: Account) -> list[ShareInfo]:
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT id FROM hosted_shares WHERE person = ? AND org = ? ORDER BY created, id",
                (person.id, person.org),
            )
        found = [self._share(str(r[0])) for r in rows]
        return [s for s in found if s is not None]

    def counts(self, person: Account, share_id: str) -> dict[str, int]:
        """How many entries, chats and files a share of this person holds (nothing
        decrypted; a chat's pages of messages are not counted as entries)."""
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT CASE WHEN i.ref LIKE ? THEN 'chat'"
                " WHEN i.ref LIKE ? THEN 'chatpage' ELSE i.kind END, COUNT(*)"
                " FROM hosted_share_items i JOIN hosted_shares s ON s.id = i.share"
                " WHERE s.id = ? AND s.person = ? GROUP BY 1",
                ("chat:%", "chatpage:%", share_id, person.id),
            )
        return {str(r[0]): int(r[1]) for r in rows}

    def notes_for_person(self, person: Account) -> list[SharedNote]:
        """Advocates' notes on this person's shares (still encrypted: the journal opens them)."""
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT n.id, a.login, n.at, n.sealed FROM hosted_share_notes n"
                " JOIN hosted_shares s ON s.id = n.share"
                " JOIN hosted_accounts a ON a.id = n.author"
                " WHERE s.person = ? ORDER BY n.at, n.id",
                (person.id,),
            )
        return [SharedNote(str(r[0]), str(r[1]), int(r[2]), bytes(r[3])) for r in rows]

    # --- the advocate's side -------------------------------------------------------------

    def caseload(self, advocate: Account) -> list[ShareInfo]:
        """The shares this advocate can read (nothing decrypted, nothing recorded)."""
        if advocate.role != "advocate":
            return []
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT s.id FROM hosted_shares s"
                " JOIN hosted_share_readers r ON r.share = s.id"
                " WHERE r.advocate = ? AND s.org = ? ORDER BY s.created, s.id",
                (advocate.id, advocate.org),
            )
        found = [self._share(str(r[0])) for r in rows]
        return [s for s in found if s is not None]

    def open_case(
        self,
        advocate: Account,
        identity: Identity,
        share_id: str,
        *,
        entries: bool = True,
        kind: str = "shared-case-read",
    ) -> SharedCase:
        """A share, decrypted with the advocate's key; the read is recorded first.

        ``entries=False`` decrypts only the case (the caseload page's next step and
        deadlines). NotSharedError for anyone it is not shared with.
        """
        info = self._readable(advocate, share_id)
        self._record(advocate, info, kind)
        wanted = ("case", "entry") if entries else ("case",)
        marks = ", ".join("?" for _ in wanted)
        with self.store.transaction() as db:  # a chat's pages: read_chat_page, one at a time
            rows = db.query(
                f"SELECT kind, ref, sealed FROM hosted_share_items WHERE share = ?"
                f" AND kind IN ({marks}) AND ref NOT LIKE ? ORDER BY id",
                (share_id, *wanted, "chatpage:%"),
            )
        case: dict[str, Any] | None = None
        shared: list[tuple[Entry, str | None]] = []
        chats: list[SharedChat] = []
        for kind_of, ref, sealed in rows:
            body = crypto.open_sealed(bytes(sealed), identity)
            if kind_of == "case":
                case = json.loads(body)
            elif str(ref).startswith("chat:"):
                chats.append(_read_chat(body))
            else:
                shared.append(_read_entry(body))
        shared.sort(key=lambda pair: pair[0].seq)
        chats.sort(key=lambda chat: str(chat.summary.get("title", "")))
        zones = [zone for _, zone in shared if zone] + [c.timezone for c in chats if c.timezone]
        planned = case.get("timezone") if case else None
        zone = zones[-1] if zones else planned if isinstance(planned, str) and planned else None
        read = [entry for entry, _ in shared]
        files = {a.id: a for e in read for a in e.attachments}
        notes = self._notes(share_id, identity) if entries else []
        return SharedCase(info, case, read, files, notes, zone, chats)

    def read_chat_page(
        self, advocate: Account, identity: Identity, share_id: str, chat_id: str, page: int
    ) -> tuple[ShareInfo, SharedChat, list[dict[str, Any]]]:
        """A shared chat's summary and one page (from 1) of its messages, decrypted alone: a
        chat of 90,000 messages is never opened whole. The read is recorded first;
        NotSharedError for anyone it is not shared with, and for a page that is not there."""
        info = self._readable(advocate, share_id)
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT ref, sealed FROM hosted_share_items WHERE share = ? AND kind = 'entry'"
                " AND ref IN (?, ?)",
                (share_id, f"chat:{chat_id}", _page_ref(chat_id, page)),
            )
        found = {str(ref): bytes(sealed) for ref, sealed in rows}
        if len(found) != 2:
            raise NotSharedError()
        self._record(advocate, info, "shared-case-read")
        chat = _read_chat(crypto.open_sealed(found[f"chat:{chat_id}"], identity))
        body = json.loads(crypto.open_sealed(found[_page_ref(chat_id, page)], identity))
        messages = body.get("messages") if isinstance(body, dict) else None
        listed = messages if isinstance(messages, list) else []
        return info, chat, [m for m in listed if isinstance(m, dict)]

    def read_file(
        self, advocate: Account, identity: Identity, share_id: str, attachment_id: str
    ) -> bytes:
        """One shared file's bytes; NotSharedError unless it is in a share they can read."""
        info = self._readable(advocate, share_id)
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT sealed FROM hosted_share_items WHERE share = ? AND kind = 'file'"
                " AND ref = ?",
                (share_id, attachment_id),
            )
        if not rows:
            raise NotSharedError()
        self._record(advocate, info, "shared-file-read")
        return crypto.open_sealed(bytes(rows[0][0]), identity)

    def add_note(self, advocate: Account, share_id: str, text: str) -> None:
        """A note for the person (and the share's other advocates), encrypted to them."""
        info = self._readable(advocate, share_id)
        text = text.strip()
        if not text or len(text) > MAX_NOTE:
            raise SharingError(f"Write a note of 1 to {MAX_NOTE} characters.")
        recipients = [self._recipient(account) for account in info.readers]
        sealed = crypto.seal(
            text.encode(), [r for r in recipients if r is not None] + [self._person_key(share_id)]
        )
        now = int(self.clock())
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO hosted_share_notes (share, id, author, at, sealed)"
                " VALUES (?, ?, ?, ?, ?)",
                (share_id, secrets.token_hex(8), advocate.id, now, sealed),
            )
        audit.append(self.store, advocate.org, advocate.id, "case-note-added", now, info.person)

    def record_letter(self, advocate: Account, share_id: str) -> ShareInfo:
        info = self._readable(advocate, share_id)
        self._record(advocate, info, "shared-letter-drafted")
        return info

    def _notes(self, share_id: str, identity: Identity) -> list[tuple[SharedNote, str]]:
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT n.id, a.login, n.at, n.sealed FROM hosted_share_notes n"
                " JOIN hosted_accounts a ON a.id = n.author WHERE n.share = ? ORDER BY n.at, n.id",
                (share_id,),
            )
        out = []
        for row in rows:
            note = SharedNote(str(row[0]), str(row[1]), int(row[2]), bytes(row[3]))
            try:
                out.append((note, crypto.open_sealed(note.sealed, identity).decode()))
            except VaultError:  # written before this advocate joined the share
                continue
        return out

    def _readable(self, advocate: Account, share_id: str) -> ShareInfo:
        """The share, if this advocate may read it: an enabled advocate of the person's
        organisation listed among its readers. Otherwise NotSharedError."""
        info = self._share(share_id) if len(share_id) <= 64 else None
        if (
            info is None
            or advocate.role != "advocate"
            or advocate.id not in info.readers
            or not self._same_org(advocate, share_id)
        ):
            raise NotSharedError()
        return info

    def _same_org(self, advocate: Account, share_id: str) -> bool:
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT 1 FROM hosted_shares s JOIN hosted_accounts a ON a.id = ?"
                " WHERE s.id = ? AND s.org = a.org AND a.disabled = 0 AND a.role = 'advocate'",
                (advocate.id, share_id),
            )
        return bool(rows)

    def _record(self, advocate: Account, info: ShareInfo, kind: str) -> None:
        audit.append(self.store, advocate.org, advocate.id, kind, int(self.clock()), info.person)

    def _recipient(self, account: str) -> Recipient | None:
        return self.keys.recipient(account)

    def _person_key(self, share_id: str) -> Recipient:
        with self.store.transaction() as db:
            rows = db.query("SELECT person_key FROM hosted_shares WHERE id = ?", (share_id,))
        if not rows:
            raise NotSharedError()
        return Recipient.parse(str(rows[0][0]))

    def _share(self, share_id: str) -> ShareInfo | None:
        with self.store.transaction() as db:
            rows = db.query(
                "SELECT s.id, s.person, a.login, s.advocate, s.new_entries, s.created,"
                " s.updated, s.org FROM hosted_shares s JOIN hosted_accounts a ON a.id = s.person"
                " WHERE s.id = ?",
                (share_id,),
            )
            readers = db.query(
                "SELECT advocate FROM hosted_share_readers WHERE share = ? ORDER BY advocate",
                (share_id,),
            )
        if not rows:
            return None
        r = rows[0]
        return ShareInfo(
            str(r[0]), str(r[1]), str(r[2]), None if r[3] is None else str(r[3]), bool(r[4]),
            int(r[5]), int(r[6]), tuple(str(x[0]) for x in readers), str(r[7]),
        )  # fmt: skip


ENTRY_FORMAT = "ally-shared-entry/2"
"""A shared entry sealed with the journal's zone. Shares made before it hold the entry's
JSON alone, and still read (with no zone)."""


def _entry_body(entry: Entry, timezone: str | None) -> bytes:
    """What one shared entry's age file holds: the entry and the person's zone."""
    wrapped = {"format": ENTRY_FORMAT, "timezone": timezone, "entry": entry.model_dump(mode="json")}
    return json.dumps(wrapped, sort_keys=True).encode()


def _read_entry(body: bytes) -> tuple[Entry, str | None]:
    """A shared entry and the zone sealed with it (None in a share made before zones
    travelled with entries, which holds the bare entry)."""
    found = json.loads(body)
    if isinstance(found, dict) and found.get("format") == ENTRY_FORMAT:
        zone = found.get("timezone")
        return Entry.model_validate(found["entry"]), zone if isinstance(zone, str) else None
    return Entry.model_validate(found), None


CHAT_PAGE = 200
"""Messages in one sealed page of a shared chat: what an advocate's page shows at once."""
PAGE_FORMAT = "ally-shared-messages/1"


def _page_ref(chat_id: str, page: int) -> str:
    return f"chatpage:{chat_id}:{page:06d}"


def _chat_items(
    summary: dict[str, Any],
    messages: list[dict[str, Any]],
    timezone: str | None,
    recipients: Sequence[Recipient],
) -> list[tuple[str, str, bytes]]:
    """A chat as age files: its summary (``chat:<id>``, read with the case) and its messages
    in pages of ``CHAT_PAGE`` (``chatpage:<id>:<n>``, each read alone when shown)."""
    chat_id = str(summary["id"])
    pages = [messages[at : at + CHAT_PAGE] for at in range(0, len(messages), CHAT_PAGE)]
    head = {**summary, "timezone": timezone, "shared": len(messages), "pages": len(pages)}
    items = [("entry", f"chat:{chat_id}", crypto.seal(_json(head), recipients))]
    for number, page in enumerate(pages, 1):
        body = _json({"format": PAGE_FORMAT, "messages": page})
        items.append(("entry", _page_ref(chat_id, number), crypto.seal(body, recipients)))
    return items


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False).encode()


def shared_moment(value: Any) -> dt.datetime | None:
    """A time the share holds (ISO text; UTC if it has no offset), None if there is none."""
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def _read_chat(body: bytes) -> SharedChat:
    found = json.loads(body)
    zone = found.get("timezone")
    return SharedChat(str(found.get("id", "")), found, zone if isinstance(zone, str) else None)


def _lock(db: Database, share_id: str) -> None:
    """Writers of one share take turns (PostgreSQL: its row, locked until commit; SQLite has
    one writer at a time anyway): a re-wrap and a new entry or a revoke never interleave."""
    if db.kind == "postgresql":
        db.query("SELECT id FROM hosted_shares WHERE id = ? FOR UPDATE", (share_id,))


def _ids(db: Database, table: str, share_id: str) -> set[str]:
    return {str(row[0]) for row in db.query(f"SELECT id FROM {table} WHERE share = ?", (share_id,))}
