"""``ally worker``: runs the imports and reports a hosted Ally queues (see ``hosted/jobs.py``).

At start a worker makes an X25519 key pair; the private key lives in this process's memory
only, and the public key is listed in ``queue_workers`` so app processes can seal journal keys
to it. While it runs it says it is alive (``seen``) and retries the jobs of workers that
stopped saying so (Procrastinate's stalled jobs): a worker killed mid-import leaves its job to
the others, and the vault batch makes the retried import all-or-nothing.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import logging
import secrets
import signal
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from ally.documents.casefile import CaseFile, Selection, build_casefile
from ally.errors import AllyError
from ally.evidence.detect import Detector
from ally.evidence.importers import ImportOptions
from ally.evidence.pipeline import import_file
from ally.hosted.jobs import (
    QUEUE,
    TASK,
    Job,
    JobStore,
    ensure_queue_schema,
    import_summary,
    in_schema,
)
from ally.vault import Vault, VaultDamagedError
from ally.vault.crypto import Identity, open_sealed

_log = logging.getLogger("ally.worker")
PROGRESS_EVERY = 0.5
"""Seconds between progress writes (the page polls every few seconds)."""
SWEEP_EVERY = 60
"""Heartbeats between two sweeps of finished jobs past their keeping time."""
FAILED = "Ally could not finish this. Nothing was half-added; please try again."


@cache
def _detector() -> Detector:
    return Detector()


class JobRunner:
    """Runs one job at a time for one worker, with the worker's in-memory key."""

    def __init__(self, url: str, store: JobStore, worker: str, identity: Identity) -> None:
        self.url = url
        self.store = store
        self.worker = worker
        self.identity = identity

    def run(self, job: str) -> None:
        """The queue's task: the job's id is all the queue holds."""
        found = self.store.get(job)
        if not found.active:
            return  # finished by an earlier run that the queue did not hear of
        try:
            vault = self._open(found)
        except AllyError:  # the journal was deleted, or the seal names no journal
            _log.warning("a job's journal could not be opened; the job is given up")
            self.store.abandon(found.id)
            return
        if vault is None:
            self.store.cannot_open(found)
            return
        with vault:
            self.store.started(found.id, self.worker)
            try:
                options = json.loads(vault.unseal(found.options))
                if found.kind == "import":
                    self._import(vault, found, options)
                else:
                    self._report(vault, found, options)
            except AllyError as error:  # says what to do; never a message's content
                self.store.finish(
                    found.id, False, {"error": str(error)}, vault.recipient, self.worker
                )
            except Exception:
                self.store.finish(found.id, False, {"error": FAILED}, vault.recipient, self.worker)
                raise

    def _open(self, job: Job) -> Vault | None:
        """The journal, opened with the key sealed to this worker; None if it was sealed to
        others only (or to no one)."""
        if job.key_seal is None or self.worker not in job.sealed_for:
            return None
        try:
            payload = json.loads(open_sealed(job.key_seal, self.identity))
        except VaultDamagedError:
            return None
        where = in_schema(self.url, str(payload["schema"]))
        return Vault.open_with_sealed_key(where, base64.b64decode(payload["key"]), self.identity)

    def _progress(self, job: str) -> Callable[[int, int], None]:
        last = [0.0]

        def update(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY or done == total:
                last[0] = now
                self.store.progress(job, done, total)

        return update

    def _import(self, vault: Vault, job: Job, options: dict[str, Any]) -> None:
        from ally.web.memfiles import MemoryFile

        with MemoryFile(str(options.get("filename") or "export")) as file:
            for piece in vault.unseal_stream(self.store.pieces(job.id, "upload")):
                file.write(piece)
            result = import_file(
                vault,
                file.path,
                import_options(options),
                options.get("format") or None,
                detector=_detector(),
                progress=self._progress(job.id),
            )
        self.store.finish(job.id, True, import_summary(result), vault.recipient, self.worker)

    def _report(self, vault: Vault, job: Job, options: dict[str, Any]) -> None:
        case = report_casefile(vault, options)
        data = render_report(case, str(options["format"]), str(options["paper"]))
        summary = {"format": options["format"], "size": len(data)}
        self.store.finish(job.id, True, summary, vault.recipient, self.worker, file=data)


def import_options(options: dict[str, Any]) -> ImportOptions:
    import zoneinfo

    zone = options.get("timezone")
    return ImportOptions(
        timezone=zoneinfo.ZoneInfo(zone) if zone else None,
        conversation=options.get("conversation") or None,
        date_order=options.get("date_order") or None,
        platform=options.get("platform") or None,
        strict=bool(options.get("strict")),
    )


def report_casefile(vault: Vault, options: dict[str, Any]) -> CaseFile:
    """The report's content, as ``/documents/report`` lays it out in local mode."""
    from ally.documents.letters import report_jurisdiction

    def day(text: Any) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    chosen = options.get("selection")
    selection = (
        Selection(
            since=day(chosen.get("since")),
            until=day(chosen.get("until")),
            notes=bool(chosen.get("notes")),
        )
        if chosen
        else None
    )
    case = build_casefile(
        vault,
        selection,
        title=options.get("title") or "Evidence report",
        person=options.get("person") or None,
        images=options["format"] != "md",
        language=options.get("language"),
    )
    if options.get("pack"):
        report_jurisdiction(case, options["pack"])
    return case


def render_report(case: CaseFile, fmt: str, paper: str) -> bytes:
    from ally.documents.report_docx import render_docx
    from ally.documents.report_md import render_markdown
    from ally.documents.report_pdf import render_pdf

    if fmt == "pdf":
        return render_pdf(case, paper)
    if fmt == "docx":
        return render_docx(case, paper)
    return render_markdown(case).encode("utf-8")


# --- the process ------------------------------------------------------------------------------


def run_worker(
    url: str,
    concurrency: int = 1,
    heartbeat: float = 10.0,
    started: Callable[[str], None] | None = None,
) -> None:
    """Run until stopped (SIGINT or SIGTERM end it after the running job); ``started`` is
    told the worker's id once it is listed."""
    from procrastinate import App, PsycopgConnector

    identity = Identity.generate()  # never written anywhere
    worker = secrets.token_hex(8)
    stale = heartbeat * 3
    previous = signal.signal(signal.SIGTERM, _stop_now)  # until Procrastinate takes over
    store = JobStore(url)
    try:
        ensure_queue_schema(url)
        runner = JobRunner(url, store, worker, identity)
        app = App(connector=PsycopgConnector(conninfo=url, min_size=1, max_size=concurrency + 2))
        app.task(name=TASK, queue=QUEUE)(runner.run)
        store.register_worker(worker, identity.recipient, stale)
        if started is not None:
            started(worker)
        asyncio.run(_serve(app, store, worker, concurrency, heartbeat, stale))
    except _StopRequestedError:
        pass  # SIGTERM before any job could start: nothing to finish
    finally:
        signal.signal(signal.SIGTERM, previous)
        store.retire(worker)
        store.close()


class _StopRequestedError(Exception):
    """SIGTERM came while the worker was still starting."""


def _stop_now(signum: int, frame: object) -> None:
    raise _StopRequestedError()


async def _serve(
    app: Any, store: JobStore, worker: str, concurrency: int, heartbeat: float, stale: float
) -> None:
    """Run the queue's worker until SIGTERM or SIGINT; the running job is finished first.

    The signals are this loop's from its first step (Procrastinate's own handlers would
    leave a gap while the database pool opens, where a stop request was lost)."""
    from procrastinate.worker import Worker

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    async with app.open_async():
        if stopping.is_set():
            return
        runner: Any = Worker(
            app,
            queues=[QUEUE],
            concurrency=concurrency,
            name=f"ally-{worker}",
            update_heartbeat_interval=heartbeat,
            stalled_worker_timeout=stale,
            fetch_job_polling_interval=heartbeat,
            install_signal_handlers=False,
        )
        running = asyncio.create_task(runner.run())
        chores = asyncio.create_task(_keep_alive(app, store, worker, heartbeat, stale))
        try:
            await _until_stopped(runner, running, stopping)
        finally:
            chores.cancel()


async def _until_stopped(runner: Any, running: asyncio.Task[None], stopping: asyncio.Event) -> None:
    """Wait for the worker to end, or for a stop request, which it is then given."""
    asked = asyncio.create_task(stopping.wait())
    await asyncio.wait({running, asked}, return_when=asyncio.FIRST_COMPLETED)
    if stopping.is_set():
        while runner.run_task is None and not running.done():
            await asyncio.sleep(0.05)  # run() forgets a stop asked before it began
        runner.stop()
    asked.cancel()
    await running


async def _keep_alive(
    app: Any, store: JobStore, worker: str, heartbeat: float, stale: float
) -> None:
    """Say this worker is alive, and give the jobs of workers that went silent another run."""
    rounds = 0
    while True:
        try:
            await asyncio.to_thread(store.heartbeat, worker)
            if rounds % SWEEP_EVERY == 0:
                await asyncio.to_thread(store.sweep)
            rounds += 1
            stalled = await app.job_manager.get_stalled_jobs(
                queue=QUEUE, seconds_since_heartbeat=stale
            )
            for job in stalled:
                _log.warning("retrying a job whose worker stopped")
                try:
                    await app.job_manager.retry_job(job)
                except Exception:  # another worker retried it first
                    _log.info("that job was already retried")
        except AllyError:
            _log.warning("the database could not be reached; trying again")
        await asyncio.sleep(heartbeat)
