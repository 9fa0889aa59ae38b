"""Checking a vault (or an export bundle) without the passphrase.

Verification recomputes every record's hash and link, checks what each record may refer to,
and re-hashes every stored encrypted file against the fingerprint its record holds. It reports
every problem, in chain order, so the first one names the first bad entry. Forgotten content is
fine as long as a later ``forget`` record says so; a replaced key file is fine as long as a
later key record replaced it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ally.vault.chain import (
    FORMAT_VERSION,
    BlobRef,
    Record,
    RecordError,
    genesis_hash,
    head_code,
    text_digest,
)
from ally.vault.crypto import Fingerprint, Fingerprinter, Recipient
from ally.vault.errors import RecipientError, UnusableRecipientError, VaultDamagedError

Progress = Callable[[int, int], None]


@dataclass(frozen=True, order=True)
class Problem:
    """One integrity failure, located by entry number (None: the vault as a whole)."""

    seq: int
    message: str
    entry_id: str | None = None

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

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        return min(self.problems) if self.problems else None

    @property
    def head_code(self) -> str | None:
        return head_code(self.head_seq, self.head_hash) if self.head_hash else None


@dataclass
class ChainState:
    """Records that parsed, by number, plus what verification learnt about them."""

    records: list[Record] = field(default_factory=list)
    by_id: dict[str, Record] = field(default_factory=dict)


def check_chain(
    meta: dict[str, str], rows: list[tuple[int, str, str]], report: VerifyReport
) -> ChainState:
    """Check links, hashes, numbering, references and the head; add problems to ``report``."""
    state = ChainState()
    vault_id = meta.get("vault_id", "")
    if meta.get("format") != str(FORMAT_VERSION) or not vault_id.isalnum():
        report.problems.append(Problem(0, "The vault's own information is damaged or unknown."))
        return state
    prev = genesis_hash(vault_id)
    for expected, (seq, text, stored_hash) in enumerate(rows, start=1):
        record = _check_row(expected, seq, text, stored_hash, prev, report)
        prev = stored_hash
        if record is not None:
            _check_references(record, state, report)
            state.records.append(record)
            state.by_id.setdefault(record.id, record)
    report.entries = len(rows)
    _check_head(meta.get("head", ""), rows, report)
    return state


def _check_row(
    expected: int, seq: int, text: str, stored: str, prev: str, report: VerifyReport
) -> Record | None:
    if seq != expected:
        report.problems.append(Problem(expected, "is missing, or entries are out of order."))
        return None
    try:
        record = Record.parse(text)
    except RecordError:
        report.problems.append(Problem(seq, "its record is damaged."))
        return None
    problem = None
    if record.seq != seq:
        problem = "is stored out of place (entries were reordered)."
    elif record.prev != prev:
        problem = "does not follow the entry before it (an entry was removed, added or changed)."
    elif text_digest(text) != stored:
        problem = "was changed after it was written."
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


def _check_head(head: str, rows: list[tuple[int, str, str]], report: VerifyReport) -> None:
    last_seq, last_hash = (rows[-1][0], rows[-1][2]) if rows else (0, "")
    report.head_seq, report.head_hash = last_seq, last_hash or None
    seq_text, _, digest = head.partition(":")
    if not seq_text.isdigit():
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
) -> None:
    """Compare each record's file fingerprints with what is stored.

    ``partial``: a bundle may leave files out (they count as withheld, not missing).
    ``shared_headers``: a bundle made for a recipient has new headers; only payloads must match.
    """
    forgotten = _forgotten_after(state.records)
    replaced_keys = _replaced_keys(state.records)
    referenced: set[str] = set()
    for record in state.records:
        gone = record.seq < forgotten.get(record.id, 0) or (
            record.of is not None and record.seq < forgotten.get(record.of, 0)
        )
        if gone:
            report.forgotten += 1
        for name, ref in sorted(record.blobs.items()):
            key = f"{record.id}:{name}"
            referenced.add(key)
            problem = _file_problem(
                found.get(key), ref, gone or record.id in replaced_keys, partial, shared_headers
            )
            if problem == "withheld":
                report.withheld += 1
            elif problem:
                report.problems.append(Problem(record.seq, problem, record.id))
            elif key in found:
                report.files_checked += 1
    stray = [k for k in found if k not in referenced]
    if stray:
        report.notes.append(
            f"{len(stray)} stored file(s) belong to no entry (an interrupted upload); "
            "they are ignored and removed on the next write."
        )


def _file_problem(
    fp: Fingerprint | str | None, ref: BlobRef, gone: bool, partial: bool, shared: bool
) -> str | None:
    if fp is None:
        if gone:
            return None
        return "withheld" if partial else "its encrypted content is missing."
    if isinstance(fp, str):
        return f"its encrypted content {fp}"
    if gone:
        return "content that was forgotten is still stored."
    same_payload = fp.payload_hash == ref.payload_hash
    same_header = fp.header_hash == ref.header_hash
    if not same_payload or not (same_header or shared) or (same_header and fp.size != ref.size):
        return "its encrypted content was changed."
    return None


def _forgotten_after(records: list[Record]) -> dict[str, int]:
    """id -> number of the first forget record naming it."""
    out: dict[str, int] = {}
    for record in records:
        if record.kind == "forget" and record.of is not None:
            out.setdefault(record.of, record.seq)
    return out


def _replaced_keys(records: list[Record]) -> set[str]:
    keys = [r.id for r in records if r.kind == "key"]
    return set(keys[:-1])
