"""Imports and reports run by a worker, in hosted mode: sending them, and the page that follows.

In hosted mode the import and report forms do not do the work in the app process: they hand it
to the queue (``hosted/jobs.py``) and send the browser to ``/jobs/<id>``. That page shows how
far the job is and reloads itself with a plain ``<meta http-equiv="refresh">`` (no JavaScript
needed), then shows the result. A job is found only by its id *and* the signed-in account, so
another person's job is "not found", never shown.

The journal's key goes to the workers sealed to their in-memory keys. When none of the workers
a job was sealed to is alive, the job waits: this page (or the next unlock) seals it to the
workers alive then, which needs the journal open here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.hosted.jobs import KEEP_DAYS, Job, JobStore, NoJobError, belongs, close_queues
from ally.web.i18n import N_
from ally.web.pages import FormDep, PageError, Visit, VisitDep, render, see_other
from ally.web.person.gate import journal_needed
from ally.web.person.journal import keeper
from ally.web.state import web_state

router = APIRouter()

REFRESH_SECONDS = 2
"""How often the job page reloads itself while the job runs."""
TITLES = {"import": N_("Importing your file"), "report": N_("Making your report")}
REPORTS = {
    "pdf": ("application/pdf", "ally-evidence-report.pdf"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "ally-evidence-report.docx",
    ),
    "md": ("text/markdown; charset=utf-8", "ally-evidence-report.md"),
}
"""The evidence report's formats: media type and file name, for the report made at once
(documents.py) and the one a background job made (hosted mode)."""


def job_store(request: Request) -> JobStore | None:
    """The app's job tables (hosted mode only), opened on first use."""
    state = web_state(request)
    if state.hosted is None:
        return None
    found: JobStore | None = getattr(request.app.state, "queue_jobs", None)
    if found is None:
        found = request.app.state.queue_jobs = JobStore(state.hosted.store.url)
    return found


def close(app: Any) -> None:
    """The app stops: close its job tables' connection (the queue's, too)."""
    found: JobStore | None = getattr(app.state, "queue_jobs", None)
    if found is not None:
        found.close()
    close_queues()


def account_id(request: Request) -> str:
    current = getattr(request.state, "account", None)
    if current is None:  # the hosted gate admits no one else to the person pages
        raise PageError(404, N_("There is no page at this address."))
    return str(current.account.id)


def submit(
    request: Request,
    visit: Visit,
    kind: str,
    options: dict[str, Any],
    upload: Iterable[bytes] = (),
) -> Response:
    """Queue a job for the signed-in person's open journal; to its page."""
    store = job_store(request)
    assert store is not None
    account = account_id(request)
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            raise PageError(403, N_("Your journal is locked. Unlock it, then try again."))
        job = store.create(account, kind, vault, options, upload)
        store.reseal(store.get(job, account), vault)
    return see_other(f"/jobs/{job}")


def recent(request: Request, visit: Visit, kind: str) -> list[Job]:
    """The signed-in person's jobs of this kind still kept, made from the journal open now
    (hosted mode; else none). A locked journal lists none."""
    store = job_store(request)
    current = getattr(request.state, "account", None)
    if store is None or current is None:
        return []
    jobs = [job for job in store.of_account(str(current.account.id)) if job.kind == kind]
    if not jobs:
        return []
    with keeper(request).using(visit.session.row) as vault:
        return [job for job in jobs if vault is not None and belongs(job, vault)]


def after_unlock(request: Request, visit: Visit) -> None:
    """Give the person's jobs that waited for their journal to the workers alive now."""
    store = job_store(request)
    current = getattr(request.state, "account", None)
    if store is None or current is None:
        return
    waiting = [job for job in store.of_account(str(current.account.id)) if job.active]
    if not waiting:
        return
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            return
        for job in waiting:
            store.reseal(job, vault)


def _job(request: Request, job_id: str) -> tuple[JobStore, Job]:
    store = job_store(request)
    if store is None:
        raise PageError(404, N_("There is no page at this address."))
    try:
        return store, store.get(job_id, account_id(request))
    except NoJobError:
        raise PageError(404, N_("There is no such import or report.")) from None


@router.get("/jobs/{job_id}")
def job_page(request: Request, visit: VisitDep, job_id: str) -> Response:
    store, job = _job(request, job_id)
    title = TITLES[job.kind]
    with keeper(request).using(visit.session.row) as vault:
        if vault is not None and not belongs(job, vault):
            raise PageError(404, N_("There is no such import or report."))
        if job.active and vault is not None:
            sealed = bool(store.reseal(job, vault))
            job = store.get(job.id, job.account)
            return _running(request, visit, job, title, helpers=sealed, store=store)
        if job.active and store.can_run(job):  # runs without the journal open here
            return _running(request, visit, job, title, helpers=True, store=store)
        if vault is None:
            return _locked(request, visit, job, title)
        result = json.loads(vault.unseal(job.result)) if job.result else {}
    if job.state == "failed":
        return _failed(request, visit, job, result)
    if job.kind == "import":
        return render(request, visit, "evidence/result.html", result=result)
    return render(
        request, visit, "jobs/report.html", job=job, result=result, title=title, days=KEEP_DAYS
    )


def _locked(request: Request, visit: Visit, job: Job, title: str) -> Response:
    if not job.active:
        return journal_needed(request, visit, f"/jobs/{job.id}", title)
    return render(
        request, visit, "jobs/job.html", 200, job=job, title=title, locked=True, refresh=None
    )


def _running(
    request: Request, visit: Visit, job: Job, title: str, helpers: bool, store: JobStore
) -> Response:
    return render(
        request,
        visit,
        "jobs/job.html",
        job=job,
        title=title,
        locked=False,
        helpers=helpers,
        restarting=helpers and _worker_stopped(job, store),
        refresh=REFRESH_SECONDS if helpers else REFRESH_SECONDS * 5,
    )


def _worker_stopped(job: Job, store: JobStore) -> bool:
    """The helper that was running the job has stopped (no sign of life): until another picks
    it up and starts again, its count would stand still, so the page says what is happening
    instead of showing a frozen "200 of 60,000"."""
    return (
        job.state == "running" and job.worker is not None and job.worker not in store.live_workers()
    )


def _failed(request: Request, visit: Visit, job: Job, result: dict[str, Any]) -> Response:
    back = "/evidence/import" if job.kind == "import" else "/documents"
    return render(
        request,
        visit,
        "jobs/failed.html",
        422,
        job=job,
        detail=result.get("error"),
        back=back,
        title=TITLES[job.kind],
    )


@router.post("/jobs/{job_id}/download")
def download(request: Request, visit: VisitDep, form: FormDep, job_id: str) -> Response:
    """The finished report, decrypted here with the open journal's key, as an attachment."""
    store, job = _job(request, job_id)
    if job.kind != "report" or job.state != "done":
        raise PageError(404, N_("There is no such import or report."))
    with keeper(request).using(visit.session.row) as vault:
        if vault is None:
            raise PageError(403, N_("Your journal is locked. Unlock it, then try again."))
        if not belongs(job, vault):
            raise PageError(404, N_("There is no such import or report."))
        result = json.loads(vault.unseal(job.result)) if job.result else {}
        data = b"".join(vault.unseal_stream(store.pieces(job.id, "result")))
    media_type, filename = REPORTS[str(result.get("format", "md"))]
    return Response(
        data,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
