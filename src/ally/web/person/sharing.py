"""Export and share: a full copy of the journal, or a copy an advocate can open with their key.

Both are export bundles (see ally.vault.bundle), zipped for download. The files in them are
encrypted, so the short-lived copy made on disk to build the zip holds no plaintext.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import zipfile
from pathlib import Path

from fastapi import APIRouter
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ally.model.journal import computer_zone
from ally.vault import RecipientError, Vault
from ally.web.i18n import N_
from ally.web.pages import FormDep, PageError, Visit, VisitDep, render, see_other
from ally.web.person.journal import keeper, zone_of

router = APIRouter()


@router.get("/journal/export")
def export_page(request: Request, visit: VisitDep) -> Response:
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return see_other("/journal")
        entries, zone = vault.timeline(), zone_of(vault)
    return render(request, visit, "journal/export.html", entries=entries, zone=zone, error=None)


@router.post("/journal/export")
def export_full(request: Request, visit: VisitDep, form: FormDep) -> Response:
    return _bundle(request, visit, "ally-journal", recipients=[], entries=None)


@router.post("/journal/share")
def export_shared(request: Request, visit: VisitDep, form: FormDep) -> Response:
    recipient = form.get("recipient").strip()
    chosen = form.getlist("entry") or None
    if not recipient.startswith("age1"):
        return _export_error(
            request, visit, N_("An advocate's key starts with age1. Please paste the whole key.")
        )
    try:
        return _bundle(
            request, visit, "ally-journal-shared", recipients=[recipient], entries=chosen
        )
    except RecipientError:
        return _export_error(
            request, visit, N_("That key is not a valid age key. Please paste it again.")
        )


def _export_error(request: Request, visit: Visit, error: str) -> Response:
    with keeper(request).using(visit.session.row) as vault:
        entries = vault.timeline() if vault else []
        zone = zone_of(vault) if vault else computer_zone()
    return render(
        request, visit, "journal/export.html", 400, entries=entries, zone=zone, error=error
    )


def _bundle(
    request: Request, visit: Visit, name: str, recipients: list[str], entries: list[str] | None
) -> Response:
    work = Path(tempfile.mkdtemp(prefix="ally-export-"))
    try:
        with keeper(request).using(visit.session.row) as vault:
            if vault is None:
                shutil.rmtree(work, ignore_errors=True)
                return see_other("/journal")
            _write(vault, work / name, recipients, entries)
        archive = _zip(work / name, work / f"{name}.zip")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    filename = f"{name}-{dt.date.today().isoformat()}.zip"
    return FileResponse(
        archive,
        media_type="application/zip",
        filename=filename,
        background=BackgroundTask(shutil.rmtree, work, ignore_errors=True),
    )


def _write(vault: Vault, folder: Path, recipients: list[str], entries: list[str] | None) -> None:
    try:
        vault.export(folder, recipients=recipients, entries=entries)
    except RecipientError:
        raise
    except OSError as error:
        raise PageError(500, N_("The copy could not be written. Is the disk full?")) from error


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, Path(folder.name) / path.relative_to(folder))
    return target
