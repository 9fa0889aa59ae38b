"""Background jobs of a hosted Ally (imports and evidence reports) on a Procrastinate queue.

Why a queue: an import of a large chat export or a typeset report takes seconds to minutes; in
hosted mode it must not tie an app process to one browser, and it must survive a worker that
dies. Procrastinate keeps the queue in the PostgreSQL database Ally already needs (see
``docs/architecture.md``, "Hosted mode").

What rests in the database, and sealed to whom (in the ``queue_*`` tables, kept apart from
the account tables ``hosted_*``, which hold no journal bytes at all):

* ``queue_jobs.options`` (the form's choices: a conversation's name, the report's title) and
  ``queue_job_files`` (the uploaded export, the finished report) and ``queue_jobs.result``
  (the import's summary) are sealed to the journal's own public key: only its key reads them.
* ``queue_jobs.key_seal`` holds the journal's key, sealed to the in-memory X25519 keys of the
  workers alive when the job was sent (``queue_workers``). A worker's private key never leaves
  its memory, so when every worker a job was sealed to has died, nothing can open the seal:
  the job waits until the person's journal is open again in an app process, which seals it
  afresh to the live workers (:meth:`JobStore.reseal`).
* The queue's own row (``procrastinate_jobs``) holds only the job's random id.

A job can run twice (a worker killed mid-way is retried by another): the import pipeline
writes each import in one vault batch, all or nothing, and finds messages already stored by
their keys, so a retried import adds each message exactly once.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ally.evidence.pipeline import ImportResult
from ally.hosted.errors import HostedError
from ally.storage.database import Database, LockedConnection
from ally.vault import Vault
from ally.vault.crypto import Recipient, seal

QUEUE = "ally"
TASK = "ally_job"
KINDS = ("import", "report")
CHUNK = 1 << 20
"""Uploads and results are stored in pieces of this size (1 MiB of plaintext each)."""
ACTIVE = ("queued", "running", "waiting")
KEEP_DAYS = 7
"""Days a finished job's sealed result is kept for the person to read or download."""
SCHEMA = (
    # One row per running worker: its public key (the private half is in its memory only)
    # and when it was last seen, by the database's clock.
    """CREATE TABLE IF NOT EXISTS queue_workers (
        id TEXT PRIMARY KEY,
        recipient TEXT NOT NULL,
        stale_after DOUBLE PRECISION NOT NULL,
        seen TIMESTAMPTZ NOT NULL DEFAULT now()
    )""",
    """CREATE TABLE IF NOT EXISTS queue_jobs (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('import', 'report')),
        state TEXT NOT NULL
            CHECK (state IN ('queued', 'running', 'waiting', 'done', 'failed')),
        key_seal BYTEA,
        sealed_for TEXT NOT NULL DEFAULT '',
        worker TEXT,
        options BYTEA NOT NULL,
        done BIGINT NOT NULL DEFAULT 0,
        total BIGINT NOT NULL DEFAULT 0,
        result BYTEA,
        created TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated TIMESTAMPTZ NOT NULL DEFAULT now()
    )""",
    "CREATE INDEX IF NOT EXISTS queue_jobs_account ON queue_jobs (account)",
    # The journal's public key (already in its own schema): a page shows a job only while
    # that very journal is open, so a decoy journal never lists the real one's jobs.
    "ALTER TABLE queue_jobs ADD COLUMN IF NOT EXISTS journal TEXT NOT NULL DEFAULT ''",
    """CREATE TABLE IF NOT EXISTS queue_job_files (
        job TEXT NOT NULL REFERENCES queue_jobs (id) ON DELETE CASCADE,
        part TEXT NOT NULL,
        seq INTEGER NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (job, part, seq)
    )""",
)
_COLUMNS = (
    "id, account, kind, state, sealed_for, worker, done, total, result, options, key_seal, journal"
)
_JOB_ID = re.compile(r"^[0-9a-f]{16}$")
_SCHEMA_NAME = re.compile(r"^v_[0-9a-f]{16}(_notes)?$")


class JobError(HostedError):
    """A background job cannot be started or read."""


class NoJobError(JobError):
    def __init__(self) -> None:
        super().__init__("There is no such import or report. Start it again from its page.")


@dataclass(frozen=True)
class Job:
    """A job as its page shows it: counts and state, never its content."""

    id: str
    account: str
    kind: str
    state: str
    sealed_for: tuple[str, ...]
    worker: str | None
    done: int
    total: int
    result: bytes | None
    options: bytes
    key_seal: bytes | None
    journal: str
    """The journal's public key (age recipient)."""

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


def is_job_id(text: str) -> bool:
    return bool(_JOB_ID.match(text))


def schema_of(location: str) -> str:
    """The journal schema a vault location points at (its ``search_path``)."""
    options = next((v for k, v in parse_qsl(urlsplit(location).query) if k == "options"), "")
    found = re.findall(r"-csearch_path=(\S+)", options)
    if not found or not _SCHEMA_NAME.match(found[-1]):
        raise JobError("Background jobs need a journal kept in its own schema (hosted mode).")
    return str(found[-1])


def in_schema(url: str, schema: str) -> str:
    """``url`` with its ``search_path`` set to the journal schema ``schema``."""
    if not _SCHEMA_NAME.match(schema):
        raise JobError("This job names a journal that cannot exist. Start it again.")
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "options"]
    options = next((v for k, v in parse_qsl(parts.query) if k == "options"), "")
    options = re.sub(r"-csearch_path=\S+", "", options)
    query.append(("options", f"{options} -csearch_path={schema}".strip()))
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def import_summary(result: ImportResult) -> dict[str, Any]:
    """What an import's result page shows: counts and the file's name and hash, never its
    content (the same in local mode, where it is never stored)."""
    from ally.evidence.importers import IMPORTERS

    labels = {importer.name: importer.label for importer in IMPORTERS}
    return {
        "file": result.file,
        "format": labels.get(result.format, result.format),
        "sha256": result.sha256,
        "read": result.read,
        "added": result.added,
        "already_present": result.already_present,
        "flagged": result.flagged,
        "conversations": len(result.conversations),
        "original_stored": result.original_stored,
        "notes": result.notes(web=True),
    }


def belongs(job: Job, vault: Vault) -> bool:
    """Whether the job was made from this very journal (not, say, from its decoy)."""
    return job.journal == str(vault.recipient)


def seal_json(value: dict[str, Any], recipient: Recipient) -> bytes:
    return seal(json.dumps(value).encode("utf-8"), [recipient])


class JobStore(LockedConnection):
    """The job tables, on one connection behind one lock (page handlers run in threads)."""

    def __init__(self, url: str) -> None:
        if not url.startswith(("postgresql://", "postgres://")):
            raise JobError("Background jobs need the PostgreSQL database: --database postgresql://")
        super().__init__(url)
        with self.transaction() as db:
            db.execute("SELECT pg_advisory_xact_lock(7261002)")  # two processes start at once
            for statement in SCHEMA:
                db.execute(statement)

    # --- workers ------------------------------------------------------------------------------

    def register_worker(self, worker: str, recipient: Recipient, stale_after: float) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO queue_workers (id, recipient, stale_after) VALUES (?, ?, ?)",
                (worker, str(recipient), stale_after),
            )

    def heartbeat(self, worker: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE queue_workers SET seen = now() WHERE id = ?", (worker,))

    def retire(self, worker: str) -> None:
        """A worker stopping cleanly: nothing will be sealed to it any more."""
        with self.transaction() as db:
            db.execute("DELETE FROM queue_workers WHERE id = ?", (worker,))

    def live_workers(self) -> dict[str, Recipient]:
        """Workers seen lately (by the database's clock), by id; long-dead ones forgotten."""
        with self.transaction() as db:
            db.execute(
                "DELETE FROM queue_workers"
                " WHERE seen < now() - make_interval(secs => stale_after * 20)"
            )
            rows = db.query(
                "SELECT id, recipient FROM queue_workers"
                " WHERE seen >= now() - make_interval(secs => stale_after)"
            )
        return {str(worker): Recipient.parse(str(key)) for worker, key in rows}

    # --- jobs ---------------------------------------------------------------------------------

    def create(
        self,
        account: str,
        kind: str,
        vault: Vault,
        options: dict[str, Any],
        upload: Iterable[bytes] = (),
    ) -> str:
        """A new job (state ``waiting`` until :meth:`reseal` gives it to the workers)."""
        if kind not in KINDS:
            raise JobError("Ally does not know that kind of job.")
        job = secrets.token_hex(8)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO queue_jobs (id, account, kind, state, options, journal)"
                " VALUES (?, ?, ?, 'waiting', ?, ?)",
                (job, account, kind, seal_json(options, vault.recipient), str(vault.recipient)),
            )
            self._write_sealed(db, job, "upload", upload, vault.recipient)
        return job

    def _write_sealed(
        self, db: Database, job: str, part: str, data: Iterable[bytes], to: Recipient
    ) -> None:
        """Store ``data`` sealed to ``to`` as numbered pieces (nothing if ``data`` is empty)."""
        from ally.vault.crypto import Sealer

        pieces: list[bytes] = []
        seq = 0

        def sink(chunk: bytes | bytearray) -> None:
            nonlocal seq
            pieces.append(bytes(chunk))
            if sum(map(len, pieces)) >= CHUNK:
                db.execute(
                    "INSERT INTO queue_job_files (job, part, seq, data) VALUES (?, ?, ?, ?)",
                    (job, part, seq, b"".join(pieces)),
                )
                pieces.clear()
                seq += 1

        iterator = iter(data)
        first = next(iterator, None)
        if first is None:
            return
        with Sealer([to], sink) as sealer:
            sealer.write(first)
            for piece in iterator:
                sealer.write(piece)
        if pieces:
            db.execute(
                "INSERT INTO queue_job_files (job, part, seq, data) VALUES (?, ?, ?, ?)",
                (job, part, seq, b"".join(pieces)),
            )

    def pieces(self, job: str, part: str) -> Iterator[bytes]:
        """A stored file's sealed pieces, read one at a time."""
        with self.transaction() as db:
            count = db.query(
                "SELECT count(*) FROM queue_job_files WHERE job = ? AND part = ?", (job, part)
            )[0][0]
        for seq in range(int(count)):
            with self.transaction() as db:
                rows = db.query(
                    "SELECT data FROM queue_job_files WHERE job = ? AND part = ? AND seq = ?",
                    (job, part, seq),
                )
            if not rows:
                raise JobError("Part of this job's file is missing. Start it again.")
            yield bytes(rows[0][0])

    def has_part(self, job: str, part: str) -> bool:
        with self.transaction() as db:
            rows = db.query(
                "SELECT 1 FROM queue_job_files WHERE job = ? AND part = ? LIMIT 1", (job, part)
            )
        return bool(rows)

    def get(self, job: str, account: str | None = None) -> Job:
        """The job (of this account, when given); NoJobError for any other."""
        if not is_job_id(job):
            raise NoJobError()
        query = f"SELECT {_COLUMNS} FROM queue_jobs WHERE id = ?"
        params: list[Any] = [job]
        if account is not None:
            query += " AND account = ?"
            params.append(account)
        with self.transaction() as db:
            rows = db.query(query, params)
        if not rows:
            raise NoJobError()
        return _job(rows[0])

    def of_account(self, account: str) -> list[Job]:
        """The account's jobs, newest first (what the import page lists)."""
        with self.transaction() as db:
            rows = db.query(
                f"SELECT {_COLUMNS} FROM queue_jobs WHERE account = ? ORDER BY created DESC",
                (account,),
            )
        return [_job(row) for row in rows]

    def can_run(self, job: Job) -> bool:
        """Whether a worker alive now can open the job's seal (so it needs nothing more)."""
        return bool(set(job.sealed_for) & set(self.live_workers()))

    def sweep(self, days: float = KEEP_DAYS) -> int:
        """Forget finished jobs (their sealed summaries and reports) after ``days``: a report
        nobody fetched should not outlive the person's wish to delete what it shows."""
        with self.transaction() as db:
            rows = db.query(
                "DELETE FROM queue_jobs WHERE state IN ('done', 'failed')"
                " AND updated < now() - make_interval(days => ?) RETURNING id",
                (int(days),),
            )
        return len(rows)

    def reseal(self, job: Job, vault: Vault) -> tuple[str, ...]:
        """Seal the journal's key to the workers alive now, if none of those the job is
        sealed to is; returns the workers it is sealed to (empty: none is running).

        The journal must be open (its key is needed). A job that had been given up as
        waiting is queued again; one still queued or running keeps its place (a stalled run
        is retried by the workers themselves, and the new seal lets the retry open it).
        """
        if not belongs(job, vault):  # another journal of the person (the decoy) is open
            return job.sealed_for
        live = self.live_workers()
        if not job.active or (job.sealed_for and set(job.sealed_for) & set(live)):
            return job.sealed_for
        if not live:
            return ()
        payload = {
            "schema": schema_of(vault.location),
            "key": base64.b64encode(vault.sealed_key(list(live.values()))).decode("ascii"),
        }
        sealed = seal(json.dumps(payload).encode("utf-8"), list(live.values()))
        with self.transaction() as db:  # only if no one moved the job on meanwhile
            db.execute(
                "UPDATE queue_jobs SET key_seal = ?, sealed_for = ?, updated = now()"
                " WHERE id = ? AND state = ?",
                (sealed, " ".join(sorted(live)), job.id, job.state),
            )
        if job.state == "waiting":
            # Queued first, marked after: if the queue cannot be reached the job still
            # says it waits, and the next visit or unlock sends it again.
            defer(self.url, job.id, job.account)
            with self.transaction() as db:
                db.execute(
                    "UPDATE queue_jobs SET state = 'queued' WHERE id = ? AND state = 'waiting'",
                    (job.id,),
                )
        return tuple(sorted(live))

    # --- what workers write -------------------------------------------------------------------

    def started(self, job: str, worker: str) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE queue_jobs SET state = 'running', worker = ?, done = 0, updated = now()"
                " WHERE id = ? AND state IN ('queued', 'running', 'waiting')",
                (worker, job),
            )

    def cannot_open(self, job: Job) -> None:
        """This worker was not among those the key was sealed to: the job waits for the
        person (unless it was sealed afresh meanwhile)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE queue_jobs SET state = 'waiting', updated = now()"
                " WHERE id = ? AND sealed_for = ? AND state IN ('queued', 'running')",
                (job.id, " ".join(job.sealed_for)),
            )

    def abandon(self, job: str) -> None:
        """The job cannot run at all (its journal is gone): failed, with nothing kept."""
        with self.transaction() as db:
            db.execute("DELETE FROM queue_job_files WHERE job = ?", (job,))
            db.execute(
                "UPDATE queue_jobs SET state = 'failed', key_seal = NULL, sealed_for = '',"
                " updated = now() WHERE id = ?",
                (job,),
            )

    def progress(self, job: str, done: int, total: int) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE queue_jobs SET done = ?, total = ?, updated = now() WHERE id = ?",
                (done, total, job),
            )

    def finish(
        self,
        job: str,
        ok: bool,
        result: dict[str, Any],
        to: Recipient,
        by: str,
        file: bytes | None = None,
    ) -> None:
        """The job's end, in one transaction: its summary (and file) sealed to the journal,
        the upload deleted and the journal's key forgotten.

        ``by`` is the worker that finished it, recorded because a worker starved of CPU can be
        taken for dead while it carries on: the job is then run again by another, and the row
        must name whichever run actually ended it, not the last one to start."""
        with self.transaction() as db:
            db.execute("DELETE FROM queue_job_files WHERE job = ?", (job,))
            if file is not None:
                self._write_sealed(db, job, "result", [file], to)
            db.execute(
                "UPDATE queue_jobs SET state = ?, result = ?, key_seal = NULL, sealed_for = '',"
                " worker = ?, updated = now() WHERE id = ?",
                ("done" if ok else "failed", seal_json(result, to), by, job),
            )

    def forget(self, job: str, account: str) -> None:
        """The person is done with it: the job and its files go."""
        with self.transaction() as db:
            db.execute("DELETE FROM queue_jobs WHERE id = ? AND account = ?", (job, account))


def _job(row: tuple[Any, ...]) -> Job:
    return Job(
        id=str(row[0]),
        account=str(row[1]),
        kind=str(row[2]),
        state=str(row[3]),
        sealed_for=tuple(str(row[4]).split()),
        worker=None if row[5] is None else str(row[5]),
        done=int(row[6]),
        total=int(row[7]),
        result=None if row[8] is None else bytes(row[8]),
        options=bytes(row[9]),
        key_seal=None if row[10] is None else bytes(row[10]),
        journal=str(row[11]),
    )


# --- the queue --------------------------------------------------------------------------------

_SCHEMA_LOCK = 7261001


def ensure_queue_schema(url: str) -> None:
    """Procrastinate's tables, made once (two processes starting together wait for each
    other on an advisory lock)."""
    import psycopg
    from procrastinate.schema import SchemaManager

    with psycopg.connect(url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        found = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if found is None or found[0] is None:
            conn.execute(SchemaManager.get_schema())
        conn.commit()


_apps: dict[str, Any] = {}
_apps_lock = threading.Lock()


def defer(url: str, job: str, account: str) -> None:
    """Put the job on the queue. One person's jobs run one at a time (the lock)."""
    from procrastinate import App, SyncPsycopgConnector

    with _apps_lock:
        app = _apps.get(url)
        if app is None:
            ensure_queue_schema(url)
            connector = SyncPsycopgConnector(conninfo=url, min_size=1, max_size=2)
            app = _apps[url] = App(connector=connector).open()
    app.configure_task(TASK, queue=QUEUE, lock=f"account-{account}").defer(job=job)


def close_queues() -> None:
    """Close the queue connections of this process (when the app stops)."""
    with _apps_lock:
        for app in _apps.values():
            app.close()
        _apps.clear()
