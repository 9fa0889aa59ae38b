"""Checking a vault (or an export bundle) without the passphrase.

Verification recomputes every record's hash and link, checks what each record may refer to,
and re-hashes every stored encrypted file against the fingerprint its record holds. It reports
every problem, in chain order, so the first one names the first bad entry. Forgotten content is
fine as long as a later ``forget`` record says so; a replaced key file is fine as long as a
later key record replaced it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from ally.vault.chain import (
    FORMAT_VERSION,
    BlobRef,
    Record,
    RecordError,
    genesis_hash,
    head_code,
    parse_head_code,
    text_digest,
)
from ally.vault.crypto import Fingerprint, Fingerprinter, Recipient
from ally.vault.errors import RecipientError, UnusableRecipientError, VaultDamagedError

if TYPE_CHECKING:
    from ally.storage.vault_store import VaultStore

Progress = Callable[[int, int], None]
T = TypeVar("T")


@dataclass(frozen=True, order=True)
class Problem:
    """One integrity failure, located by entry number (0: the vault's own information).

    ``chain``: the record itself (missing, damaged, changed, out of place); False for a
    problem with an entry's stored files, which leaves the chain around it intact.
    """

    seq: int
    message: str
    entry_id: str | None = None
    chain: bool = field(default=True, compare=False)

    def __str__(self) -> str:
        if self.seq == 0:
            return self.message
        who = f"entry {self.seq}" + (f" ({self.entry_id})" if self.entry_id else "")
        return f"{who}: {self.message}"


@dataclass
class VerifyReport:
    """The outcome of a verification. ``ok`` only if there is no problem at all."""

    entries: int = 0
    files_checked: int = 0
    forgotten: int = 0
    withheld: int = 0
    head_seq: int = 0
    head_hash: str | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    codes: dict[str, bool] = field(default_factory=dict)
    """Journal codes asked about (as given) -> whether each is part of this journal's history."""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        """The problem nearest the start of the chain (the first found, among equals)."""
        return min(self.problems, key=lambda p: p.seq) if self.problems else None

    @property
    def intact_to(self) -> int:
        """How far the journal verifies: entries 1 to this number are sound, files included."""
        first = self.first_problem
        return self.entries if first is None else max(first.seq - 1, 0)

    @property
    def chain_intact_to(self) -> int:
        """Entries 1 to this number have sound records (some of their files may be lost)."""
        seqs = [p.seq for p in self.problems if p.chain]
        return max(min(seqs) - 1, 0) if seqs else self.entries

    @property
    def head_code(self) -> str | None:
        return head_code(self.head_seq, self.head_hash) if self.head_hash else None


@dataclass
class ChainState:
    """Records that parsed, by number, plus what verification learnt about them."""

    records: list[Record] = field(default_factory=list)
    by_id: dict[str, Record] = field(default_factory=dict)
    lost: list[int] = field(default_factory=list)
    """Positions whose record is missing or unreadable (what it said is unknown)."""
    untrusted: list[int] = field(default_factory=list)
    """Positions whose record is missing, unreadable, or readable but failing its own checks
    (changed, out of place, badly linked): what it says about other entries — that one was
    forgotten, that a key was replaced — cannot be relied on."""


Row = tuple[int, "str | bytes", "str | bytes"]
"""A stored record: number, canonical text, hash (text, or bytes read defensively)."""


def check_chain(
    meta: dict[str, str],
    rows: Sequence[Row],
    report: VerifyReport,
    *,
    complete: bool = True,
    codes: Iterable[str] = (),
) -> ChainState:
    """Check the records as stored: links, hashes, numbering, references and the head.

    The rows are walked in the order they are stored. A missing or renumbered record is
    reported at its own position and the walk goes on, so every later record, tombstone and
    attachment is still judged on its own. ``complete`` is False when the rows stop early
    because the rest could not be read (a damaged file). ``codes``: journal codes to look
    up in the history (results in ``report.codes``).
    """
    state = ChainState()
    report.entries = len(rows)
    vault_id = meta.get("vault_id", "")
    if meta.get("format") != str(FORMAT_VERSION) or not (vault_id.isascii() and vault_id.isalnum()):
        report.problems.append(Problem(0, "The vault's own information is damaged or unknown."))
        return state
    wanted = _wanted_codes(codes)
    prev: str | None = genesis_hash(vault_id)
    position = 1
    for seq, raw_text, raw_hash in rows:
        stored = _loose(raw_hash)
        if seq > position:
            _report_gap(position, seq, state, report)
            position, prev = seq, None  # the link to a missing record cannot be checked
        elif seq < 1:  # rows come sorted and unique, so only here can a number be too low
            claimed = _claimed_position(raw_text) or position
            report.problems.append(Problem(claimed, f"is stored under the number {seq}."))
            continue  # its own position is then reported as missing, and the walk goes on
        before = len(report.problems)
        record = _check_row(position, _ascii(raw_text), stored, prev, report)
        if record is None:
            state.lost.append(position)
        else:
            # Judged where it is stored: a record out of place is blamed at its position,
            # never at the number it claims (which may be an earlier, innocent entry's).
            record = record if record.seq == position else replace(record, seq=position)
            _check_references(record, state, report)
            state.records.append(record)
            state.by_id.setdefault(record.id, record)
        if any(p.seq == position for p in report.problems[before:]):
            state.untrusted.append(position)
        if position in wanted:
            for code, expected in wanted[position]:
                report.codes[code] = head_code(position, stored) == expected
        position, prev = position + 1, stored
    for code in codes:
        report.codes.setdefault(code, False)
    _check_head(meta.get("head", ""), rows, report, complete)
    return state


def _wanted_codes(codes: Iterable[str]) -> dict[int, list[tuple[str, str]]]:
    wanted: dict[int, list[tuple[str, str]]] = {}
    for code in codes:
        parsed = parse_head_code(code)
        if parsed is not None:
            wanted.setdefault(parsed[0], []).append((code, parsed[1]))
    return wanted


def _ascii(value: str | bytes) -> str | None:
    """Stored text as a str, or None if it holds anything outside ASCII (records and hashes
    are pure ASCII, so anything else is damage)."""
    if isinstance(value, bytes):
        try:
            return value.decode("ascii")
        except UnicodeDecodeError:
            return None
    return value if value.isascii() else None


def _loose(value: str | bytes) -> str:
    """Stored text as a str, undecodable bytes as U+FFFD (which then matches nothing)."""
    return value.decode("ascii", "replace") if isinstance(value, bytes) else value


VAULT_ID_CHANGED = (
    "The vault's id does not match its first entry: the vault's own information was changed."
)


def _claimed_position(raw: str | bytes) -> int | None:
    """The number a misplaced record says it has (if it still parses)."""
    text = _ascii(raw)
    try:
        return Record.parse(text).seq if text is not None else None
    except RecordError:
        return None


def _report_gap(position: int, seq: int, state: ChainState, report: VerifyReport) -> None:
    if seq == position + 1:
        message = "is missing (it was removed or renumbered)."
    else:
        message = f"is missing, and so are the entries after it up to {seq - 1}."
    report.problems.append(Problem(position, message))
    state.lost.extend(range(position, seq))
    state.untrusted.extend(range(position, seq))


def _check_row(
    seq: int, text: str | None, stored: str | None, prev: str | None, report: VerifyReport
) -> Record | None:
    if text is None:
        report.problems.append(
            Problem(seq, "its record is damaged (it holds bytes that are not text).")
        )
        return None
    try:
        record = Record.parse(text)
    except RecordError:
        report.problems.append(Problem(seq, "its record is damaged."))
        return None
    problem = None
    if record.seq != seq:
        problem = f"is stored out of place (it says it is entry {record.seq})."
    elif text_digest(text) != stored:
        problem = "was changed after it was written."
    elif prev is not None and record.prev != prev and seq == 1:
        # Entry 1 is intact (its hash matches) but does not start from this vault's id.
        report.problems.append(Problem(0, VAULT_ID_CHANGED))
    elif prev is not None and record.prev != prev:
        problem = "does not follow the entry before it (an entry was removed, added or changed)."
    if problem:
        report.problems.append(Problem(seq, problem, record.id))
    return record


def _check_references(record: Record, state: ChainState, report: VerifyReport) -> None:
    target = state.by_id.get(record.of) if record.of else None
    problem = None
    if record.id in state.by_id:
        problem = "reuses the id of an earlier entry."
    elif record.seq == 1 and record.kind != "key":
        problem = "the vault must start with its key."
    elif record.kind in ("key", "share", "unshare"):
        problem = _recipient_problem(record.kind, record.to)
    elif record.to is not None:
        problem = "has a recipient where none belongs."
    if problem is None and record.of is not None and target is None:
        problem = "refers to an entry that does not exist before it."
    if problem is None and target is not None:
        problem = _reference_problem(record, target)
    if problem is None and record.kind in ("attachment", "forget") and record.of is None:
        problem = "does not say which entry it belongs to."
    if problem is None and record.kind in ("key", "share", "unshare") and record.of is not None:
        problem = "refers to an entry where none belongs."
    if problem:
        report.problems.append(Problem(record.seq, problem, record.id))


def _recipient_problem(kind: str, to: str | None) -> str | None:
    try:
        Recipient.parse(to or "")
    except UnusableRecipientError:
        # Older Ally recorded shares to such keys: the record is genuine, the vault skips it.
        return "names a key that cannot be used." if kind == "key" else None
    except RecipientError:
        return "names a key that is not a valid age public key."
    return None


def _reference_problem(record: Record, target: Record) -> str | None:
    if record.is_content and (target.kind != record.kind or target.of is not None):
        return "is an edit of something that is not an original entry of the same kind."
    if record.kind == "attachment" and not (target.is_content and target.of is None):
        return "is attached to something that is not a journal entry."
    if record.kind == "forget" and not (target.is_content or target.kind == "attachment"):
        return "forgets something that is not an entry or attachment."
    return None


def _check_head(head: str, rows: Sequence[Row], report: VerifyReport, complete: bool) -> None:
    last_seq = rows[-1][0] if rows else 0
    last_hash = _loose(rows[-1][2]) if rows else ""
    report.head_seq, report.head_hash = last_seq, last_hash or None
    seq_text, _, digest = head.partition(":")
    if not complete:
        report.problems.append(
            Problem(
                last_seq + 1, "could not be read, nor anything after it: the vault file is damaged."
            )
        )
    elif not (seq_text.isascii() and seq_text.isdigit()):
        report.problems.append(Problem(0, "The record of the journal's newest entry is damaged."))
    elif int(seq_text) > last_seq:
        report.problems.append(
            Problem(last_seq + 1, f"is missing: the journal should hold {seq_text} entries.")
        )
    elif int(seq_text) < last_seq or digest != last_hash:
        seq = min(int(seq_text) + 1, last_seq) if int(seq_text) < last_seq else last_seq
        report.problems.append(Problem(seq, "does not match the journal's recorded newest entry."))


# --- files --------------------------------------------------------------------------------------


def fingerprint_rows(
    rows: Iterable[tuple[str, int, bytes]], total: int = 0, progress: Progress | None = None
) -> dict[str, Fingerprint | str]:
    """Fingerprints of stored files from their rows (in order); a string for a broken file."""
    found: dict[str, Fingerprint | str] = {}
    current: str | None = None
    hasher = Fingerprinter()
    expected = 0
    done = 0

    def finish() -> None:
        if current is not None and current not in found:
            try:
                found[current] = hasher.finish()
            except VaultDamagedError:
                found[current] = "is not a readable encrypted file."

    for key, idx, data in rows:
        if key != current:
            finish()
            current, hasher, expected = key, Fingerprinter(), 0
        done += len(data)
        if progress:
            progress(done, total)
        if current in found:
            continue
        if idx != expected:
            found[key] = "has parts missing or out of order."
            continue
        expected += 1
        try:
            hasher.update(data)
        except VaultDamagedError:
            found[key] = "is not a readable encrypted file."
    finish()
    return found


def check_files(
    state: ChainState,
    found: dict[str, Fingerprint | str],
    report: VerifyReport,
    *,
    partial: bool = False,
    shared_headers: bool = False,
    pending: Iterable[str] = (),
    complete: bool = True,
) -> None:
    """Compare each record's file fingerprints with what is stored.

    ``partial``: a bundle may leave files out (they count as withheld, not missing).
    ``shared_headers``: a bundle made for a recipient has new headers; only payloads must match.
    ``pending``: files of uploads that were started but never completed.
    ``complete``: False when the files could not all be read (a damaged vault file).

    When a record is missing, unreadable or fails its own checks, it may have been the
    tombstone that forgot an earlier entry (or the key record that replaced an earlier key);
    that entry's missing content is then mentioned, not blamed on it, so the first problem
    named is the record that was actually damaged.
    """
    forgotten = forgotten_after(state.records)
    replaced = replaced_keys(state.records)
    last_untrusted = max(state.untrusted, default=0)
    referenced: set[str] = set()
    explained: set[int] = set()
    for record in state.records:
        gone = record.seq < forgotten.get(record.id, 0) or (
            record.of is not None and record.seq < forgotten.get(record.of, 0)
        )
        if gone:
            report.forgotten += 1
        for name, ref in sorted(record.blobs.items()):
            key = f"{record.id}:{name}"
            referenced.add(key)
            problem = file_problem(
                found.get(key), ref, gone or record.id in replaced, partial, shared_headers
            )
            if problem == "withheld":
                report.withheld += 1
            elif problem == MISSING and not complete:
                report.problems.append(Problem(record.seq, UNREADABLE, record.id, chain=False))
            elif problem == MISSING and record.seq < last_untrusted:
                explained.add(record.seq)
            elif problem:
                report.problems.append(Problem(record.seq, problem, record.id, chain=False))
            elif key in found:
                report.files_checked += 1
    report.notes.extend(
        f"Entry {seq}'s encrypted content is missing: it may have been forgotten by a later "
        "record that is now missing, damaged or changed."
        for seq in sorted(explained)
    )
    _note_strays([k for k in found if k not in referenced], set(pending), state, report)


MISSING = "its encrypted content is missing."
UNREADABLE = "its encrypted content could not be read: the vault file is damaged."


def _note_strays(
    stray: list[str], pending: set[str], state: ChainState, report: VerifyReport
) -> None:
    """Stored files no record names. Only an upload that was started and never completed is
    called interrupted; other files belong to a record that is missing or damaged, or were
    put there by something other than Ally."""
    unfinished = [k for k in stray if k in pending]
    other = len(stray) - len(unfinished)
    if unfinished:
        report.notes.append(
            f"{len(unfinished)} stored file(s) are from an upload that never completed; "
            "they are not part of the journal and are removed the next time it is unlocked."
        )
    if other and state.lost:
        report.notes.append(
            f"{other} stored file(s) belong to no readable entry: probably to the missing "
            "or damaged entries above."
        )
    elif other:
        report.notes.append(
            f"{other} stored file(s) belong to no entry of the journal. They are not part "
            "of the evidence and are ignored."
        )


def file_problem(
    fp: Fingerprint | str | None, ref: BlobRef, gone: bool, partial: bool, shared: bool
) -> str | None:
    if fp is None:
        if gone:
            return None
        return "withheld" if partial else MISSING
    if isinstance(fp, str):
        return f"its encrypted content {fp}"
    if gone:
        return "content that was forgotten is still stored."
    same_payload = fp.payload_hash == ref.payload_hash
    same_header = fp.header_hash == ref.header_hash
    if not same_payload or not (same_header or shared) or (same_header and fp.size != ref.size):
        return "its encrypted content was changed."
    return None


def forgotten_after(records: list[Record]) -> dict[str, int]:
    """id -> number of the first forget record naming it."""
    out: dict[str, int] = {}
    for record in records:
        if record.kind == "forget" and record.of is not None:
            out.setdefault(record.of, record.seq)
    return out


def replaced_keys(records: list[Record]) -> set[str]:
    keys = [r.id for r in records if r.kind == "key"]
    return set(keys[:-1])


# --- a stored vault -----------------------------------------------------------------------------


def verify_store(
    store: VaultStore, progress: Progress | None = None, codes: Iterable[str] = ()
) -> VerifyReport:
    """Verify a vault's database; never raises for anything stored in it.

    Everything is read as bytes in one snapshot, row by row. Damage the database itself
    reports (a truncated or partly unreadable file, a value of the wrong type) ends that
    read; what was read before it is still checked, and the report says where reading
    stopped, so ``intact_to`` tells how far the journal verifies.
    """
    report = VerifyReport()
    try:
        with store.db.read_snapshot():
            _verify_snapshot(store, report, progress, list(codes))
    except Exception:  # the snapshot could not even begin or end: say so, located
        if report.ok:
            report.problems.append(Problem(0, UNREADABLE_VAULT))
        for code in codes:
            report.codes.setdefault(code, False)
    return report


UNREADABLE_VAULT = "The vault's database could not be read: the file is damaged."


def _verify_snapshot(
    store: VaultStore, report: VerifyReport, progress: Progress | None, codes: list[str]
) -> None:
    metas: list[dict[str, str]] = []
    meta_ok = gather(lambda: iter([store.raw_meta()]), metas)
    meta = metas[0] if metas else {}
    rows: list[Row] = []
    complete = meta_ok and gather(store.raw_records, rows)
    state = check_chain(meta, rows, report, complete=complete, codes=codes)
    if not meta_ok:
        return
    pendings: list[set[str]] = []
    gather(lambda: iter([store.raw_pending()]), pendings)
    pending = pendings[0] if pendings else set()
    total = 0
    if progress:
        sizes: list[int] = []
        gather(lambda: iter([store.total_bytes()]), sizes)
        total = sizes[0] if sizes else 0
    failed: list[bool] = []
    found = fingerprint_rows(until_error(store.raw_chunks, failed), total, progress)
    if failed and store.db.kind == "sqlite":  # damaged: read what can be read, row by row
        failed = []
        found = fingerprint_rows(scattered_chunks(store, failed))
    check_files(state, found, report, pending=pending, complete=not failed)


def scattered_chunks(store: VaultStore, failed: list[bool]) -> Iterator[tuple[str, int, bytes]]:
    """Every stored file row that can still be read from a damaged SQLite file, in (file,
    number) order. Rows are listed from the table itself, then read one by one, so damage
    costs only the files it touches; an unreadable row breaks its file (number -1).
    ``failed`` gets True if the listing itself broke off (rows after it are unknown)."""
    index: list[tuple[int, str, int]] = []
    if not gather(store.chunk_rowids, index):
        failed.append(True)
    index.sort(key=lambda row: (row[1], row[2]))
    for rowid, key, idx in index:
        try:
            data = store.chunk_at(rowid)
        except Exception:  # this row's page is damaged
            yield key, -1, b""
        else:
            yield key, idx, data


def gather(source: Callable[[], Iterator[Any]], into: list[Any]) -> bool:
    """Append what ``source`` yields until it ends (True) or the database fails (False)."""
    try:
        for item in source():
            into.append(item)
    except Exception:  # a damaged file, a value of the wrong type: reading stops here
        return False
    return True


def until_error(source: Callable[[], Iterator[T]], failed: list[bool]) -> Iterator[T]:
    """The items of ``source`` until the database fails; then ``failed`` gets True."""
    try:
        yield from source()
    except Exception:  # a damaged file: the rows after this point are unreadable
        failed.append(True)
