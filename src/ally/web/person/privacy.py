"""Safety and privacy: the idle lock, save codes, "continue where I left off", camouflage,
the neutral locked page and the ways on from it, and deleting everything."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ally.web.config import LOCK_CHOICES
from ally.web.i18n import N_
from ally.web.pages import FormDep, PageError, Visit, VisitDep, render, see_other
from ally.web.sealing import new_token
from ally.web.sessions import CONTINUE_COOKIE, LEFT_COOKIE, WebSession
from ally.web.settings import CAMOUFLAGE_NAMES
from ally.web.state import web_state

router = APIRouter()


@router.get("/privacy")
def privacy(request: Request, visit: VisitDep) -> Response:
    return render(
        request,
        visit,
        "person/privacy.html",
        lock_choices=LOCK_CHOICES,
        camouflage_names=CAMOUFLAGE_NAMES,
        session_can_continue=visit.session.can_continue,
    )


@router.post("/privacy/continue")
def choose_continue(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Turn "continue where I left off" on (a secret in this browser's cookie) or off."""
    sessions = web_state(request).sessions
    if form.get("allow") == "yes":
        visit.cookies[CONTINUE_COOKIE] = sessions.allow_continue(visit.session)
    else:
        sessions.stop_continue(visit.session)
        visit.cookies[CONTINUE_COOKIE] = None
    return see_other("/privacy#continue-heading")


@router.post("/privacy/camouflage")
def choose_camouflage(request: Request, visit: VisitDep, form: FormDep) -> Response:
    name = form.get("name")
    if name not in (*CAMOUFLAGE_NAMES, "off"):
        raise PageError(400, N_("Please choose one of the names in the list."))
    web_state(request).settings.set_camouflage(None if name == "off" else name)
    return see_other("/privacy#camouflage-heading")


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
    visit.cookies[CONTINUE_COOKIE] = None
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
        template = "person/locked.html" if form.get("from") == "locked" else "person/resume.html"
        return _locked_or_resume(request, visit, template, error)
    _replace_session(visit, restored)
    return see_other("/interview")


@router.post("/continue")
def continue_here(request: Request, visit: VisitDep, form: FormDep) -> Response:
    """Carry on in this browser, if the person turned "continue where I left off" on."""
    restored = web_state(request).sessions.continue_with(request.cookies.get(CONTINUE_COOKIE))
    if restored is None:
        error = N_(
            "There is nothing to continue in this browser. Use your save code, or start again."
        )
        return _locked_or_resume(request, visit, "person/locked.html", error)
    _replace_session(visit, restored)
    return see_other("/interview")


@router.get("/locked")
def locked(request: Request, visit: VisitDep) -> Response:
    """The neutral page: after quick exit or the idle lock, whatever address is opened."""
    if visit.session.row is None:
        visit.cookies[LEFT_COOKIE] = "1"
    return _locked_or_resume(request, visit, "person/locked.html", None)


def _locked_or_resume(request: Request, visit: Visit, template: str, error: str | None) -> Response:
    sessions = web_state(request).sessions
    return render(
        request,
        visit,
        template,
        status=400 if error else 200,
        error=error,
        neutral=template == "person/locked.html",
        can_continue=sessions.can_continue_with(request.cookies.get(CONTINUE_COOKIE)),
    )


def _replace_session(visit: Visit, session: WebSession) -> None:
    """Swap in another session; the security middleware sends its cookie. The browser may
    show Ally's pages again."""
    session.new_cookie = True
    visit.session = session
    visit.cookies[LEFT_COOKIE] = None
