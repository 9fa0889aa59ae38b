"""Safety and privacy: the idle lock, save codes, resuming, and deleting everything."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.web.config import LOCK_CHOICES
from ally.web.i18n import N_
from ally.web.pages import FormDep, PageError, Visit, VisitDep, render, see_other
from ally.web.sealing import new_token
from ally.web.sessions import WebSession
from ally.web.state import web_state

router = APIRouter()


@router.get("/privacy")
def privacy(request: Request, visit: VisitDep) -> Response:
    return render(request, visit, "person/privacy.html", lock_choices=LOCK_CHOICES)


@router.post("/privacy/lock")
def choose_lock(request: Request, visit: VisitDep, form: FormDep) -> Response:
    try:
        minutes = int(form.get("minutes"))
    except ValueError:
        minutes = 0
    if minutes not in LOCK_CHOICES:
        raise PageError(400, N_("Please choose one of the times in the list."))
    visit.session.lock_after = minutes * 60
    web_state(request).sessions.save(visit.session)
    return see_other("/privacy")


@router.post("/privacy/code")
def make_code(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Shown once, in this response only: the code is never stored, so it cannot be shown again."""
    code = web_state(request).sessions.make_code(visit.session)
    return render(request, visit, "person/code.html", code=code)


@router.post("/privacy/forget")
def forget(request: Request, visit: VisitDep, form: FormDep) -> Response:
    web_state(request).sessions.forget(visit.session)
    _replace_session(visit, WebSession(new_token()))
    response = render(request, visit, "person/forgotten.html")
    response.headers["clear-site-data"] = '"cache"'
    return response


@router.get("/resume")
def resume_form(request: Request, visit: VisitDep) -> Response:
    return render(request, visit, "person/resume.html", error=None)


@router.post("/resume")
def resume(request: Request, visit: VisitDep, form: FormDep) -> Response:
    restored = web_state(request).sessions.resume(form.get("code"))
    if restored is None:
        error = N_("We could not find saved answers for this code. Check it and try again.")
        return render(request, visit, "person/resume.html", status=400, error=error)
    _replace_session(visit, restored)
    return see_other("/interview")


@router.get("/locked")
def locked(request: Request, visit: VisitDep) -> Response:
    return render(request, visit, "person/locked.html", error=None)


def _replace_session(visit: Visit, session: WebSession) -> None:
    """Swap in another session; the security middleware sends its cookie."""
    session.new_cookie = True
    visit.session = session
