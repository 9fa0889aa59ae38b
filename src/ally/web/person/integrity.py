"""Integrity: check that nothing in the journal was changed, removed or reordered.

Verifying needs no passphrase, so anyone helping the person (or a court) can do it too.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.web.i18n import N_
from ally.web.pages import FormDep, PageError, Visit, VisitDep, render
from ally.web.person.journal import keeper

router = APIRouter()


def _report_page(request: Request, visit: Visit, status: int = 200, **extra: object) -> Response:
    vaults = keeper(request)
    if not vaults.exists():
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
    if not vaults.exists():
        raise PageError(404, N_("There is no journal yet."))
    with vaults.read_only(visit.session.row) as vault:
        found = bool(code) and vault.check_code(code)
    return _report_page(request, visit, checked=found)
