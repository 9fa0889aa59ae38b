"""Import a chat or email export into the journal: upload, progress, result.

The upload is read as it arrives (``uploads.multipart_events``) into memory only
(``memfiles.MemoryFile``), then handed to the same import pipeline ``ally evidence import``
uses, which checks the whole file before it writes anything and keeps the original, encrypted,
in the journal. Nothing of the upload is written to disk in plaintext.

While the import runs, ``/evidence/import/progress`` tells ally.js how far it is, so a
progress bar can move; without JavaScript the browser simply waits for the result page.
"""

from __future__ import annotations

import asyncio
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ally.errors import AllyError
from ally.evidence.detect import Detector
from ally.evidence.importers import IMPORTERS, ImportOptions
from ally.evidence.pipeline import ImportResult, import_file
from ally.hosted.jobs import import_summary
from ally.vault import Vault
from ally.web.i18n import N_
from ally.web.memfiles import MemoryFile
from ally.web.pages import PageError, Visit, VisitDep, render, see_other
from ally.web.person import jobs
from ally.web.person.gate import journal_needed
from ally.web.person.journal import keeper
from ally.web.progress import PUBLISH_SECONDS, ProgressBoard
from ally.web.state import web_state
from ally.web.uploads import (
    FieldPart,
    FileData,
    FileEnd,
    FileStart,
    check_token,
    multipart_events,
    refuse_if_too_large,
)

router = APIRouter()

TITLE = N_("Import a chat or email export")
MAX_IMPORT_BYTES = 512 * 1024**2
"""An upload is held in memory while it is imported, so it is capped below the app's limit."""
DATE_ORDERS = ("DMY", "MDY", "YMD", "YDM")
PLATFORMS = ("facebook", "instagram")
OPTION_FIELDS = ("format", "conversation", "timezone", "date_order", "platform", "strict")
MAX_CONVERSATION = 200
NO_FILE = N_("Please choose the exported file to import.")
ONE_FILE = N_("Please import one file at a time.")
BAD_ZONE = N_(
    "Ally does not know that time zone. Use a name like Europe/Madrid or America/New_York, "
    "or leave it empty."
)
LONG_NAME = N_("Please keep the conversation's name under 200 characters.")
BUSY = N_("An import is already running. Please wait for it to finish.")
NOT_IMPORTED = N_("Ally could not import this file, so nothing was added to your journal.")
FORMAT_LABELS = {importer.name: importer.label for importer in IMPORTERS}


@dataclass
class ImportProgress:
    """How far one session's import is; read by the progress endpoint, never stored."""

    phase: str = "receiving"
    """receiving, checking, importing, done or failed."""
    received: int = 0
    expected: int = 0
    done: int = 0
    total: int = 0
    result: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        fields = ("phase", "received", "expected", "done", "total")
        return {name: getattr(self, name) for name in fields}


def _imports(request: Request) -> dict[str, ImportProgress]:
    """The app's imports by session row, kept in memory only (as the unlocked journals are)."""
    state = request.app.state
    if not hasattr(state, "evidence_imports"):
        state.evidence_imports = {}
    found: dict[str, ImportProgress] = state.evidence_imports
    return found


@cache
def _detector() -> Detector:
    """Loaded once per process: the model is read from the package."""
    return Detector()


def _options(fields: dict[str, str]) -> ImportOptions | str:
    """The choices from the form, or the (translatable) reason they cannot be used."""
    zone = None
    if fields.get("timezone", "").strip():
        try:
            zone = zoneinfo.ZoneInfo(fields["timezone"].strip())
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return BAD_ZONE
    conversation = fields.get("conversation", "").strip()
    if len(conversation) > MAX_CONVERSATION:
        return LONG_NAME
    order = fields.get("date_order", "")
    platform = fields.get("platform", "")
    fmt = fields.get("format", "")
    if (
        (order and order not in DATE_ORDERS)
        or (platform and platform not in PLATFORMS)
        or (fmt and fmt not in FORMAT_LABELS)
    ):
        raise PageError(400, N_("Please choose one of the options in the list."))
    return ImportOptions(
        timezone=zone,
        conversation=conversation or None,
        date_order=order or None,
        platform=platform or None,
        strict=fields.get("strict") == "yes",
    )


class _Receiver:
    """Reads the form: the token first, then the choices, then one file into memory."""

    def __init__(self, request: Request, visit: Visit, progress: ImportProgress) -> None:
        self.request = request
        self.visit = visit
        self.progress = progress
        self.fields: dict[str, str] = {}
        self.file: MemoryFile | None = None
        self.finished = False
        self.error: str | None = None
        self.options: ImportOptions | None = None

    async def run(self) -> None:
        limit = min(web_state(self.request).config.max_upload_bytes, MAX_IMPORT_BYTES)
        async for event in multipart_events(self.request, limit):
            self.handle(event)
            if self.error:
                return
        if self.file is None or not self.finished:
            self.error = NO_FILE

    def handle(self, event: FieldPart | FileStart | FileData | FileEnd) -> None:
        if isinstance(event, FieldPart):
            self.field(event)
        elif isinstance(event, FileStart):
            self.start(event)
        elif isinstance(event, FileData) and self.file is not None and not self.finished:
            self.file.write(event.data)
            self.progress.received = self.file.size
        elif isinstance(event, FileEnd) and self.file is not None:
            self.finished = True

    def field(self, event: FieldPart) -> None:
        check_token(event, self.fields, self.visit.session.csrf)
        if event.name == "csrf" or event.name in OPTION_FIELDS:
            self.fields[event.name] = event.value

    def start(self, event: FileStart) -> None:
        check_token(event, self.fields, self.visit.session.csrf)
        if not event.filename:
            return  # the file input was left empty
        if self.file is not None:
            self.error = ONE_FILE
            return
        options = _options(self.fields)
        if isinstance(options, str):
            self.error = options
            return
        self.options = options
        self.file = MemoryFile(event.filename)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def _summary(result: ImportResult) -> dict[str, Any]:
    """What the result page shows: counts and the file's name and hash, never its content."""
    return import_summary(result)


def _import(vault: Vault, receiver: _Receiver, progress: ImportProgress) -> ImportResult:
    assert receiver.file is not None

    def update(done: int, total: int) -> None:
        progress.phase, progress.done, progress.total = "importing", done, total

    progress.phase = "checking"
    return import_file(
        vault,
        receiver.file.path,
        receiver.options,
        receiver.fields.get("format") or None,
        detector=_detector(),
        progress=update,
    )


def _form(
    request: Request,
    visit: Visit,
    status: int = 200,
    error: str | None = None,
    detail: str | None = None,
    fields: dict[str, str] | None = None,
) -> Response:
    limit = min(web_state(request).config.max_upload_bytes, MAX_IMPORT_BYTES)
    return render(
        request,
        visit,
        "evidence/import.html",
        status,
        error=error,
        detail=detail,
        fields=fields or {},
        formats=FORMAT_LABELS,
        limit=limit,
        date_orders=DATE_ORDERS,
        jobs=jobs.recent(request, visit, "import"),
    )


@router.get("/evidence/import")
def import_page(request: Request, visit: VisitDep) -> Response:
    if not keeper(request).is_unlocked(visit.session.row):
        return journal_needed(request, visit, "/evidence/import", TITLE)
    return _form(request, visit)


@router.post("/evidence/import")
async def import_export(request: Request, visit: VisitDep) -> Response:
    refuse_if_too_large(request, min(web_state(request).config.max_upload_bytes, MAX_IMPORT_BYTES))
    vaults = keeper(request)
    row = visit.session.row
    if row is None or not vaults.is_unlocked(row):
        return see_other("/evidence/import")
    imports = _imports(request)
    running = imports.get(row)
    board = _board(request)
    if (running is not None and running.phase in ("receiving", "checking", "importing")) or (
        board is not None and await anyio.to_thread.run_sync(board.running, row)
    ):  # hosted: the upload may be arriving at another app process
        return _form(request, visit, 409, BUSY)
    progress = imports[row] = ImportProgress(expected=_length(request))
    receiver = _Receiver(request, visit, progress)
    shown = asyncio.create_task(_publish(board, row, progress)) if board else None
    try:
        return await _receive_and_import(request, visit, receiver, progress)
    finally:
        receiver.close()
        if progress.phase != "done":
            progress.phase = "failed"
        if shown is not None and board is not None:
            shown.cancel()
            await asyncio.wait({shown})  # a write under way lands first: the clear is last
            await anyio.to_thread.run_sync(board.clear, row)


def _board(request: Request) -> ProgressBoard | None:
    """Hosted mode: where the upload's counts are kept for every app process (progress.py)."""
    state = web_state(request)
    if state.hosted is None:
        return None
    found: ProgressBoard | None = getattr(request.app.state, "upload_progress", None)
    if found is None:
        found = request.app.state.upload_progress = ProgressBoard(state.storage, state.config.clock)
    return found


async def _publish(board: ProgressBoard, row: str, progress: ImportProgress) -> None:
    """Write the counts about once a second while the upload arrives (numbers only)."""
    while True:
        await anyio.to_thread.run_sync(board.publish, row, progress.as_json())
        await anyio.sleep(PUBLISH_SECONDS)


async def _receive_and_import(
    request: Request, visit: Visit, receiver: _Receiver, progress: ImportProgress
) -> Response:
    await receiver.run()
    kept = {name: receiver.fields.get(name, "") for name in OPTION_FIELDS}
    if receiver.error:
        return _form(request, visit, 422, receiver.error, fields=kept)
    if jobs.job_store(request) is not None:  # hosted: a worker imports it (jobs.py)
        return await anyio.to_thread.run_sync(_queue_import, request, visit, receiver)
    async with keeper(request).using_async(visit.session.row) as vault:
        if vault is None:  # the journal locked itself while the file arrived
            return see_other("/evidence/import")
        try:
            result = await anyio.to_thread.run_sync(_import, vault, receiver, progress)
        except AllyError as error:  # names the file and the place, never its content
            return _form(request, visit, 422, NOT_IMPORTED, str(error), kept)
    progress.result = _summary(result)
    progress.phase = "done"
    return see_other("/evidence/import/result")


def _queue_import(request: Request, visit: Visit, receiver: _Receiver) -> Response:
    """Hand the checked upload to the queue, sealed to the journal's own key."""
    assert receiver.file is not None
    options: dict[str, Any] = {
        name: receiver.fields.get(name, "").strip() for name in OPTION_FIELDS if name != "strict"
    }
    options["strict"] = receiver.fields.get("strict") == "yes"
    options["filename"] = receiver.file.path.name
    _imports(request).pop(visit.session.row or "", None)  # the job's page says how far it is
    return jobs.submit(request, visit, "import", options, _pieces(receiver.file.path))


def _pieces(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while piece := source.read(1 << 20):
            yield piece


def _length(request: Request) -> int:
    try:
        return max(0, int(request.headers.get("content-length", "0")))
    except ValueError:
        return 0


@router.get("/evidence/import/progress")
def import_progress(request: Request, visit: VisitDep) -> Response:
    """Counts only, for the progress bar (ally.js asks every second while the form is sent)."""
    row = visit.session.row or ""
    found = _imports(request).get(row)
    body = found.as_json() if found is not None else None
    board = _board(request)
    if body is None and board is not None and row:  # received by another app process
        body = board.read(row)
    return JSONResponse(body or {"phase": "none"})


@router.get("/evidence/import/result")
def import_result(request: Request, visit: VisitDep) -> Response:
    """Shown while the journal stays open: once it locks, so does what the import said."""
    row = visit.session.row
    found = _imports(request).get(row or "")
    if found is None or found.phase != "done" or not keeper(request).is_unlocked(row):
        return see_other("/evidence/import")
    return render(request, visit, "evidence/result.html", result=found.result)
