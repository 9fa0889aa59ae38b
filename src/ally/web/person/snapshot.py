"""Keep a web page as evidence: upload the saved page and a screenshot, with its address.

The two files are read as they arrive into memory only (``memfiles.MemoryFile``), then handed
to the same core ``ally evidence snapshot`` uses (``ally.evidence.snapshot``), which checks
both files whole before anything is stored, and stores the entry and both files in one
transaction. Ally never visits the address: it records what the person saved.
"""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.errors import AllyError
from ally.evidence.snapshot import SnapshotResult, capture_snapshot, read_capture_time
from ally.model.journal import SETTINGS_KIND, journal_zone
from ally.vault import Vault
from ally.web.i18n import N_
from ally.web.memfiles import MemoryFile
from ally.web.pages import Visit, VisitDep, render, see_other
from ally.web.person.gate import journal_needed
from ally.web.person.journal import keeper
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

TITLE = N_("Keep a web page as evidence")
MAX_SNAPSHOT_BYTES = 384 * 1024**2
"""Both files are held in memory while they are checked, so the upload is capped."""
FILE_FIELDS = ("page", "screenshot")
MAX_URL = 4000
NO_FILE = N_("Please choose the saved page, the screenshot, or both.")
LONG_URL = N_("Please keep the address under 4,000 characters.")
NOT_SAVED = N_("Ally could not keep this page, so nothing was added to your journal.")


class _Receiver:
    """Reads the form: the token first, then the address, then up to two files into memory."""

    def __init__(self, visit: Visit) -> None:
        self.visit = visit
        self.fields: dict[str, str] = {}
        self.files: dict[str, MemoryFile] = {}
        self.current: MemoryFile | None = None
        self.error: str | None = None

    async def run(self, request: Request) -> None:
        limit = min(web_state(request).config.max_upload_bytes, MAX_SNAPSHOT_BYTES)
        async for event in multipart_events(request, limit):
            self.handle(event)
        if not self.files:
            self.error = NO_FILE
        elif len(self.fields.get("url", "")) > MAX_URL:
            self.error = LONG_URL

    def handle(self, event: FieldPart | FileStart | FileData | FileEnd) -> None:
        if isinstance(event, FieldPart):
            check_token(event, self.fields, self.visit.session.csrf)
            if event.name in ("csrf", "url", "captured"):
                self.fields[event.name] = event.value
        elif isinstance(event, FileStart):
            check_token(event, self.fields, self.visit.session.csrf)
            self.current = None
            if event.filename and event.name in FILE_FIELDS and event.name not in self.files:
                self.current = self.files[event.name] = MemoryFile(event.filename)
        elif isinstance(event, FileData) and self.current is not None:
            self.current.write(event.data)
        elif isinstance(event, FileEnd):
            self.current = None

    def close(self) -> None:
        for file in self.files.values():
            file.close()


def _form(
    request: Request,
    visit: Visit,
    status: int = 200,
    error: str | None = None,
    detail: str | None = None,
    url: str = "",
    captured: str = "",
) -> Response:
    limit = min(web_state(request).config.max_upload_bytes, MAX_SNAPSHOT_BYTES)
    return render(
        request, visit, "evidence/snapshot.html", status, error=error, detail=detail, url=url,
        limit=limit, captured=captured,
    )  # fmt: skip


@router.get("/evidence/snapshot")
def snapshot_page(request: Request, visit: VisitDep) -> Response:
    if not keeper(request).is_unlocked(visit.session.row):
        return journal_needed(request, visit, "/evidence/snapshot", TITLE)
    return _form(request, visit)


def _keep(vault: Vault, receiver: _Receiver) -> tuple[SnapshotResult, int]:
    page, shot = receiver.files.get("page"), receiver.files.get("screenshot")
    result = capture_snapshot(
        vault,
        page.path if page else None,
        shot.path if shot else None,
        receiver.fields.get("url", "").strip() or None,
        page_name=page.path.name if page else None,
        screenshot_name=shot.path.name if shot else None,
        captured=read_capture_time(
            receiver.fields.get("captured", "")[:40],
            journal_zone(vault.entries(kind=SETTINGS_KIND)),
        ),
    )
    return result, vault.entry(result.entry_id).seq


@router.post("/evidence/snapshot")
async def keep_snapshot(request: Request, visit: VisitDep) -> Response:
    limit = min(web_state(request).config.max_upload_bytes, MAX_SNAPSHOT_BYTES)
    refuse_if_too_large(request, limit)
    if not keeper(request).is_unlocked(visit.session.row):
        return see_other("/evidence/snapshot")
    receiver = _Receiver(visit)
    try:
        await receiver.run(request)
        url = receiver.fields.get("url", "")[:MAX_URL]
        captured = receiver.fields.get("captured", "")[:40]
        if receiver.error:
            return _form(request, visit, 422, receiver.error, url=url, captured=captured)
        async with keeper(request).using_async(visit.session.row) as vault:
            if vault is None:  # the journal locked itself while the files arrived
                return see_other("/evidence/snapshot")
            try:
                _, seq = await anyio.to_thread.run_sync(_keep, vault, receiver)
            except AllyError as error:  # names the file and the problem, never its content
                return _form(request, visit, 422, NOT_SAVED, str(error), url, captured)
    finally:
        receiver.close()
    return see_other(f"/journal/entries/{seq}")
