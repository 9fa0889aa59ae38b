"""Integrity: check that nothing in the journal was changed, removed or reordered, and make
a backup that does not miss the newest entries.

Verifying needs no passphrase, so anyone helping the person (or a court) can do it too. A
backup needs the journal unlocked in this session (it is ciphertext, but a copy of the whole
journal should only go to the person it belongs to).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ally.storage.database import StorageError
from ally.vault import VaultError
from ally.web.i18n import N_
from ally.web.pages import FormDep, PageError, Visit, VisitDep, render, see_other
from ally.web.person.journal import keeper

router = APIRouter()


def _report_page(request: Request, visit: Visit, status: int = 200, **extra: object) -> Response:
    vaults = keeper(request)
    if not vaults.exists(visit.session.row):
        raise PageError(404, N_("There is no journal yet."))
    with vaults.read_only(visit.session.row) as vault:
        report = vault.verify()
        head = vault.head_code() if report.ok else None
    return render(
        request, visit, "journal/integrity.html", status, report=report, head=head, **extra
    )


@router.get("/journal/integrity")
def integrity(request: Request, visit: VisitDep) -> Response:
    return _report_page(request, visit, checked=None)


@router.post("/journal/integrity/check")
def check_code(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Was the journal, as it stood when this code was noted, kept unchanged since?"""
    code = form.get("code").strip()[:64]
    vaults = keeper(request)
    if not vaults.exists(visit.session.row):
        raise PageError(404, N_("There is no journal yet."))
    with vaults.read_only(visit.session.row) as vault:
        found = bool(code) and vault.check_code(code)
    return _report_page(request, visit, checked=found)


@router.post("/journal/integrity/backup")
def download_backup(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """A complete, verified copy of the journal as one file (see ally.vault.backup).

    Unlike copying vault.db by hand, it holds every entry saved so far. Its journal code is
    in the file name, so the person can note or send it along with the copy.
    """
    work = Path(tempfile.mkdtemp(prefix="ally-backup-"))
    try:
        with keeper(request).using(visit.session.row) as vault:
            if vault is None:
                shutil.rmtree(work, ignore_errors=True)
                return see_other("/journal?next=/journal/integrity")
            result = vault.backup(work / "vault.db")
    except (VaultError, StorageError, OSError) as error:
        shutil.rmtree(work, ignore_errors=True)
        raise PageError(500, N_("The backup could not be made. Is the disk full?")) from error
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    code = f"-{result.head_code}" if result.head_code else ""
    return FileResponse(
        result.path,
        media_type="application/vnd.sqlite3",
        filename=f"ally-backup-{dt.date.today().isoformat()}{code}.db",
        background=BackgroundTask(shutil.rmtree, work, ignore_errors=True),
    )
